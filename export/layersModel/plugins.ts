/**
 * The plugin API: converters for Keras layer classes the converter does not know (a project's own
 * custom layers), in the same shape as the built-in ones: one function per class that receives a
 * LayerContext (the layer's typed config, its input tensors and masks, its weights, the graph) and
 * returns its output tensor(s). Import it as `tfjs-onnx-cli/plugins`; a plugin module registers its
 * converters when it is imported, by the API or by `tfjs-onnx convert --plugin <module>`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidOptionError, describeError } from '../../common/errors.ts';
import { registerCustomConverter } from './layers/index.ts';
import type { LayerConverter } from './layers/registry.ts';

export { attr } from '../backend/graph/graphBuilder.ts';
export type { AttributeValue, GraphBuilder } from '../backend/graph/graphBuilder.ts';
export type { DataFormat, LayerContext, Mask } from './layerContext.ts';
export type { Dim, TensorValue } from '../backend/graph/tensorValue.ts';
export type { LayerConfig } from './reader/layerConfig.ts';
export type { LayerConverter } from './layers/registry.ts';
export { UnconvertibleModelError } from '../errors.ts';

/**
 * Registers `converter` for layers of class `className` (the `class_name` in model.json, which is
 * the name a tfjs custom layer gives `tf.serialization.registerClass`). Returns a function that
 * unregisters it. Replacing a built-in converter needs `{ replaceBuiltIn: true }`.
 */
export function registerLayerConverter(
  className: string,
  converter: LayerConverter,
  options: { replaceBuiltIn?: boolean } = {},
): () => void {
  return registerCustomConverter(className, converter, options);
}

/**
 * Imports plugin modules (files, resolved against `baseDirectory`, or package names); each
 * registers its converters as it loads. A module imported twice runs once.
 */
export async function loadPlugins(specifiers: readonly string[], baseDirectory = process.cwd()): Promise<void> {
  for (const specifier of specifiers) {
    if (typeof specifier !== 'string' || specifier.trim() === '')
      throw new InvalidOptionError('a plugin must be named by a module path or package name');
    // `my-layers.js` is the file when there is one; otherwise the name of an installed package.
    const file = path.resolve(baseDirectory, specifier);
    const isPath = specifier.startsWith('.') || path.isAbsolute(specifier) || existsSync(file);
    const url = isPath ? pathToFileURL(file).href : specifier;
    try {
      await import(url);
    } catch (error) {
      throw new InvalidOptionError(`plugin ${specifier} could not be loaded: ${describeError(error)}`, { cause: error });
    }
  }
}
