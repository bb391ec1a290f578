/**
 * Keras class name → converter function. Each layer family (one module each) exports a table;
 * adding a layer means adding one function to its family's table.
 */
import type { LayerContext } from '../layerContext.ts';
import type { TensorValue } from '../../backend/graph/tensorValue.ts';

/** Converts one call of a layer: adds its nodes and returns its output tensors (most layers: one). */
export type LayerConverter = (ctx: LayerContext) => TensorValue | TensorValue[];

export type LayerConverterTable = Readonly<Record<string, LayerConverter>>;
