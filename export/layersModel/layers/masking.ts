/**
 * Keras masks: which steps of a sequence are padding. Embedding(mask_zero) and Masking create a
 * mask, recurrent layers (and GlobalAveragePooling1D) apply it, and in between it follows Keras's
 * rules: layers that support masking pass their input's mask on, merge layers combine their
 * inputs' masks, every other layer drops it. A mask is a float32 tensor of the input's shape
 * without its last axis, 1 for a valid step and 0 for a masked one.
 */
import { attr } from '../../backend/graph/graphBuilder.ts';
import type { LayerContext, Mask } from '../layerContext.ts';
import { cast, reduce } from '../../backend/graph/ops.ts';
import type { TfjsElementType, TensorValue } from '../../backend/graph/tensorValue.ts';
import { InvalidInputError } from '../../../common/errors.ts';
import { defineLayer, option, type LayerDefinitionTable } from './definition.ts';

/** Layers Keras marks `supports_masking` that do not change the mask. */
const passingLayers = new Set([
  'Dense',
  'Activation',
  'Dropout',
  'SpatialDropout1D',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'ReLU',
  'LeakyReLU',
  'PReLU',
  'ELU',
  'ThresholdedReLU',
  'Softmax',
  'BatchNormalization',
  'LayerNormalization',
  'Rescaling',
  'TimeDistributed',
]);

/** Merge layers: the output is masked where any input is. */
const mergingLayers = new Set(['Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum']);

/** The output masks of a layer whose converter did not decide them. */
export function applyMaskRule(ctx: LayerContext, outputs: readonly TensorValue[]): Mask[] {
  const masks = ctx.inputMasks;
  if (masks.every((mask) => mask === undefined)) return [];
  const className = ctx.config.className;
  if (passingLayers.has(className)) return outputs.map(() => masks[0]);
  if (mergingLayers.has(className)) return [allValid(ctx, masks)];
  // Concatenate decides its mask itself (concatenatedMask), knowing its axis.
  return [];
}

/** A step is valid where every masked input says so (unmasked inputs count as valid everywhere). */
export function allValid(ctx: LayerContext, masks: readonly Mask[]): Mask {
  const present = masks.filter((mask): mask is TensorValue => mask !== undefined);
  if (present.length <= 1) return present[0];
  const g = ctx.graph;
  const product = present.slice(1).reduce((acc, mask) => g.node('Mul', [acc, ctx.logical(mask)]), ctx.logical(present[0]));
  return ctx.result(product, present[0].shape);
}

/**
 * Keras's Concatenate mask: joining features keeps the steps valid in all inputs; joining along
 * the time axis joins the masks (all-valid for unmasked inputs). `axis` is normalized.
 */
export function concatenatedMask(ctx: LayerContext, output: TensorValue, axis: number): Mask {
  const rank = output.shape.length;
  if (axis === rank - 1) return allValid(ctx, ctx.inputMasks);
  const g = ctx.graph;
  const parts = ctx.inputs.map((input, i) => {
    const mask = ctx.inputMasks[i];
    if (mask) return ctx.logical(mask);
    // All ones in the shape of the input without its last axis.
    const first = reduce(ctx, 'ReduceMax', g.node('Mul', [ctx.logical(input), g.scalar('zero', 0)]), [rank - 1], false);
    return g.node('Add', [first, g.scalar('one', 1)]);
  });
  return ctx.result(g.node('Concat', parts, { axis: attr.int(axis) }), output.shape.slice(0, -1));
}

/** 1 where `x` differs from `value` (exact comparison, as Keras and tfjs do), as float32. */
export function validWhereNot(ctx: LayerContext, x: string, value: number, dtype: TfjsElementType): string {
  if (dtype !== 'float32' && dtype !== 'int32')
    throw new InvalidInputError(`${ctx.config.label} compares numbers, but its input is ${dtype}`);
  const g = ctx.graph;
  const reference = dtype === 'int32' ? g.initializer('mask_value', [], 'int32', Int32Array.of(value)) : g.scalar('mask_value', value);
  return cast(g, g.node('Not', [g.node('Equal', [x, reference])]), 'float32');
}

/**
 * Masking(mask_value): a step whose features all equal mask_value is masked, and its features
 * become zeros (tfjs and Keras multiply the input by the mask).
 */
const convertMasking = defineLayer({ maskValue: option.number(0) }, (ctx, { maskValue }) => {
  const x = ctx.input();
  const rank = x.shape.length;
  const input = ctx.logical(x);
  const keep = reduce(ctx, 'ReduceMax', validWhereNot(ctx, input, maskValue, x.dtype), [rank - 1], true);
  const g = ctx.graph;
  const y = g.node('Mul', [input, x.dtype === 'int32' ? cast(g, keep, 'int32') : keep]);
  const mask = g.node('Squeeze', [keep, g.int64Constant('axes', [rank - 1])]);
  ctx.outputMasks = [ctx.result(mask, x.shape.slice(0, -1))];
  return ctx.result(y, x.shape, x.dtype);
});

export const maskingLayers: LayerDefinitionTable = {
  Masking: convertMasking,
};
