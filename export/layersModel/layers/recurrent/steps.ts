/** Time-axis plumbing shared by the recurrent layers and their wrappers. */
import type { LayerContext } from '../../layerContext.ts';
import { physicalAxis } from '../../../backend/graph/layout.ts';
import { unsqueeze } from '../../../backend/graph/ops.ts';
import type { TensorValue } from '../../../backend/graph/tensorValue.ts';

/** Slice's "before the first element" bound for a negative step. */
const BEFORE_START = -(2 ** 63);

/** The reversals made so far, so reversing a reversed sequence gives the original back (Bidirectional's backward pass). */
const reversalOf = new WeakMap<TensorValue, TensorValue>();

/** `value` with its time axis (logical axis 1) reversed, wherever that axis is stored. */
export function reverseSteps(ctx: LayerContext, value: TensorValue): TensorValue {
  const original = reversalOf.get(value);
  if (original) return original;
  const g = ctx.graph;
  const axis = physicalAxis(value.perm, 1);
  const reversed = g.node('Slice', [
    value.onnxName,
    g.int64Constant('starts', [-1]),
    g.int64Constant('ends', [BEFORE_START]),
    g.int64Constant('axes', [axis]),
    g.int64Constant('steps', [-1]),
  ]);
  const result = ctx.resultLike(value, reversed);
  reversalOf.set(result, value);
  return result;
}

/** A [batch, steps] mask as [steps, batch, 1], the per-step slices a Scan body multiplies with. */
export function timeMajorMask(ctx: LayerContext, mask: TensorValue): string {
  return unsqueeze(ctx, ctx.inLayout(mask, [1, 0]), [2]);
}

/** [batch, steps, features] stored time-major, as ONNX's recurrent ops and Scan read it. */
export const TIME_MAJOR = [1, 0, 2];
