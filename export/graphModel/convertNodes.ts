/**
 * The node walk shared by the main graph and function bodies: from the wanted outputs back to the
 * values already known (graph inputs, function arguments), each node after its inputs, each
 * dispatched to its op's handler. Dead branches are never reached, so never converted. Handlers of
 * control-flow ops get a FunctionConverter that runs this same walk on a function body into a
 * subgraph, so nested loops and conditionals need nothing more.
 */
import { InvalidInputError } from '../../common/errors.ts';
import type { GraphBuilder } from '../backend/graph/graphBuilder.ts';
import { copyConstant } from './controlFlow/scope.ts';
import { rejectListInputs } from './controlFlow/index.ts';
import type { FunctionGraph } from './controlFlow/functionLibrary.ts';
import { NodeAttributes } from './graphDef.ts';
import { formatTensorRef, type GraphNodeDef, type TensorRef } from './nodeDef.ts';
import type { ConstantTensor, TfValue } from './tfOps/constant.ts';
import { TfOpContext, type FunctionConverter } from './tfOps/context.ts';
import { tfOpHandler } from './tfOps/index.ts';

export interface ConversionScope {
  opset: number;
  source: string;
  /** A Const node's value (from the weights, or inline). */
  constant(node: GraphNodeDef): ConstantTensor | undefined;
  functions: ReadonlyMap<string, FunctionGraph>;
  /** Every node converted so far, in order (the summary groups them by name scope). */
  converted: GraphNodeDef[];
}

/**
 * Converts what `outputs` depend on into `graph`, adding to `values` (node name → its outputs,
 * holding the inputs or arguments to start from). `ownConstants` gives each Const a value of its
 * own, so the initializers a subgraph makes for it are never mistaken for the outer graph's.
 */
export function convertNodes(
  scope: ConversionScope,
  graph: GraphBuilder,
  nodes: ReadonlyMap<string, GraphNodeDef>,
  values: Map<string, TfValue[]>,
  outputs: readonly TensorRef[],
  ownConstants = false,
): void {
  const functions = functionConverter(scope);
  for (const node of dependencyOrder(outputs, nodes, scope.source)) {
    if (values.has(node.name)) continue;
    if (node.op === 'Placeholder')
      throw new InvalidInputError(`${scope.source}: Placeholder "${node.name}" is used but is not a model input in the signature`);
    if (node.op === 'Const') {
      const constant = scope.constant(node);
      if (!constant)
        throw new InvalidInputError(`${scope.source}: Const node "${node.name}" has no value in weightsManifest or in its attributes`);
      values.set(node.name, [ownConstants ? copyConstant(constant) : constant]);
      continue;
    }
    graph.currentLayer = scopeOf(node.name);
    const inputs = node.inputs.map((ref) => outputOf(values, ref, node, scope.source));
    const attrs = new NodeAttributes(node, scope.source);
    rejectListInputs(attrs, inputs);
    const handler = tfOpHandler(node.op);
    if (!handler) throw new Error(`internal: ${attrs.label} has no handler; unsupported ops are rejected before conversion`);
    const result = handler(new TfOpContext(attrs, inputs, graph, scope.opset, functions));
    values.set(node.name, Array.isArray(result) ? result : [result]);
    scope.converted.push(node);
  }
}

function functionConverter(scope: ConversionScope): FunctionConverter {
  return {
    function: (name) => {
      const fn = scope.functions.get(name);
      if (!fn)
        throw new InvalidInputError(`${scope.source}: the graph calls function "${name}", which modelTopology.library does not define`);
      return fn;
    },
    convert: (fn, args, graph) => {
      if (args.length !== fn.args.length)
        throw new InvalidInputError(
          `${scope.source}: function "${fn.name}" takes ${fn.args.length} arguments, but is called with ${args.length}`,
        );
      const values = new Map(fn.args.map((name, i) => [name, [args[i]]]));
      // A body's nodes are part of the Loop or If the summary lists, not units of their own; the caller's layer stays.
      const layer = graph.currentLayer;
      convertNodes({ ...scope, converted: [] }, graph, new Map(fn.nodes.map((node) => [node.name, node])), values, fn.outputs, true);
      graph.currentLayer = layer;
      return fn.outputs.map((ref, i) => outputOf(values, ref, undefined, scope.source, `function "${fn.name}" result ${i}`));
    },
    constant: (node) => (node.op === 'Const' ? scope.constant(node) : undefined),
  };
}

/** Nodes the outputs depend on, each after its inputs (iterative, so deep graphs cannot overflow the stack). */
function dependencyOrder(outputs: readonly TensorRef[], nodes: ReadonlyMap<string, GraphNodeDef>, source: string): GraphNodeDef[] {
  const order: GraphNodeDef[] = [];
  const state = new Map<string, 'open' | 'done'>();
  for (const output of outputs) {
    const stack: { name: string; expanded: boolean }[] = [{ name: output.node, expanded: false }];
    while (stack.length > 0) {
      const { name, expanded } = stack.pop()!;
      const node = nodes.get(name);
      if (!node) throw new InvalidInputError(`${source}: "${name}" is read but no node of that name exists here`);
      if (expanded) {
        state.set(name, 'done');
        order.push(node);
        continue;
      }
      if (state.get(name) === 'done') continue;
      state.set(name, 'open');
      stack.push({ name, expanded: true });
      for (const ref of [...node.inputs].reverse()) {
        const inputState = state.get(ref.node);
        if (inputState === 'open') throw new InvalidInputError(`${source}: the graph has a cycle through node "${ref.node}"`);
        if (inputState !== 'done') stack.push({ name: ref.node, expanded: false });
      }
    }
  }
  return order;
}

/** Output `ref.index` of a converted node; `output` says which model output is meant when no node reads it. */
export function outputOf(
  values: ReadonlyMap<string, TfValue[]>,
  ref: TensorRef,
  reader: GraphNodeDef | undefined,
  source: string,
  output?: string,
): TfValue {
  const value = values.get(ref.node)?.[ref.index];
  if (value === undefined) {
    const where = reader ? `node "${reader.name}" reads` : `the model's ${output ?? 'output'} is`;
    throw new InvalidInputError(`${source}: ${where} "${formatTensorRef(ref)}", which node "${ref.node}" does not produce`);
  }
  return value;
}

/** The name scope of a TF node (`model/conv1/Conv2D` → `model/conv1`). */
export function scopeOf(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash > 0 ? name.slice(0, slash) : name;
}
