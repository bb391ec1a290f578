/**
 * Before anything is converted, every layer of the model (inside nested models, wrappers and
 * recurrent cells too) is checked against the registry and its declaration (the options it
 * declares as activations), so one error lists all the classes and activations the converter
 * lacks at once, with how to add them, instead of the first one only.
 */
import { supportedActivations, unsupportedActivation } from './activations.ts';
import { UnconvertibleModelError } from '../errors.ts';
import type { OptionDeclarations } from './layers/definition.ts';
import { isCustomLayer, layerDefinition } from './layers/index.ts';
import { CELL_OPTIONS, cellKind, recurrentCells } from './layers/recurrent/cells.ts';
import { unsupportedLayers } from './layers/unsupported.ts';
import type { LayerSpec, ModelTopology } from './reader/modelTopology.ts';

/** The options a declaration says name an activation function. */
function activationOptions(options: OptionDeclarations): string[] {
  return Object.entries(options)
    .filter(([, declaration]) => declaration.activation)
    .map(([key]) => key);
}

interface Finding {
  count: number;
  firstLayer: string;
}

export const PLUGIN_HINT =
  'register a converter for a custom class with registerLayerConverter() from tfjs-onnx-cli/plugins, ' +
  'or pass a module that registers it to `tfjs-onnx convert --plugin <module>` (README: "Custom layers")';

export function assertConvertible(topology: ModelTopology): void {
  const classes = new Map<string, Finding>();
  const activations = new Map<string, Finding>();
  const note = (map: Map<string, Finding>, key: string, layer: string) => {
    const finding = map.get(key);
    if (finding) finding.count++;
    else map.set(key, { count: 1, firstLayer: layer });
  };

  const visitConfig = (layerName: string, config: Record<string, unknown>, options: OptionDeclarations) => {
    for (const key of activationOptions(options)) {
      const name = unsupportedActivation(config, key);
      if (name !== undefined) note(activations, name, layerName);
    }
    for (const cell of recurrentCells(config)) {
      const cellName = typeof cell.config.name === 'string' ? cell.config.name : `${layerName}'s cell`;
      if (!cellKind(cell.className)) note(classes, cell.className, cellName);
      else visitConfig(cellName, cell.config, CELL_OPTIONS);
    }
  };
  const visitLayer = (layer: Omit<LayerSpec, 'calls'>) => {
    if (layer.className === 'InputLayer') return;
    if (layer.model) return visitModel(layer.model);
    const definition = layerDefinition(layer.className);
    if (!definition) return note(classes, layer.className, layer.name);
    // A plugin reads its own options.
    if (isCustomLayer(layer.className)) return;
    visitConfig(layer.name, layer.config, definition.options);
    if (layer.wrapped?.layer) visitLayer(layer.wrapped.layer);
    if (layer.wrapped?.backwardLayer) visitLayer(layer.wrapped.backwardLayer);
  };
  const visitModel = (model: ModelTopology) => model.layers.forEach(visitLayer);
  visitModel(topology);

  if (classes.size === 0 && activations.size === 0) return;
  const describe = (map: Map<string, Finding>, noun: string, reasons: Readonly<Record<string, string>> = {}) =>
    [...map]
      .map(([name, { count, firstLayer }]) => {
        const reason = reasons[name] ? `: ${reasons[name]}` : '';
        return `${name} (${count} ${noun}${count === 1 ? '' : 's'}, first "${firstLayer}"${reason})`;
      })
      .join(', ');
  const parts = [
    classes.size > 0 ? `layer classes ${describe(classes, 'layer', unsupportedLayers)}` : '',
    activations.size > 0 ? `activations ${describe(activations, 'layer')}` : '',
  ].filter(Boolean);
  const activationList = activations.size > 0 ? `supported activations: ${supportedActivations.join(', ')}; ` : '';
  throw new UnconvertibleModelError(
    `the model uses ${parts.join(' and ')}, which the ONNX converter does not support; ${activationList}` +
      `the README lists the supported layers ("Supported Keras layers"); ${PLUGIN_HINT}`,
  );
}
