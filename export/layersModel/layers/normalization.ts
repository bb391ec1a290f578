/** BatchNormalization (inference: moving statistics) and LayerNormalization. */
import { InvalidInputError } from '../../../common/errors.ts';
import { attr } from '../../backend/graph/graphBuilder.ts';
import type { LayerContext } from '../layerContext.ts';
import { identityPermutation, normalizeAxis, physicalAxis } from '../../backend/graph/layout.ts';
import { reduce } from '../../backend/graph/ops.ts';
import type { TensorValue } from '../../backend/graph/tensorValue.ts';
import { defineLayer, option, singleAxis, type LayerArgs, type LayerDefinitionTable } from './definition.ts';

/**
 * When the normalized axis is stored at position 1 (channels of an NCHW run, or features of a
 * 2-d tensor) this is ONNX BatchNormalization, which runtimes fuse into a preceding Conv.
 * Elsewhere it is the equivalent per-channel x·a + b with the constants folded at conversion.
 */
const batchNormalizationOptions = {
  axis: singleAxis('normalizing several axes at once'),
  epsilon: option.number(1e-3),
  center: option.bool(true),
  scale: option.bool(true),
};

function convertBatchNormalization(
  ctx: LayerContext,
  { axis: axes, epsilon, center, scale }: LayerArgs<typeof batchNormalizationOptions>,
): TensorValue {
  const x = ctx.input();
  const axis = normalizeAxis(axes[0], x.shape.length);
  const channels = x.shape[axis];
  if (channels === null || channels === undefined) throw new InvalidInputError(`${ctx.config.label} needs a known size on axis ${axes[0]}`);
  // Keras creates the variables in this order, which matters for index-named (Keras 3) weights.
  const gamma = scale ? ctx.floatWeight('gamma', [channels]).values : new Float32Array(channels).fill(1);
  const beta = center ? ctx.floatWeight('beta', [channels]).values : new Float32Array(channels);
  const mean = ctx.floatWeight('moving_mean', [channels]).values;
  const variance = ctx.floatWeight('moving_variance', [channels]).values;

  const g = ctx.graph;
  const storedAxis = physicalAxis(x.perm, axis);
  if (storedAxis === 1) {
    const inputs = [x.onnxName, g.floatConstant('gamma', [channels], gamma), g.floatConstant('beta', [channels], beta)];
    inputs.push(g.floatConstant('moving_mean', [channels], mean), g.floatConstant('moving_variance', [channels], variance));
    return ctx.resultLike(x, g.node('BatchNormalization', inputs, { epsilon: attr.float(epsilon) }));
  }
  const multiplier = gamma.map((gi, i) => gi / Math.sqrt(variance[i] + epsilon));
  const offset = beta.map((bi, i) => bi - mean[i] * multiplier[i]);
  const broadcastShape = x.shape.map((_, i) => (i === storedAxis ? channels : 1));
  const scaled = g.node('Mul', [x.onnxName, g.floatConstant('multiplier', broadcastShape, multiplier)]);
  return ctx.resultLike(x, g.node('Add', [scaled, g.floatConstant('offset', broadcastShape, offset)]));
}

/**
 * (x − mean) / √(variance + ε) · γ + β over the given axes. From opset 17, axes that are stored
 * last map to the single LayerNormalization op; otherwise the same math in nodes.
 */
const layerNormalizationOptions = {
  axis: option.axes(-1),
  epsilon: option.number(1e-3),
  center: option.bool(true),
  scale: option.bool(true),
  // Keras 3's RMS variant divides by the root mean square without centering: different math.
  rmsScaling: option.refusing(option.bool(false), (value) => !value, {
    values: 'set to true',
    reason: 'not converted yet',
    supported: [false],
  }),
};

function convertLayerNormalization(
  ctx: LayerContext,
  { axis, epsilon, center, scale }: LayerArgs<typeof layerNormalizationOptions>,
): TensorValue {
  const x = ctx.input();
  const rank = x.shape.length;
  const axes = [...new Set(axis.map((a) => normalizeAxis(a, rank)))].sort((a, b) => a - b);
  if (axes.some((a) => a <= 0 || a >= rank)) throw ctx.config.invalid('axis', `axes between 1 and ${rank - 1}`);
  const paramShape = axes.map((a) => x.shape[a]);
  if (paramShape.some((size) => size === null)) throw new InvalidInputError(`${ctx.config.label} needs known sizes on the normalized axes`);
  const size = (paramShape as number[]).reduce((p, s) => p * s, 1);
  const gamma = scale ? ctx.floatWeight('gamma', paramShape).values : undefined;
  const beta = center ? ctx.floatWeight('beta', paramShape).values : undefined;

  // Work in the stored layout when it keeps the normalized axes in Keras order (so γ and β need
  // no reordering), e.g. channels of an NCHW run; otherwise in the Keras layout.
  const storedAxes = axes.map((a) => physicalAxis(x.perm, a));
  const perm = storedAxes.every((a, i) => i === 0 || a > storedAxes[i - 1]) ? x.perm : identityPermutation(rank);
  const workAxes = axes.map((a) => perm.indexOf(a));
  const g = ctx.graph;
  const input = ctx.inLayout(x, perm);
  const trailing = workAxes.every((a, i) => a === rank - axes.length + i);
  if (ctx.opset >= 17 && trailing) {
    const inputs = [input, g.floatConstant('gamma', paramShape as number[], gamma ?? new Float32Array(size).fill(1))];
    if (beta) inputs.push(g.floatConstant('beta', paramShape as number[], beta));
    const y = g.node('LayerNormalization', inputs, { axis: attr.int(workAxes[0]), epsilon: attr.float(epsilon) });
    return ctx.resultWithPerm(y, x.shape, perm);
  }
  const mean = reduce(ctx, 'ReduceMean', input, workAxes, true);
  const centered = g.node('Sub', [input, mean]);
  const variance = reduce(ctx, 'ReduceMean', g.node('Mul', [centered, centered]), workAxes, true);
  let y = g.node('Div', [centered, g.node('Sqrt', [g.node('Add', [variance, g.scalar('epsilon', epsilon)])])]);
  const broadcastShape = perm.map((axis, stored) => (workAxes.includes(stored) ? (x.shape[axis] as number) : 1));
  if (gamma) y = g.node('Mul', [y, g.floatConstant('gamma', broadcastShape, gamma)]);
  if (beta) y = g.node('Add', [y, g.floatConstant('beta', broadcastShape, beta)]);
  return ctx.resultWithPerm(y, x.shape, perm);
}

export const normalizationLayers: LayerDefinitionTable = {
  BatchNormalization: defineLayer(batchNormalizationOptions, convertBatchNormalization),
  LayerNormalization: defineLayer(layerNormalizationOptions, convertLayerNormalization),
};
