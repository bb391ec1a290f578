/**
 * Keras class name → layer definition (definition.ts: its options and its converter). Each layer
 * family (one module each) exports a table; adding a layer means adding one definition to its
 * family's table. Plugins register plain converter functions, which read their own options.
 */
import type { LayerContext } from '../layerContext.ts';
import type { TensorValue } from '../../backend/graph/tensorValue.ts';

/** Converts one call of a layer: adds its nodes and returns its output tensors (most layers: one). */
export type LayerConverter = (ctx: LayerContext) => TensorValue | TensorValue[];

export type { LayerDefinition, LayerDefinitionTable } from './definition.ts';
