/** Node patterns whose ONNX spelling depends on the opset, kept in one place. */
import { elementTypeCode } from '../onnx/dataTypes.ts';
import { attr, type ElementType, type GraphBuilder } from './graphBuilder.ts';

/** What the opset-dependent patterns need from a converter's context (Layers' or TF ops'). */
interface OpsetContext {
  graph: GraphBuilder;
  opset: number;
}

/**
 * ReduceMean/ReduceMax/...: `axes` is an attribute up to opset 17 and an input from 18
 * (ReduceSum switched earlier, at 13).
 */
export function reduce(
  ctx: OpsetContext,
  opType: 'ReduceMean' | 'ReduceMax' | 'ReduceMin' | 'ReduceProd' | 'ReduceSum',
  input: string,
  axes: number[],
  keepDims: boolean,
): string {
  const axesAsInput = opType === 'ReduceSum' ? ctx.opset >= 13 : ctx.opset >= 18;
  const keepdims = attr.int(keepDims ? 1 : 0);
  if (axesAsInput) return ctx.graph.node(opType, [input, ctx.graph.int64Constant('axes', axes)], { keepdims });
  return ctx.graph.node(opType, [input], { axes: attr.ints(axes), keepdims });
}

/** Unsqueeze: axes are an input from opset 13, the lowest we emit. */
export function unsqueeze(ctx: OpsetContext, input: string, axes: number[]): string {
  return ctx.graph.node('Unsqueeze', [input, ctx.graph.int64Constant('axes', axes)]);
}

/** Cast to an element type (its TensorProto.DataType code in `to`). */
export function cast(graph: GraphBuilder, input: string, to: ElementType): string {
  return graph.node('Cast', [input], { to: attr.int(elementTypeCode(to)) });
}
