/**
 * What a While's body does with each loop variable, read from the TF function before converting
 * it (as tf2onnx's loop rewriter does):
 * - invariant: the body hands it back unchanged, so it is not Loop state; the body reads the
 *   outer value (TF2 passes every captured value through the loop this way);
 * - counter: starts at the constant 0 and the body adds 1, so it equals the ONNX iteration number;
 * - filled once per iteration: a list that starts empty, which the body writes exactly once, at
 *   a counter, and reads nowhere else (tf.map_fn's accumulators): a Loop scan output;
 * - everything else is Loop state.
 */
import type { GraphNodeDef, TensorRef } from '../nodeDef.ts';
import { isConstant, numbers, type TfValue } from '../tfOps/constant.ts';
import type { FunctionConverter } from '../tfOps/context.ts';
import type { FunctionGraph } from './functionLibrary.ts';
import { isList } from './lists.ts';

export interface LoopPlan {
  invariant: boolean[];
  /** Lists filled once per iteration (argument index), each becoming a scan output. */
  filledOnce: Set<number>;
}

const PASS_THROUGH = new Set(['Identity', 'StopGradient', 'Snapshot']);
/** The ops that write one list element, and which inputs are the list and the index. */
const WRITERS: Record<string, { list: number; index: number }> = {
  TensorListSetItem: { list: 0, index: 1 },
  TensorArrayWriteV3: { list: 3, index: 1 },
};

export function planLoop(body: FunctionGraph, cond: FunctionGraph, args: readonly TfValue[], functions: FunctionConverter): LoopPlan {
  const bodyView = new FunctionView(body);
  const condView = new FunctionView(cond);
  const invariant = args.map((_, i) => bodyView.argIndex(body.outputs[i]) === i);
  const counters = new Set(args.map((_, j) => j).filter((j) => !invariant[j] && isCounter(bodyView, j, args[j], functions)));
  const filledOnce = new Set(args.map((_, k) => k).filter((k) => !invariant[k] && isFilledOnce(bodyView, condView, k, args[k], counters)));
  return { invariant, filledOnce };
}

/** Starts at 0, and the body returns it plus 1. */
function isCounter(view: FunctionView, j: number, initial: TfValue, functions: FunctionConverter): boolean {
  if (!isConstant(initial) || initial.dtype !== 'int32' || initial.shape.length !== 0 || numbers(initial)[0] !== 0) return false;
  const next = view.producer(view.fn.outputs[j]);
  if (!next || (next.op !== 'AddV2' && next.op !== 'Add') || next.inputs.length !== 2) return false;
  const [a, b] = next.inputs.map((ref) => view.resolve(ref));
  const one = (ref: TensorRef) => {
    const node = view.nodes.get(ref.node);
    const constant = node ? functions.constant(node) : undefined;
    return constant !== undefined && constant.shape.length === 0 && numbers(constant)[0] === 1;
  };
  return (view.argIndex(a) === j && one(b)) || (view.argIndex(b) === j && one(a));
}

function isFilledOnce(body: FunctionView, cond: FunctionView, k: number, initial: TfValue, counters: Set<number>): boolean {
  if (!isList(initial) || !initial.list.empty || initial.list.form === 'handle') return false;
  const writer = body.producer(body.fn.outputs[k]);
  const slots = writer && WRITERS[writer.op];
  if (!writer || !slots || body.argIndex(writer.inputs[slots.list]) !== k) return false;
  if (!counters.has(body.argIndex(writer.inputs[slots.index]) ?? -1)) return false;
  return body.readers(k).every((node) => node === writer) && cond.readers(k).length === 0 && !body.returns(k) && !cond.returns(k);
}

/** A function's nodes with the lookups the plan needs, seeing through Identity-like nodes. */
class FunctionView {
  readonly nodes: Map<string, GraphNodeDef>;

  constructor(readonly fn: FunctionGraph) {
    this.nodes = new Map(fn.nodes.map((node) => [node.name, node]));
  }

  resolve(ref: TensorRef): TensorRef {
    let current = ref;
    for (
      let node = this.nodes.get(current.node);
      node && PASS_THROUGH.has(node.op) && node.inputs.length > 0;
      node = this.nodes.get(current.node)
    ) {
      current = node.inputs[0];
    }
    return current;
  }

  /** The argument `ref` is (through Identities), if it is one. */
  argIndex(ref: TensorRef): number | undefined {
    const position = this.fn.args.indexOf(this.resolve(ref).node);
    return position < 0 ? undefined : position;
  }

  producer(ref: TensorRef): GraphNodeDef | undefined {
    return this.nodes.get(this.resolve(ref).node);
  }

  /** Nodes other than Identities that read argument `k`. */
  readers(k: number): GraphNodeDef[] {
    return this.fn.nodes.filter((node) => !PASS_THROUGH.has(node.op) && node.inputs.some((ref) => this.argIndex(ref) === k));
  }

  /** Whether the function returns argument `k` itself. */
  returns(k: number): boolean {
    return this.fn.outputs.some((ref) => this.argIndex(ref) === k);
  }
}
