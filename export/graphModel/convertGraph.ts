/**
 * The GraphModel front end: walks the TF graph from its outputs back to its inputs (so dead
 * branches are never converted) and dispatches each node to the handler registered for its op
 * in export/graphModel/tfOps/. Every op without a handler is reported at once, before anything is built.
 * Graph inputs keep the Placeholder names; outputs are named as tfjs-converter's GraphModel names
 * them: by their signature keys (`output_mesh` for tensor `Identity_2:0`), or, without a signature,
 * by the tensors they are (`Identity`, `detect:1`); both in TensorFlow's layout. Every signature
 * output becomes an ONNX output, or the conversion fails naming the one it cannot produce.
 */
import { InvalidInputError } from '../../common/errors.ts';
import type { GraphEndpoint } from '../layersModel/endpoints.ts';
import { endpointShape } from '../layersModel/endpoints.ts';
import { UnconvertibleModelError } from '../errors.ts';
import { GraphBuilder } from '../backend/graph/graphBuilder.ts';
import { identityPermutation } from '../backend/graph/layout.ts';
import { tensorValue, type Dim } from '../backend/graph/tensorValue.ts';
import type { ConstantTensor, TfValue } from './tfOps/constant.ts';
import { TfOpContext, elementType } from './tfOps/context.ts';
import { supportedTfOps, tfOpHandler } from './tfOps/index.ts';
import { notConvertedReason } from './tfOps/notConverted.ts';
import { ARG_OP } from './controlFlow/functionLibrary.ts';
import { isList } from './controlFlow/lists.ts';
import { lowerControlFlow } from './controlFlow/lower.ts';
import { convertNodes, outputOf, scopeOf, type ConversionScope } from './convertNodes.ts';
import { NodeAttributes, type GraphDef } from './graphDef.ts';
import { formatTensorRef, parseTensorRef, type GraphNodeDef, type TensorRef } from './nodeDef.ts';
import { fuseDilatedConvolutions } from './patterns.ts';
import { inlineConstant } from './weights.ts';

export interface GraphModelSignature {
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

/** A group of TF nodes sharing a name scope (`model/conv1/Conv2D`, `model/conv1/Relu` → `model/conv1`), for the summary. */
export interface SourceUnit {
  name: string;
  /** The TF ops of its nodes, e.g. `_FusedConv2D` or `Shape+StridedSlice+Pack`. */
  ops: string;
}

export interface BuiltGraphModel {
  graph: GraphBuilder;
  inputs: GraphEndpoint[];
  outputs: GraphEndpoint[];
  units: SourceUnit[];
}

const SOURCE_OPS = new Set(['Placeholder', 'Const', ARG_OP]);

export function buildGraphModelGraph(
  modelGraph: GraphDef,
  weights: Map<string, ConstantTensor>,
  signature: GraphModelSignature | undefined,
  opset: number,
  source: string,
): BuiltGraphModel {
  // TF1 loops and Switch/Merge conditionals become functional While and If nodes first.
  const sourceGraph = lowerControlFlow(modelGraph, source);
  rejectUnsupportedOps(sourceGraph, source);
  const sourceNodes = new Map(sourceGraph.nodes.map((node) => [node.name, node]));
  const graphDef = fuseDilatedConvolutions(sourceGraph, (name) => weights.get(name) ?? inlineConstant(sourceNodes.get(name)!, source));
  const nodes = new Map(graphDef.nodes.map((node) => [node.name, node]));
  const inputNodes = graphInputs(graphDef, nodes, signature, source);
  const outputSpecs = graphOutputs(graphDef, nodes, signature, source);
  const outputRefs = outputSpecs.map((spec) => spec.ref);
  const graph = new GraphBuilder();
  for (const node of inputNodes) graph.reserveExactName(node.name);
  const outputNames = outputSpecs.map((spec) => outputName(graph, spec, source));

  const values = new Map<string, TfValue[]>();
  const inputs = inputNodes.map((node) => addGraphInput(graph, node, values, source));

  const scope: ConversionScope = {
    opset,
    source,
    constant: (node) => weights.get(node.name) ?? inlineConstant(node, source),
    functions: graphDef.functions,
    converted: [],
  };
  convertNodes(scope, graph, nodes, values, outputRefs);

  graph.currentLayer = '';
  const outputs = outputSpecs.map((spec, i) =>
    addGraphOutput(graph, values, nodes.get(spec.ref.node)!, spec, outputNames[i]!, opset, source),
  );
  return { graph, inputs, outputs, units: sourceUnits(scope.converted) };
}

/** A model input: its value for the nodes reading it, and the ONNX graph input, under its TF name. */
function addGraphInput(graph: GraphBuilder, node: GraphNodeDef, values: Map<string, TfValue[]>, source: string): GraphEndpoint {
  const attrs = new NodeAttributes(node, source);
  const shape = attrs.shape('shape');
  if (shape === undefined)
    throw new UnconvertibleModelError(`${source}: input "${node.name}" has an unknown rank; the converter needs its shape`);
  const dtype = attrs.dtype('dtype');
  values.set(node.name, [tensorValue(node.name, shape, identityPermutation(shape.length), dtype)]);
  const endpoint: GraphEndpoint = { name: node.name, shape: endpointShape(node.name, shape), elementType: elementType(dtype) };
  graph.inputs.push({ name: endpoint.name, elementType: endpoint.elementType, shape: endpoint.shape });
  return endpoint;
}

/** A model output, named `name`: a tensor (never a TensorList), in TF's layout. */
function addGraphOutput(
  graph: GraphBuilder,
  values: Map<string, TfValue[]>,
  producer: GraphNodeDef,
  { ref, description }: { ref: TensorRef; description: string },
  name: string,
  opset: number,
  source: string,
): GraphEndpoint {
  const value = outputOf(values, ref, undefined, source, description);
  if (isList(value))
    throw new UnconvertibleModelError(
      `${source}: the model's ${description} is a TensorList or TensorArray, which has no ONNX tensor form`,
    );
  const ctx = new TfOpContext(new NodeAttributes(producer, source), [], graph, opset);
  // Outputs leave in TF's layout under their TF names: an Identity the identity pass folds where it can.
  graph.nodeWithOutputName('Identity', [ctx.logical(value)], name);
  const shape: Dim[] = [...value.shape];
  const endpoint: GraphEndpoint = { name, shape: endpointShape(name, shape), elementType: elementType(value.dtype) };
  graph.outputs.push({ name: endpoint.name, elementType: endpoint.elementType, shape: endpoint.shape });
  return endpoint;
}

/** One error for the whole graph: every op without a handler, how often it occurs and where first. */
function rejectUnsupportedOps(graphDef: GraphDef, source: string): void {
  const missing = new Map<string, { count: number; first: string }>();
  for (const node of [...graphDef.nodes, ...[...graphDef.functions.values()].flatMap((fn) => fn.nodes)]) {
    if (SOURCE_OPS.has(node.op) || tfOpHandler(node.op)) continue;
    const entry = missing.get(node.op);
    if (entry) entry.count++;
    else missing.set(node.op, { count: 1, first: node.name });
  }
  if (missing.size === 0) return;
  const listed = [...missing].map(([op, { count, first }]) => `${op} (${count} node${count === 1 ? '' : 's'}, first "${first}")`);
  // One sentence per reason, naming the ops it covers.
  const byReason = new Map<string, string[]>();
  for (const op of missing.keys()) {
    const reason = notConvertedReason(op);
    if (reason) byReason.set(reason, [...(byReason.get(reason) ?? []), op]);
  }
  const reasons = [...byReason].map(([reason, ops]) => `${ops.join(', ')}: ${reason}. `).join('');
  throw new UnconvertibleModelError(
    `${source} uses ${missing.size} TensorFlow op${missing.size === 1 ? '' : 's'} the ONNX converter does not support: ${listed.join(', ')}. ` +
      `${reasons}Supported ops: ${supportedTfOps().join(', ')}`,
  );
}

/** A signature entry's tensor: its `name` (`Identity_2:0`), or the key itself where the entry has none. */
function signatureTensors(entries: Record<string, unknown> | undefined): { key: string; tensor: string }[] {
  return Object.entries(entries ?? {}).map(([key, info]) => {
    const name = typeof info === 'object' && info !== null ? (info as { name?: unknown }).name : undefined;
    return { key, tensor: typeof name === 'string' && name !== '' ? name : key };
  });
}

function graphInputs(
  graphDef: GraphDef,
  nodes: Map<string, GraphNodeDef>,
  signature: GraphModelSignature | undefined,
  source: string,
): GraphNodeDef[] {
  const declared = signatureTensors(signature?.inputs);
  if (declared.length === 0) return graphDef.nodes.filter((node) => node.op === 'Placeholder');
  return declared.map(({ key, tensor }) => {
    const node = nodes.get(parseTensorRef(tensor).node);
    const named = key === tensor ? `"${key}"` : `"${key}" (tensor "${tensor}")`;
    if (node?.op !== 'Placeholder')
      throw new InvalidInputError(`${source}: signature input ${named} is not a Placeholder node of the graph`);
    return node;
  });
}

/** A model output: the tensor it is, the name it leaves under, and how errors name it. */
interface OutputSpec {
  ref: TensorRef;
  name: string;
  /** Set for signature outputs, whose ONNX name is required verbatim. */
  signatureKey?: string;
  description: string;
}

/**
 * The signature's outputs, each under its key, as tfjs-converter's GraphModel.outputNodes names
 * them (several keys may share a node or a tensor; each is its own output). Without a signature,
 * every node nothing reads (constants and no-ops aside), named by the tensor.
 */
function graphOutputs(
  graphDef: GraphDef,
  nodes: Map<string, GraphNodeDef>,
  signature: GraphModelSignature | undefined,
  source: string,
): OutputSpec[] {
  const declared = signatureTensors(signature?.outputs);
  if (declared.length > 0) {
    return declared.map(({ key, tensor }) => {
      const ref = parseTensorRef(tensor);
      const description = key === tensor ? `signature output "${key}"` : `signature output "${key}" (tensor "${tensor}")`;
      if (!nodes.has(ref.node))
        throw new InvalidInputError(`${source}: ${description} names node "${ref.node}", which is not in the graph`);
      return { ref, name: key, signatureKey: key, description };
    });
  }
  const read = new Set(graphDef.nodes.flatMap((node) => node.inputs.map((ref) => ref.node)));
  const leaves = graphDef.nodes.filter((node) => !read.has(node.name) && !['Const', 'NoOp', 'Placeholder'].includes(node.op));
  if (leaves.length === 0) throw new InvalidInputError(`${source}: the graph has no output (every node's result is read by another node)`);
  return leaves.map((node) => {
    const ref = { node: node.name, index: 0 };
    return { ref, name: formatTensorRef(ref), description: `output "${node.name}"` };
  });
}

/** The ONNX name of an output: a signature key exactly as written; a tensor's name where it is free. */
function outputName(graph: GraphBuilder, spec: OutputSpec, source: string): string {
  if (graph.reserveExactName(spec.name)) return spec.name;
  if (spec.signatureKey !== undefined) {
    throw new InvalidInputError(
      `${source}: ${spec.description} has the name of a model input; ONNX inputs and outputs need distinct names`,
    );
  }
  return graph.uniqueName(`${spec.name}_output`);
}

function sourceUnits(nodes: GraphNodeDef[]): SourceUnit[] {
  const units = new Map<string, Set<string>>();
  for (const node of nodes) {
    const scope = scopeOf(node.name);
    let ops = units.get(scope);
    if (!ops) {
      ops = new Set();
      units.set(scope, ops);
    }
    ops.add(node.op);
  }
  return [...units].map(([name, ops]) => ({ name, ops: [...ops].join('+') }));
}
