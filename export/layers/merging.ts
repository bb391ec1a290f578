/**
 * Merge layers. Elementwise merges and Concatenate work in any layout as long as all inputs share
 * it, so inputs are brought to the first input's layout (usually they already are, e.g. the two
 * NCHW branches of a residual block) and the result keeps it.
 */
import { InvalidInputError } from '../../common/errors.ts';
import { attr } from '../graph/graphBuilder.ts';
import type { LayerContext } from '../graph/layerContext.ts';
import { normalizeAxis, physicalAxis } from '../graph/layout.ts';
import { formatShape, type Dim, type TensorValue } from '../graph/tensorValue.ts';
import type { LayerConverterTable } from './registry.ts';

function inputsInFirstLayout(ctx: LayerContext, minimum: number): string[] {
  if (ctx.inputs.length < minimum) throw new InvalidInputError(`${ctx.config.label} needs at least ${minimum} inputs, got ${ctx.inputs.length}`);
  const first = ctx.inputs[0];
  for (const other of ctx.inputs) {
    if (other.shape.length !== first.shape.length) {
      throw new InvalidInputError(`${ctx.config.label}: inputs of different ranks ${formatShape(first.shape)} and ${formatShape(other.shape)} cannot be merged`);
    }
  }
  return ctx.inputs.map((input) => ctx.inLayout(input, first.perm));
}

/** Keras broadcasts size-1 axes; the merged shape takes the larger known size per axis. */
function broadcastShape(inputs: readonly TensorValue[]): Dim[] {
  return inputs[0].shape.map((_, axis) => {
    const sizes = inputs.map((input) => input.shape[axis]);
    if (sizes.some((s) => s === null)) return sizes.find((s) => s !== null && s !== 1) ?? null;
    return Math.max(...(sizes as number[]));
  });
}

/** Folds binary ops left to right (Add/Mul), or uses ONNX's variadic form (Sum/Max/Min/Mean). */
function elementwiseMerge(binaryOp: string, variadicOp?: string) {
  return (ctx: LayerContext): TensorValue => {
    const names = inputsInFirstLayout(ctx, 2);
    const g = ctx.graph;
    const y = names.length > 2 && variadicOp ? g.node(variadicOp, names) : names.slice(1).reduce((acc, name) => g.node(binaryOp, [acc, name]), names[0]);
    return ctx.resultLike(ctx.inputs[0], y, broadcastShape(ctx.inputs));
  };
}

function convertSubtract(ctx: LayerContext): TensorValue {
  if (ctx.inputs.length !== 2) throw new InvalidInputError(`${ctx.config.label} needs exactly 2 inputs, got ${ctx.inputs.length}`);
  return elementwiseMerge('Sub')(ctx);
}

function convertAverage(ctx: LayerContext): TensorValue {
  const names = inputsInFirstLayout(ctx, 2);
  return ctx.resultLike(ctx.inputs[0], ctx.graph.node('Mean', names), broadcastShape(ctx.inputs));
}

function convertConcatenate(ctx: LayerContext): TensorValue {
  const names = inputsInFirstLayout(ctx, 2);
  const first = ctx.inputs[0];
  const rank = first.shape.length;
  const axis = normalizeAxis(ctx.config.int('axis', -1), rank);
  if (axis <= 0 || axis >= rank) throw ctx.config.invalid('axis', `an axis between 1 and ${rank - 1} (or negative)`);
  const sizes = ctx.inputs.map((input) => input.shape[axis]);
  const shape = first.shape.map((size, i) => (i === axis ? (sizes.some((s) => s === null) ? null : (sizes as number[]).reduce((a, b) => a + b, 0)) : size));
  const y = ctx.graph.node('Concat', names, { axis: attr.int(physicalAxis(first.perm, axis)) });
  return ctx.resultLike(first, y, shape);
}

export const mergingLayers: LayerConverterTable = {
  Add: elementwiseMerge('Add', 'Sum'),
  Subtract: convertSubtract,
  Multiply: elementwiseMerge('Mul'),
  Average: convertAverage,
  Maximum: elementwiseMerge('Max', 'Max'),
  Minimum: elementwiseMerge('Min', 'Min'),
  Concatenate: convertConcatenate,
};
