/**
 * While and StatelessWhile (and the TF1 frames lower.ts turns into them) as one ONNX Loop:
 *
 *   cond(args) → Loop(M = none, cond, state) { body(state) ; cond(new state) }
 *
 * TF tests the condition before each round, ONNX Loop before the first and then after each body,
 * so the condition is converted twice: once outside on the initial values, once at the end of
 * the body on the new ones. loopPlan.ts decides which arguments are state, which the body reads
 * from outside (invariants) and which lists become scan outputs. A state's shape is what its
 * initial value and the body's result share; when the body changes a size, the body is converted
 * again with that size unknown, until the two agree.
 */
import { attr } from '../../backend/graph/graphBuilder.ts';
import type { TfValue } from '../tfOps/constant.ts';
import { TfOpContext } from '../tfOps/context.ts';
import { planLoop, type LoopPlan } from './loopPlan.ts';
import { sinkList, tensorList, type ListValue } from './lists.ts';
import { importValue } from './scope.ts';
import {
  SubgraphOutputs,
  carriedInfo,
  carriedName,
  carriedValue,
  carriedValueOf,
  conditionScalar,
  sameCarried,
  widen,
  type CarriedValue,
} from './subgraphValues.ts';
import type { FunctionGraph } from './functionLibrary.ts';

/** Rounds of widening before giving up (each round can only make sizes unknown or lists sequences). */
const MAX_ROUNDS = 4;

interface BuiltBody {
  ctx: TfOpContext;
  /** The body's new value of each argument. */
  results: TfValue[];
  /** The element each filled-once list received. */
  written: Map<number, TfValue>;
  /** The body's outputs so far (the condition). */
  outputs: SubgraphOutputs;
}

export function convertWhile(ctx: TfOpContext): TfValue[] {
  const cond = ctx.functions.function(ctx.attrs.func('cond'));
  const body = ctx.functions.function(ctx.attrs.func('body'));
  const args = ctx.inputs;
  if (body.outputs.length !== args.length)
    throw ctx.invalid(`its body returns ${body.outputs.length} values for ${args.length} loop variables`);
  if (cond.outputs.length !== 1) throw ctx.invalid(`its condition returns ${cond.outputs.length} values, not one`);
  const plan = planLoop(body, cond, args, ctx.functions);
  const stateIndices = args.map((_, i) => i).filter((i) => !plan.invariant[i] && !plan.filledOnce.has(i));
  // A loop that changes nothing has no effect (TF ops here have no side effects).
  if (stateIndices.length === 0 && plan.filledOnce.size === 0) return [...args];
  let carried = stateIndices.map((i) => carriedValueOf(ctx, args[i], `loop variable ${i}`));
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const built = buildBody(ctx, cond, body, plan, stateIndices, carried);
    const next = stateIndices.map((i, s) =>
      widen(ctx, carried[s], carriedValueOf(built.ctx, built.results[i], `loop variable ${i}`), `loop variable ${i}`),
    );
    if (next.every((value, s) => sameCarried(value, carried[s]))) return emitLoop(ctx, cond, stateIndices, carried, built);
    carried = next;
  }
  throw ctx.unsupported(`the shapes of its loop variables did not settle after ${MAX_ROUNDS} rounds`);
}

/** The body graph for the given state kinds: inputs, the converted body, then the condition on its results. */
function buildBody(
  ctx: TfOpContext,
  cond: FunctionGraph,
  body: FunctionGraph,
  plan: LoopPlan,
  stateIndices: number[],
  carried: CarriedValue[],
): BuiltBody {
  const graph = ctx.graph.subgraph();
  const bodyCtx = new TfOpContext(ctx.attrs, [], graph, ctx.opset, ctx.functions);
  const prefix = graph.currentLayer ? `${graph.currentLayer}/` : '';
  graph.inputs.push(
    { name: graph.uniqueName(`${prefix}iteration`), elementType: 'int64', shape: [] },
    { name: graph.uniqueName(`${prefix}condition`), elementType: 'bool', shape: [] },
  );
  const sinks = new Map<number, ListValue>();
  const args = ctx.inputs.map((value, i): TfValue => {
    if (plan.invariant[i]) return importValue(value);
    if (plan.filledOnce.has(i)) {
      const list = value as ListValue;
      const sink = sinkList(list.list.elementDtype, list.list.elementShape);
      sinks.set(i, sink);
      return sink;
    }
    const state = carried[stateIndices.indexOf(i)];
    const input = carriedInfo(graph.uniqueName(`${prefix}state_${i}`), state);
    graph.inputs.push(input);
    return carriedValue(input.name, state);
  });
  const results = ctx.functions.convert(body, args, graph);
  const written = new Map(
    [...sinks].map(([i, sink]) => {
      if (!sink.sink?.written) throw ctx.unsupported(`its body never writes list ${i}`);
      return [i, sink.sink.written] as const;
    }),
  );
  // The condition reads the new values; invariants and filled lists are what they were.
  const next = results.map((value, i) => (plan.invariant[i] || plan.filledOnce.has(i) ? args[i] : value));
  const [condition] = ctx.functions.convert(cond, next, graph);
  const outputs = new SubgraphOutputs(bodyCtx);
  outputs.add(bodyCtx.result(conditionScalar(bodyCtx, condition), [], 'bool'), { kind: 'tensor', dtype: 'bool', shape: [] });
  return { ctx: bodyCtx, results, written, outputs };
}

function emitLoop(ctx: TfOpContext, cond: FunctionGraph, stateIndices: number[], carried: CarriedValue[], built: BuiltBody): TfValue[] {
  const args = ctx.inputs;
  const { outputs } = built;
  stateIndices.forEach((i, s) => {
    outputs.add(built.results[i], carried[s]);
  });
  const scans = [...built.written].map(([i, element]) => {
    const shape = [...element.shape];
    outputs.add(element, { kind: 'tensor', dtype: element.dtype, shape });
    return { i, shape, dtype: element.dtype };
  });
  const [initialCondition] = ctx.functions.convert(cond, args, ctx.graph);
  const inputs = ['', conditionScalar(ctx, initialCondition), ...stateIndices.map((i, s) => carriedName(ctx, args[i], carried[s]))];
  const names = ctx.graph.nodeWithOutputs('Loop', inputs, stateIndices.length + scans.length, { body: attr.graph(built.ctx.graph) });
  const results = [...args];
  stateIndices.forEach((i, s) => {
    results[i] = carriedValue(names[s], carried[s]);
  });
  scans.forEach(({ i, shape, dtype }, k) => {
    results[i] = tensorList(names[stateIndices.length + k], [null, ...shape], dtype);
  });
  return results;
}
