/**
 * Merge layers. Elementwise merges and Concatenate work in any layout as long as all inputs share
 * it, so inputs are brought to one common layout (usually they already are, e.g. the NCHW
 * branches of an Inception block) and the result keeps it.
 */
import { InvalidInputError } from '../../../common/errors.ts';
import { attr } from '../../backend/graph/graphBuilder.ts';
import type { LayerContext } from '../layerContext.ts';
import { normalizeAxis, physicalAxis, type Permutation } from '../../backend/graph/layout.ts';
import { reduce, unsqueeze } from '../../backend/graph/ops.ts';
import { formatShape, type Dim, type TensorValue } from '../../backend/graph/tensorValue.ts';
import { defineLayer, option, type LayerArgs, type LayerDefinitionTable } from './definition.ts';
import { concatenatedMask } from './masking.ts';

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
  if (ctx.inputs.length < minimum)
    throw new InvalidInputError(`${ctx.config.label} needs at least ${minimum} inputs, got ${ctx.inputs.length}`);
  const first = ctx.inputs[0];
  for (const other of ctx.inputs) {
    if (other.shape.length !== first.shape.length) {
      throw new InvalidInputError(
        `${ctx.config.label}: inputs of different ranks ${formatShape(first.shape)} and ${formatShape(other.shape)} cannot be merged`,
      );
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
    const y =
      names.length > 2 && variadicOp
        ? g.node(variadicOp, names)
        : names.slice(1).reduce((acc, name) => g.node(binaryOp, [acc, name]), names[0]);
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

const convertConcatenate = defineLayer({ axis: option.int(-1) }, (ctx, args) => {
  const { names, perm } = inputsInCommonLayout(ctx, 2);
  const first = ctx.inputs[0];
  const rank = first.shape.length;
  const axis = normalizeAxis(args.axis, rank);
  if (axis <= 0 || axis >= rank) throw ctx.config.invalid('axis', `an axis between 1 and ${rank - 1} (or negative)`);
  const sizes = ctx.inputs.map((input) => input.shape[axis]);
  const shape = first.shape.map((size, i) =>
    i === axis ? (sizes.some((s) => s === null) ? null : (sizes as number[]).reduce((a, b) => a + b, 0)) : size,
  );
  const y = ctx.resultWithPerm(ctx.graph.node('Concat', names, { axis: attr.int(physicalAxis(perm, axis)) }), shape, perm);
  if (ctx.inputMasks.some((mask) => mask !== undefined)) ctx.outputMasks = [concatenatedMask(ctx, y, axis)];
  return y;
});

/** Letters for Einsum subscripts: b is the batch axis, the rest are handed out per axis. */
const SUBSCRIPTS = 'acdefghijklmnopqrstuvwxyz';

/**
 * Dot(axes, normalize): Keras's batch_dot, contracting axis axes[0] of the first input with axis
 * axes[1] of the second, sample by sample; the result has the first input's other axes, then the
 * second's, and a rank-1 result becomes [batch, 1]. With normalize, each input is first divided
 * by its L2 norm along its axis, as x / √max(Σx², ε) with the writer's ε (tfjs 1e-7, Keras 1e-12).
 */
const dotOptions = {
  axes: option.custom((config, key) => {
    const raw = config.raw(key);
    const pair = typeof raw === 'number' ? [raw, raw] : raw;
    if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((axis) => Number.isInteger(axis)))
      throw config.invalid(key, 'an axis or a pair of axes');
    return pair as [number, number];
  }),
  normalize: option.bool(false),
};

function convertDot(ctx: LayerContext, { axes: pair, normalize }: LayerArgs<typeof dotOptions>): TensorValue {
  if (ctx.inputs.length !== 2) throw new InvalidInputError(`${ctx.config.label} needs exactly 2 inputs, got ${ctx.inputs.length}`);
  const [x, y] = ctx.inputs;
  const axes = [normalizeAxis(pair[0], x.shape.length), normalizeAxis(pair[1], y.shape.length)];
  if (axes.some((axis, i) => axis <= 0 || axis >= ctx.inputs[i].shape.length))
    throw ctx.config.invalid('axes', 'non-batch axes of the two inputs');
  const [xSize, ySize] = [x.shape[axes[0]], y.shape[axes[1]]];
  if (xSize !== null && ySize !== null && xSize !== ySize) {
    throw new InvalidInputError(
      `${ctx.config.label}: axis ${axes[0]} of ${formatShape(x.shape)} and axis ${axes[1]} of ${formatShape(y.shape)} differ in size`,
    );
  }
  const g = ctx.graph;
  const epsilon = ctx.producer.framework === 'tfjs' ? 1e-7 : 1e-12;
  const prepared = [x, y].map((input, i) => {
    const name = ctx.logical(input);
    if (!normalize) return name;
    const squares = reduce(ctx, 'ReduceSum', g.node('Mul', [name, name]), [axes[i]], true);
    return g.node('Div', [name, g.node('Sqrt', [g.node('Max', [squares, g.scalar('epsilon', epsilon)])])]);
  });
  // Subscripts: shared batch 'b', shared contracted letter, distinct letters elsewhere.
  let next = 1;
  const letters = (rank: number, contracted: number) =>
    Array.from({ length: rank }, (_, axis) => (axis === 0 ? 'b' : axis === contracted ? SUBSCRIPTS[0] : SUBSCRIPTS[next++])).join('');
  const xLetters = letters(x.shape.length, axes[0]);
  const yLetters = letters(y.shape.length, axes[1]);
  const kept = (subscripts: string) => subscripts.slice(1).replace(SUBSCRIPTS[0], '');
  const equation = `${xLetters},${yLetters}->b${kept(xLetters)}${kept(yLetters)}`;
  let result = g.node('Einsum', prepared, { equation: attr.string(equation) });
  const shape = [
    x.shape[0],
    ...x.shape.filter((_, axis) => axis !== 0 && axis !== axes[0]),
    ...y.shape.filter((_, axis) => axis !== 0 && axis !== axes[1]),
  ];
  if (shape.length === 1) {
    result = unsqueeze(ctx, result, [1]);
    shape.push(1);
  }
  ctx.outputMasks = [];
  return ctx.result(result, shape);
}

export const mergingLayers: LayerDefinitionTable = {
  Add: defineLayer({}, elementwiseMerge('Add', 'Sum')),
  Subtract: defineLayer({}, convertSubtract),
  Multiply: defineLayer({}, elementwiseMerge('Mul')),
  Average: defineLayer({}, convertAverage),
  Maximum: defineLayer({}, elementwiseMerge('Max', 'Max')),
  Minimum: defineLayer({}, elementwiseMerge('Min', 'Min')),
  Concatenate: convertConcatenate,
  Dot: defineLayer(dotOptions, convertDot),
};
