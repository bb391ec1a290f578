/**
 * If and StatelessIf (and the Switch/Merge conditionals lower.ts turns into them) as ONNX If. Each
 * branch function becomes a subgraph reading its arguments from the outer graph (ONNX If has no
 * inputs but the condition). A condition known now folds: only the branch taken is converted,
 * into the graph itself.
 */
import { attr } from '../../backend/graph/graphBuilder.ts';
import { isConstant, numbers, type TfValue } from '../tfOps/constant.ts';
import { TfOpContext } from '../tfOps/context.ts';
import { importValue } from './scope.ts';
import { SubgraphOutputs, carriedValue, carriedValueOf, conditionScalar, widen } from './subgraphValues.ts';

export function convertIf(ctx: TfOpContext): TfValue[] {
  ctx.requireInputs(1, true);
  const [condition, ...args] = ctx.inputs;
  const thenFn = ctx.functions.function(ctx.attrs.func('then_branch'));
  const elseFn = ctx.functions.function(ctx.attrs.func('else_branch'));
  if (isConstant(condition)) {
    const taken = condition.dtype !== 'string' && numbers(condition)[0] ? thenFn : elseFn;
    return ctx.functions.convert(taken, args, ctx.graph);
  }
  const branches = [thenFn, elseFn].map((fn) => {
    const graph = ctx.graph.subgraph();
    return {
      ctx: new TfOpContext(ctx.attrs, [], graph, ctx.opset, ctx.functions),
      results: ctx.functions.convert(fn, args.map(importValue), graph),
    };
  });
  const [then, otherwise] = branches;
  if (then.results.length !== otherwise.results.length)
    throw ctx.invalid(`its branches return ${then.results.length} and ${otherwise.results.length} values`);
  if (then.results.length === 0) return [];
  const carried = then.results.map((value, k) =>
    widen(
      ctx,
      carriedValueOf(then.ctx, value, `output ${k}`),
      carriedValueOf(otherwise.ctx, otherwise.results[k], `output ${k}`),
      `output ${k}`,
    ),
  );
  for (const branch of branches) {
    const outputs = new SubgraphOutputs(branch.ctx);
    branch.results.forEach((value, k) => {
      outputs.add(value, carried[k]);
    });
  }
  const names = ctx.graph.nodeWithOutputs('If', [conditionScalar(ctx, condition)], carried.length, {
    then_branch: attr.graph(then.ctx.graph),
    else_branch: attr.graph(otherwise.ctx.graph),
  });
  return names.map((name, k) => carriedValue(name, carried[k]));
}
