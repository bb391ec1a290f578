/** The layer registry: every family's table merged, plus the other class names Keras has used for the same layers. */
import { activationLayers } from './activations.ts';
import { convolutionLayers } from './convolution.ts';
import { coreLayers } from './core.ts';
import { embeddingLayers } from './embedding.ts';
import { mergingLayers } from './merging.ts';
import { normalizationLayers } from './normalization.ts';
import { poolingLayers } from './pooling.ts';
import type { LayerConverter } from './registry.ts';
import { reshapingLayers } from './reshaping.ts';

export type { LayerConverter, LayerConverterTable } from './registry.ts';

const families = [coreLayers, activationLayers, convolutionLayers, poolingLayers, normalizationLayers, reshapingLayers, mergingLayers, embeddingLayers];

/** Older Keras class names and Python aliases that can appear in saved configs. */
const aliases: Record<string, string> = {
  Convolution1D: 'Conv1D',
  Convolution2D: 'Conv2D',
  Deconvolution2D: 'Conv2DTranspose',
  Convolution2DTranspose: 'Conv2DTranspose',
  SeparableConvolution2D: 'SeparableConv2D',
  DepthwiseConvolution2D: 'DepthwiseConv2D',
  MaxPool1D: 'MaxPooling1D',
  MaxPool2D: 'MaxPooling2D',
  AvgPool1D: 'AveragePooling1D',
  AvgPool2D: 'AveragePooling2D',
  GlobalMaxPool1D: 'GlobalMaxPooling1D',
  GlobalMaxPool2D: 'GlobalMaxPooling2D',
  GlobalAvgPool1D: 'GlobalAveragePooling1D',
  GlobalAvgPool2D: 'GlobalAveragePooling2D',
};

const converters = new Map<string, LayerConverter>(families.flatMap((table) => Object.entries(table)));
for (const [alias, target] of Object.entries(aliases)) {
  const converter = converters.get(target);
  if (converter && !converters.has(alias)) converters.set(alias, converter);
}

export function layerConverter(className: string): LayerConverter | undefined {
  return converters.get(className);
}

/** Class names the converter handles (InputLayer is the graph's entry, handled by the converter core). */
export function supportedLayerClasses(): string[] {
  return ['InputLayer', ...families.flatMap((table) => Object.keys(table))];
}
