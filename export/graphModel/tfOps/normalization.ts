/**
 * FusedBatchNorm (V1–V3) in inference mode: a per-channel scale and shift, computed once from the
 * constant statistics and applied with Mul and Add in the input's own layout (so it stays inside
 * an NCHW run). Outputs 1–4 (batch statistics, reserved space) are the given statistics, as
 * TensorFlow returns them when is_training is false. LRN (local response normalization) is
 * ONNX LRN.
 */
import { attr } from '../../backend/graph/graphBuilder.ts';
import { constantTensor, type TfValue } from './constant.ts';
import type { TfOpContext } from './context.ts';
import { batchNormAffine } from './convolution.ts';
import { elementwiseNode } from './elementwise.ts';
import type { TfOpTable } from './registry.ts';

function convertFusedBatchNorm(ctx: TfOpContext): TfValue[] {
  ctx.requireInputs(5, true);
  if (ctx.attrs.bool('is_training', false))
    throw ctx.unsupported('is_training true (batch statistics) is not supported; export the model for inference');
  const x = ctx.input(0);
  const channelsLast = ctx.attrs.choice('data_format', ['NHWC', 'NCHW'], 'NHWC') === 'NHWC';
  const channels = channelsLast ? x.shape[x.shape.length - 1] : x.shape[1];
  if (channels === null) throw ctx.unsupported('needs an input with a known number of channels');
  const { scale, shift } = batchNormAffine(ctx, ctx.inputs.slice(1, 5), channels, ctx.attrs.float('epsilon', 1e-4));
  const broadcast = channelsLast ? [channels] : [channels, ...new Array<number>(x.shape.length - 2).fill(1)];
  const scaled = elementwiseNode(ctx, 'Mul', [x, constantTensor('float32', broadcast, scale)], 'float32');
  const y = elementwiseNode(ctx, 'Add', [scaled, constantTensor('float32', broadcast, shift)], 'float32');
  const [, , , mean, variance] = ctx.inputs;
  return [y, mean, variance, mean, variance, mean];
}

/**
 * LRN: TensorFlow sums squares over depth_radius channels either side, ONNX LRN over a window of
 * `size` channels and divides alpha by it, so size = 2·radius + 1 and alpha is scaled by size.
 * It runs channels-first, like a convolution, so it sits inside an NCHW run.
 */
function convertLRN(ctx: TfOpContext): TfValue {
  ctx.requireInputs(1);
  const x = ctx.input(0);
  ctx.requireRank(x, 4);
  const radius = ctx.attrs.int('depth_radius', 5);
  if (radius < 0) throw ctx.attrs.invalid('depth_radius', 'a non-negative integer');
  const size = 2 * radius + 1;
  const y = ctx.graph.node('LRN', [ctx.channelsFirst(x)], {
    size: attr.int(size),
    alpha: attr.float(ctx.attrs.float('alpha', 1) * size),
    beta: attr.float(ctx.attrs.float('beta', 0.5)),
    bias: attr.float(ctx.attrs.float('bias', 1)),
  });
  return ctx.channelsFirstResult(y, x.shape, x.dtype);
}

export const normalizationOps: TfOpTable = {
  FusedBatchNorm: convertFusedBatchNorm,
  FusedBatchNormV2: convertFusedBatchNorm,
  FusedBatchNormV3: convertFusedBatchNorm,
  LRN: convertLRN,
};
