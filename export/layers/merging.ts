/**
 * Merge layers. Elementwise merges and Concatenate work in any layout as long as all inputs share
 * it, so inputs are brought to one common layout (usually they already are, e.g. the NCHW
 * branches of an Inception block) and the result keeps it.
 */
import { InvalidInputError } from '../../common/errors.ts';
import { attr } from '../graph/graphBuilder.ts';
import type { LayerContext } from '../graph/layerContext.ts';
import { normalizeAxis, physicalAxis, type Permutation } from '../graph/layout.ts';
import { formatShape, type Dim, type TensorValue } from '../graph/tensorValue.ts';
import type { LayerConverterTable } from './registry.ts';

/**
 * The layout to merge in: the one the most inputs already exist in (ties go to the first input's
 * own), so a residual Add of a block's input with its NCHW output reuses the input's NCHW copy
 * instead of transposing the block's output back.
 */
function commonLayout(inputs: readonly TensorValue[]): Permutation {
  const candidates = [inputs[0].perm.join(','), ...inputs.flatMap((input) => [...input.views.keys()])];
  let best = candidates[0];
  let bestCount = -1;
  for (const key of candidates) {
    const count = inputs.filter((input) => input.views.has(key)).length;
    if (count > bestCount) [best, bestCount] = [key, count];
  }
  return best.split(',').map(Number);
}

function inputsInCommonLayout(ctx: LayerContext, minimum: number): { names: string[]; perm: Permutation } {
  if (ctx.inputs.length < minimum) throw new InvalidInputError(`${ctx.config.label} needs at least ${minimum} inputs, got ${ctx.inputs.length}`);
  const first = ctx.inputs[0];
  for (const other of ctx.inputs) {
    if (other.shape.length !== first.shape.length) {
      throw new InvalidInputError(`${ctx.config.label}: inputs of different ranks ${formatShape(first.shape)} and ${formatShape(other.shape)} cannot be merged`);
    }
  }
  const perm = commonLayout(ctx.inputs);
  return { names: ctx.inputs.map((input) => ctx.inLayout(input, perm)), perm };
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
    const { names, perm } = inputsInCommonLayout(ctx, 2);
    const g = ctx.graph;
    const y = names.length > 2 && variadicOp ? g.node(variadicOp, names) : names.slice(1).reduce((acc, name) => g.node(binaryOp, [acc, name]), names[0]);
    return ctx.resultWithPerm(y, broadcastShape(ctx.inputs), perm);
  };
}

function convertSubtract(ctx: LayerContext): TensorValue {
  if (ctx.inputs.length !== 2) throw new InvalidInputError(`${ctx.config.label} needs exactly 2 inputs, got ${ctx.inputs.length}`);
  return elementwiseMerge('Sub')(ctx);
}

function convertAverage(ctx: LayerContext): TensorValue {
  const { names, perm } = inputsInCommonLayout(ctx, 2);
  return ctx.resultWithPerm(ctx.graph.node('Mean', names), broadcastShape(ctx.inputs), perm);
}

function convertConcatenate(ctx: LayerContext): TensorValue {
  const { names, perm } = inputsInCommonLayout(ctx, 2);
  const first = ctx.inputs[0];
  const rank = first.shape.length;
  const axis = normalizeAxis(ctx.config.int('axis', -1), rank);
  if (axis <= 0 || axis >= rank) throw ctx.config.invalid('axis', `an axis between 1 and ${rank - 1} (or negative)`);
  const sizes = ctx.inputs.map((input) => input.shape[axis]);
  const shape = first.shape.map((size, i) => (i === axis ? (sizes.some((s) => s === null) ? null : (sizes as number[]).reduce((a, b) => a + b, 0)) : size));
  const y = ctx.graph.node('Concat', names, { axis: attr.int(physicalAxis(perm, axis)) });
  return ctx.resultWithPerm(y, shape, perm);
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
