/**
 * The values Loop bodies and If branches take and give, shared by whileLoop.ts and ifElse.ts: a
 * kind (tensor, stacked list, sequence) with the sizes known so far, widened until every round of
 * the loop agrees, and the subgraph outputs that carry them.
 */
import { attr, type GraphValueInfo } from '../../backend/graph/graphBuilder.ts';
import { formatShape, tensorValue, type Dim, type TfjsElementType } from '../../backend/graph/tensorValue.ts';
import type { TfValue } from '../tfOps/constant.ts';
import type { TfOpContext } from '../tfOps/context.ts';
import { asSequence, isList, mergeElementShapes, sequenceList, tensorList, type ListValue } from './lists.ts';

export interface CarriedValue {
  kind: 'tensor' | 'tensorList' | 'sequence';
  dtype: TfjsElementType;
  /** Sizes of the tensor (or stacked list); for a sequence, of its elements (undefined: unknown rank). */
  shape: readonly Dim[] | undefined;
}

export function carriedValueOf(ctx: TfOpContext, value: TfValue, what: string): CarriedValue {
  if (!isList(value)) return { kind: 'tensor', dtype: value.dtype, shape: [...value.shape] };
  const { form, elementDtype, elementShape } = value.list;
  if (form === 'tensor') return { kind: 'tensorList', dtype: elementDtype, shape: [...value.shape] };
  if (form === 'sequence') return { kind: 'sequence', dtype: elementDtype, shape: elementShape };
  throw ctx.unsupported(
    `${what} is a ${form === 'handle' ? 'TensorArray handle that changes' : 'list filled once per iteration that is also read'}, which ONNX cannot carry`,
  );
}

/** The least general kind and shape covering both (a stacked list meeting a sequence becomes a sequence). */
export function widen(ctx: TfOpContext, a: CarriedValue, b: CarriedValue, what: string): CarriedValue {
  if ((a.kind === 'tensor') !== (b.kind === 'tensor')) throw ctx.unsupported(`${what} is a tensor on one path and a list on another`);
  if (a.dtype !== b.dtype) throw ctx.unsupported(`${what} is ${a.dtype} on one path and ${b.dtype} on another`);
  if (a.kind === 'tensor') {
    if (a.shape!.length !== b.shape!.length)
      throw ctx.unsupported(
        `${what} has shape ${formatShape(a.shape!)} on one path and ${formatShape(b.shape!)} on another; ONNX needs one rank`,
      );
    return { ...a, shape: mergeElementShapes(a.shape, b.shape) };
  }
  if (a.kind === 'tensorList' && b.kind === 'tensorList' && a.shape!.length === b.shape!.length)
    return { ...a, shape: mergeElementShapes(a.shape, b.shape) };
  const elements = (value: CarriedValue) => (value.kind === 'sequence' ? value.shape : value.shape!.slice(1));
  return { kind: 'sequence', dtype: a.dtype, shape: mergeElementShapes(elements(a), elements(b)) };
}

export function sameCarried(a: CarriedValue, b: CarriedValue): boolean {
  return a.kind === b.kind && a.dtype === b.dtype && JSON.stringify(a.shape) === JSON.stringify(b.shape);
}

/** The value a subgraph input (or a Loop/If output) of this kind holds. */
export function carriedValue(name: string, carried: CarriedValue): TfValue {
  if (carried.kind === 'sequence') return sequenceList(name, carried.dtype, carried.shape);
  if (carried.kind === 'tensorList') return tensorList(name, carried.shape!, carried.dtype);
  return tensorValue(name, carried.shape!, undefined, carried.dtype);
}

export function carriedInfo(name: string, carried: CarriedValue): GraphValueInfo {
  if (carried.kind === 'sequence') return { name, elementType: carried.dtype, shape: [], sequence: true };
  return { name, elementType: carried.dtype, shape: [...carried.shape!] };
}

/** The ONNX name holding `value` as that kind, in ctx's graph (a stacked list becomes a sequence if need be). */
export function carriedName(ctx: TfOpContext, value: TfValue, carried: CarriedValue): string {
  if (carried.kind === 'sequence') return asSequence(ctx, value as ListValue).onnxName;
  return ctx.logical(value);
}

/**
 * Names for a subgraph's outputs: each must be made inside the subgraph and name one output
 * only, so anything else (a captured value, a constant, a repeat) goes through an Identity.
 */
export class SubgraphOutputs {
  private readonly used = new Set<string>();

  constructor(private readonly ctx: TfOpContext) {}

  add(value: TfValue, carried: CarriedValue): GraphValueInfo {
    const name = carriedName(this.ctx, value, carried);
    const graph = this.ctx.graph;
    const produced = graph.nodes.some((node) => node.outputs.includes(name));
    let output = name;
    if (!produced || this.used.has(name)) {
      if (carried.kind === 'sequence' && this.ctx.opset < 14)
        throw this.ctx.unsupported('passing a sequence through a subgraph unchanged needs opset 14 or later (Identity of sequences)');
      output = graph.node('Identity', [name]);
    }
    this.used.add(output);
    const info = carriedInfo(output, carried);
    graph.outputs.push(info);
    return info;
  }
}

/** A bool scalar from a TF condition (tfjs takes the first element, nonzero meaning true). */
export function conditionScalar(ctx: TfOpContext, value: TfValue): string {
  const g = ctx.graph;
  let name = ctx.logical(value);
  if (value.dtype !== 'bool') name = ctx.cast(name, 'bool');
  if (value.shape.length === 0) return name;
  return g.node(
    'Gather',
    [g.node('Reshape', [name, g.int64Constant('flat', [-1])]), g.initializer('first', [], 'int64', BigInt64Array.of(0n))],
    { axis: attr.int(0) },
  );
}
