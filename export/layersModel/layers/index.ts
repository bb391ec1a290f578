/**
 * The layer registry: every family's table merged, plus the other class names Keras has used for
 * the same layers, plus the converters plugins register for custom classes.
 */
import { InvalidOptionError } from '../../../common/errors.ts';
import { activationLayers } from './activations.ts';
import { convolutionLayers } from './convolution.ts';
import { coreLayers } from './core.ts';
import { embeddingLayers } from './embedding.ts';
import { maskingLayers } from './masking.ts';
import { mergingLayers } from './merging.ts';
import { normalizationLayers } from './normalization.ts';
import { poolingLayers } from './pooling.ts';
import { preprocessingLayers } from './preprocessing.ts';
import { recurrentLayers } from './recurrent.ts';
import { defineLayer, type LayerDefinition, type LayerDefinitionTable } from './definition.ts';
import type { LayerConverter } from './registry.ts';
import { reshapingLayers } from './reshaping.ts';
import { wrapperLayers } from './wrappers.ts';
import { MODEL_CLASSES } from '../reader/modelTopology.ts';

export type { LayerConverter, LayerDefinition, LayerDefinitionTable } from './registry.ts';

/** Each family under the heading the README lists it with. */
const familyNames: Record<string, LayerDefinitionTable> = {
  core: coreLayers,
  activations: activationLayers,
  convolution: convolutionLayers,
  pooling: poolingLayers,
  normalization: normalizationLayers,
  reshaping: reshapingLayers,
  merging: mergingLayers,
  embedding: embeddingLayers,
  masking: maskingLayers,
  recurrent: recurrentLayers,
  wrappers: wrapperLayers,
  preprocessing: preprocessingLayers,
};
const families = Object.values(familyNames);
const modelClassNames = MODEL_CLASSES;

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

const definitions = new Map<string, LayerDefinition>(families.flatMap((table) => Object.entries(table)));
for (const [alias, target] of Object.entries(aliases)) {
  const definition = definitions.get(target);
  if (definition && !definitions.has(alias)) definitions.set(alias, definition);
}

/** Converters registered at run time for custom layer classes (see export/layersModel/plugins.ts), as definitions without options. */
const customDefinitions = new Map<string, LayerDefinition>();

/** The definition of a class: a plugin's (which reads its own config), else the built-in one. */
export function layerDefinition(className: string): LayerDefinition | undefined {
  return customDefinitions.get(className) ?? definitions.get(className);
}

/** Class names the converter handles (InputLayer is the graph's entry, handled by the converter core). */
export function supportedLayerClasses(): string[] {
  return ['InputLayer', ...modelClassNames, ...families.flatMap((table) => Object.keys(table))];
}

/** The built-in classes, family by family, with their declarations, for the README's generated list. */
export function builtInLayerFamilies(): { family: string; classes: string[]; definitions: LayerDefinitionTable }[] {
  return Object.entries(familyNames).map(([family, table]) => ({ family, classes: Object.keys(table), definitions: table }));
}

export function aliasesOf(className: string): string[] {
  return Object.entries(aliases)
    .filter(([, target]) => target === className)
    .map(([alias]) => alias);
}

/** Whether a class has a converter of its own (not a plugin's). */
export function isBuiltInLayer(className: string): boolean {
  return definitions.has(className) || className === 'InputLayer' || modelClassNames.includes(className);
}

/**
 * Registers `converter` for the Keras class `className`; returns a function that removes it.
 * Replacing a built-in converter must be asked for, so a plugin cannot shadow one by accident.
 */
export function registerCustomConverter(
  className: string,
  converter: LayerConverter,
  options: { replaceBuiltIn?: boolean } = {},
): () => void {
  if (typeof className !== 'string' || className.trim() === '')
    throw new InvalidOptionError('a layer converter needs the Keras class name it converts');
  if (typeof converter !== 'function')
    throw new InvalidOptionError(`the converter registered for ${className} must be a function (ctx) => outputs`);
  if (isBuiltInLayer(className) && !options.replaceBuiltIn) {
    throw new InvalidOptionError(`${className} already has a built-in converter; pass { replaceBuiltIn: true } to replace it`);
  }
  const definition = defineLayer({}, (ctx) => converter(ctx));
  customDefinitions.set(className, definition);
  return () => {
    if (customDefinitions.get(className) === definition) customDefinitions.delete(className);
  };
}

export function isCustomLayer(className: string): boolean {
  return customDefinitions.has(className);
}
