/**
 * Function bodies: the FunctionDefs in `modelTopology.library.function` (the cond and body of a
 * functional While, the branches of an If), and the functions controlFlow/lower.ts cuts out of
 * TF1 frames and Switch/Merge conditionals. A function is a node list like the main graph's, whose
 * arguments are nodes of op `_Arg` and whose results are tensor references.
 */
import { InvalidInputError } from '../../../common/errors.ts';
import { formatTensorRef, parseNodeDef, type GraphNodeDef, type TensorRef } from '../nodeDef.ts';

export interface FunctionGraph {
  name: string;
  /** The argument nodes' names, in order (nodes of op `_Arg` in `nodes`). */
  args: string[];
  nodes: GraphNodeDef[];
  outputs: TensorRef[];
}

export const ARG_OP = '_Arg';

/**
 * Inside a FunctionDef a node's output is spelled `node:output_arg:index`, the index counting
 * within that output argument. For ops with one output argument that is the output index; the
 * ops below have several, listed in order (each a single tensor), so `TopKV2:indices:0` is output 1.
 */
const OUTPUT_ARGS: Record<string, readonly string[]> = {
  Switch: ['output_false', 'output_true'],
  Merge: ['output', 'value_index'],
  TopKV2: ['values', 'indices'],
  Unique: ['y', 'idx'],
  FusedBatchNorm: ['y', 'batch_mean', 'batch_variance', 'reserve_space_1', 'reserve_space_2'],
  FusedBatchNormV2: ['y', 'batch_mean', 'batch_variance', 'reserve_space_1', 'reserve_space_2'],
  FusedBatchNormV3: ['y', 'batch_mean', 'batch_variance', 'reserve_space_1', 'reserve_space_2', 'reserve_space_3'],
  NonMaxSuppressionV4: ['selected_indices', 'valid_outputs'],
  NonMaxSuppressionV5: ['selected_indices', 'selected_scores', 'valid_outputs'],
  TensorArrayV3: ['handle', 'flow'],
  TensorListPopBack: ['output_handle', 'tensor'],
  TensorListConcat: ['tensor', 'lengths'],
  TensorListConcatV2: ['tensor', 'lengths'],
  TensorArrayConcatV3: ['value', 'lengths'],
  BroadcastGradientArgs: ['r0', 'r1'],
};

export function parseFunctionLibrary(library: unknown, source: string): Map<string, FunctionGraph> {
  const functions = new Map<string, FunctionGraph>();
  const list = (library as { function?: unknown } | undefined)?.function;
  if (list === undefined) return functions;
  if (!Array.isArray(list)) throw new InvalidInputError(`${source}: modelTopology.library.function must be a list`);
  for (const [i, raw] of list.entries()) {
    const fn = parseFunctionDef(raw, i, source);
    if (functions.has(fn.name)) throw new InvalidInputError(`${source}: two library functions are named "${fn.name}"`);
    functions.set(fn.name, fn);
  }
  return functions;
}

interface RawFunctionDef {
  signature?: { name?: unknown; inputArg?: { name?: unknown; type?: unknown }[]; outputArg?: { name?: unknown }[] };
  nodeDef?: unknown[];
  ret?: Record<string, unknown>;
}

function parseFunctionDef(raw: unknown, position: number, source: string): FunctionGraph {
  const { signature, nodeDef = [], ret = {} } = (raw ?? {}) as RawFunctionDef;
  const name = signature?.name;
  if (typeof name !== 'string' || name === '') throw new InvalidInputError(`${source}: library function ${position} has no name`);
  const where = `library function "${name}"`;
  const inputArgs = (signature?.inputArg ?? []).map((arg) => argName(arg?.name, where, source));
  const argNodes: GraphNodeDef[] = (signature?.inputArg ?? []).map((arg, i) => ({
    name: inputArgs[i],
    op: ARG_OP,
    inputs: [],
    attr: { index: { i: String(i) }, ...(typeof arg.type === 'string' ? { T: { type: arg.type } } : {}) },
  }));
  if (!Array.isArray(nodeDef)) throw new InvalidInputError(`${source}: ${where} has a nodeDef that is not a list`);
  // Ops by node name first: an input's index depends on the op that produces it.
  const ops = new Map(nodeDef.map((node) => [String((node as { name?: unknown })?.name), String((node as { op?: unknown })?.op)]));
  const parseRef = (text: string): TensorRef => functionRef(text, ops, where, source);
  const nodes = nodeDef.map((node, i) => parseNodeDef(node, `${where} node ${i}`, source, parseRef));
  const names = new Set([...inputArgs, ...nodes.map((node) => node.name)]);
  if (names.size !== inputArgs.length + nodes.length) throw new InvalidInputError(`${source}: ${where} names two nodes or arguments alike`);
  for (const node of nodes) {
    for (const ref of node.inputs)
      if (!names.has(ref.node))
        throw new InvalidInputError(
          `${source}: ${where}: node "${node.name}" reads "${formatTensorRef(ref)}", which the function does not define`,
        );
  }
  const outputs = (signature?.outputArg ?? []).map((arg) => {
    const key = argName(arg?.name, where, source);
    const text = ret[key];
    if (typeof text !== 'string') throw new InvalidInputError(`${source}: ${where} returns nothing for its output "${key}"`);
    const ref = parseRef(text);
    if (!names.has(ref.node)) throw new InvalidInputError(`${source}: ${where} returns "${text}", which the function does not define`);
    return ref;
  });
  return { name, args: inputArgs, nodes: [...argNodes, ...nodes], outputs };
}

function argName(value: unknown, where: string, source: string): string {
  if (typeof value !== 'string' || value === '') throw new InvalidInputError(`${source}: ${where} has an argument without a name`);
  return value;
}

/** `arg`, or `node:output_arg:index` → the node's output index. */
function functionRef(text: string, ops: Map<string, string>, where: string, source: string): TensorRef {
  const parts = text.split(':');
  if (parts.length === 1) return { node: text, index: 0 };
  const index = Number(parts[parts.length - 1]);
  if (!Number.isInteger(index) || index < 0)
    throw new InvalidInputError(`${source}: ${where} reads "${text}", which is not node:output:index`);
  const node = parts[0];
  if (parts.length === 2) return { node, index };
  const outputArgs = OUTPUT_ARGS[ops.get(node) ?? ''];
  const position = outputArgs ? outputArgs.indexOf(parts[1]) : -1;
  return { node, index: position > 0 ? position + index : index };
}
