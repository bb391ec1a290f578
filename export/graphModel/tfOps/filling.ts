/**
 * Tensors made from a value or a formula: Fill, ZerosLike, OnesLike, Range and LinSpace. Small
 * ones whose sizes are known are folded into constants; the rest are computed by ONNX (Expand,
 * Range) rather than stored.
 */
import { tensorValue, type TensorValue } from '../../backend/graph/tensorValue.ts';
import {
  MAX_FOLDED_ELEMENTS,
  constantTensor,
  elementCount,
  isConstant,
  numbers,
  range,
  scalarConstant,
  type ConstantTensor,
  type TfValue,
} from './constant.ts';
import type { TfOpContext } from './context.ts';
import type { TfOpTable } from './registry.ts';
import { shapeInput } from './shapes.ts';

function convertFill(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2);
  const { dims, onnxName } = shapeInput(ctx, 0, 'dims');
  const value = ctx.input(1);
  if (isConstant(value) && dims.every((d) => d !== null) && elementCount(dims as number[]) <= MAX_FOLDED_ELEMENTS) {
    return constantTensor(
      value.dtype,
      dims as number[],
      new Array(elementCount(dims as number[])).fill((value.values as ArrayLike<number>)[0]),
    );
  }
  return ctx.result(ctx.graph.node('Expand', [ctx.logical(value), onnxName()]), dims, value.dtype);
}

function filledLike(ctx: TfOpContext, fill: number): TfValue {
  ctx.requireInputs(1);
  const x = ctx.input(0);
  if (x.shape.every((size) => size !== null) && elementCount(x.shape as number[]) <= MAX_FOLDED_ELEMENTS) {
    return constantTensor(x.dtype, x.shape as number[], new Array(elementCount(x.shape as number[])).fill(fill));
  }
  // Expand to the stored shape, so the result keeps x's layout.
  const value = x as TensorValue;
  const y = ctx.graph.node('Expand', [ctx.onnx(scalarConstant(x.dtype, fill), []), ctx.graph.node('Shape', [value.onnxName])]);
  return tensorValue(y, x.shape, value.perm, x.dtype);
}

function convertRange(ctx: TfOpContext): TfValue {
  ctx.requireInputs(3);
  const dtype = ctx.attrs.dtype('Tidx', ctx.input(0).dtype);
  if (ctx.inputs.every(isConstant)) {
    const [start, limit, delta] = ctx.inputs.map((input) => numbers(input as ConstantTensor)[0]);
    if (delta === 0) throw ctx.invalid('its delta is 0');
    const count = Math.max(0, Math.ceil((limit - start) / delta));
    return constantTensor(dtype, [count], range(count, start, delta));
  }
  const [start, limit, delta] = ctx.inputs.map((input) => ctx.logical(input));
  return ctx.result(ctx.graph.node('Range', [start, limit, delta]), [null], dtype);
}

/** LinSpace(start, stop, num): num evenly spaced values from start to stop, start + i·(stop − start)/(num − 1). */
function convertLinSpace(ctx: TfOpContext): TfValue {
  ctx.requireInputs(3);
  const [start, stop] = ctx.inputs;
  const count = ctx.int(2, 'num');
  if (count < 1) throw ctx.invalid(`its num ${count} must be at least 1`);
  if (start.shape.length !== 0 || stop.shape.length !== 0) throw ctx.invalid('its start and stop must be scalars');
  if (isConstant(start) && isConstant(stop)) {
    const [a, b] = [numbers(start)[0], numbers(stop)[0]];
    return constantTensor(
      'float32',
      [count],
      range(count).map((i) => (count === 1 ? a : a + (i * (b - a)) / (count - 1))),
    );
  }
  const g = ctx.graph;
  const first = ctx.logical(start);
  const step = g.node('Div', [g.node('Sub', [ctx.logical(stop), first]), g.scalar('intervals', Math.max(count - 1, 1))]);
  const y = g.node('Add', [first, g.node('Mul', [g.floatConstant('steps', [count], range(count)), step])]);
  return ctx.result(y, [count], 'float32');
}

export const fillingOps: TfOpTable = {
  Fill: convertFill,
  Range: convertRange,
  LinSpace: convertLinSpace,
  ZerosLike: (ctx) => filledLike(ctx, 0),
  OnesLike: (ctx) => filledLike(ctx, 1),
};
