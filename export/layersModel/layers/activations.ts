/** Activation layers with their own options: ReLU, LeakyReLU, PReLU, ELU, ThresholdedReLU, Softmax. */
import { InvalidInputError } from '../../../common/errors.ts';
import { attr } from '../../backend/graph/graphBuilder.ts';
import type { LayerContext } from '../layerContext.ts';
import { normalizeAxis, physicalAxis, transposeData } from '../../backend/graph/layout.ts';
import type { TensorValue } from '../../backend/graph/tensorValue.ts';
import { defineLayer, option, singleAxis, type LayerArgs, type LayerDefinitionTable } from './definition.ts';

/**
 * Keras ReLU: x for threshold ≤ x, negative_slope·(x − threshold) below it, capped at max_value.
 * (tfjs's ReLU only has max_value; Keras configs may carry all three.)
 */
const reluOptions = { maxValue: option.optionalNumber(), negativeSlope: option.number(0), threshold: option.number(0) };

function convertReLU(ctx: LayerContext, { maxValue, negativeSlope, threshold }: LayerArgs<typeof reluOptions>): TensorValue {
  const x = ctx.input();
  const g = ctx.graph;
  if (threshold === 0 && negativeSlope === 0) {
    // tfjs's own ReLU: relu, then clip to [0, max_value].
    const y =
      maxValue === undefined ? g.node('Relu', [x.onnxName]) : g.node('Clip', [x.onnxName, g.scalar('min', 0), g.scalar('max', maxValue)]);
    return ctx.resultLike(x, y);
  }
  let y: string;
  if (threshold === 0) {
    y = g.node('LeakyRelu', [x.onnxName], { alpha: attr.float(negativeSlope) });
  } else {
    const thresholdName = g.scalar('threshold', threshold);
    const below = g.node('Less', [x.onnxName, thresholdName]);
    const scaled = g.node('Mul', [g.node('Sub', [x.onnxName, thresholdName]), g.scalar('negative_slope', negativeSlope)]);
    y = g.node('Where', [below, scaled, x.onnxName]);
  }
  if (maxValue !== undefined) y = g.node('Min', [y, g.scalar('max', maxValue)]);
  return ctx.resultLike(x, y);
}

// tfjs and Keras 2 call the slope `alpha`, Keras 3 `negative_slope`; both default to 0.3.
const leakyReluOptions = { negativeSlope: option.optionalNumber(), alpha: option.number(0.3) };

function convertLeakyReLU(ctx: LayerContext, args: LayerArgs<typeof leakyReluOptions>): TensorValue {
  const x = ctx.input();
  const slope = args.negativeSlope ?? args.alpha;
  return ctx.resultLike(x, ctx.graph.node('LeakyRelu', [x.onnxName], { alpha: attr.float(slope) }));
}

/**
 * PReLU's learned slope has the input's shape without the batch axis (1 on shared axes). ONNX
 * PRelu broadcasts the slope against the stored tensor, so the slope is stored in the same layout.
 */
const preluOptions = { sharedAxes: option.optionalAxes() };

function convertPReLU(ctx: LayerContext, args: LayerArgs<typeof preluOptions>): TensorValue {
  const x = ctx.input();
  const sharedAxes = args.sharedAxes ?? [];
  const slopeShape = x.shape.slice(1).map((size, i) => (sharedAxes.includes(i + 1) ? 1 : size));
  if (slopeShape.some((size) => size === null)) {
    throw new InvalidInputError(
      `${ctx.config.label} needs known sizes on every non-shared axis, got input shape ${JSON.stringify(x.shape)}`,
    );
  }
  const alpha = ctx.floatWeight('alpha', slopeShape);
  const stored = transposeData(alpha.values, [1, ...(slopeShape as number[])], x.perm);
  const slope = ctx.graph.floatConstant('alpha', stored.shape, stored.values);
  return ctx.resultLike(x, ctx.graph.node('PRelu', [x.onnxName, slope]));
}

const convertELU = defineLayer({ alpha: option.number(1) }, (ctx, { alpha }) => {
  const x = ctx.input();
  return ctx.resultLike(x, ctx.graph.node('Elu', [x.onnxName], { alpha: attr.float(alpha) }));
});

const convertThresholdedReLU = defineLayer({ theta: option.number(1) }, (ctx, { theta }) => {
  const x = ctx.input();
  return ctx.resultLike(x, ctx.graph.node('ThresholdedRelu', [x.onnxName], { alpha: attr.float(theta) }));
});

/** Softmax over one Keras axis (default the last), found wherever that axis is stored. */
const convertSoftmax = defineLayer({ axis: singleAxis('softmax over several axes at once') }, (ctx, { axis }) => {
  const x = ctx.input();
  const stored = physicalAxis(x.perm, normalizeAxis(axis[0], x.shape.length));
  return ctx.resultLike(x, ctx.graph.node('Softmax', [x.onnxName], { axis: attr.int(stored) }));
});

export const activationLayers: LayerDefinitionTable = {
  ReLU: defineLayer(reluOptions, convertReLU),
  LeakyReLU: defineLayer(leakyReluOptions, convertLeakyReLU),
  PReLU: defineLayer(preluOptions, convertPReLU),
  ELU: convertELU,
  ThresholdedReLU: convertThresholdedReLU,
  Softmax: convertSoftmax,
};
