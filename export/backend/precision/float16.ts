/**
 * The fp16 pass: float32 weights are stored as float16 (half the bytes), and each op computes in
 * float16 when it may (float16Kernels.ts) and all its float inputs already are float16; otherwise
 * it computes in float32 and Casts bring its inputs there. Callers still pass and get float32:
 * graph inputs keep their type and a float16 graph output is cast back under its own name.
 *
 * Deciding per node from its inputs, rather than forcing float16 wherever a kernel exists, keeps
 * Casts to the boundaries where precision really changes: a Reshape between two float32 ops stays
 * float32 instead of costing two Casts and a rounding.
 */
import { Float16Array } from '@petamoriken/float16';
import { attr, type GraphBuilder, type GraphNode, type Initializer } from '../graph/graphBuilder.ts';
import { outerReads, renameReads, subgraphsOf } from '../graph/subgraphs.ts';
import { elementTypeCode } from '../onnx/dataTypes.ts';
import { inferElementTypes } from './elementTypes.ts';
import { computesInFloat16, float32Reasons, isFloat32Input } from './float16Kernels.ts';

/** The largest finite float16; weights beyond it stay float32 rather than becoming infinities. */
const FLOAT16_MAX = 65504;

export interface Float16Summary {
  /** Nodes computing in float16 (Casts the pass added not counted). */
  float16Nodes: number;
  /** Nodes computing in float32 with float inputs, by op type, with the reason for each op. */
  float32Ops: { opType: string; count: number; reasons: readonly string[] }[];
  /** Initializers stored as float16, and those kept float32 (pinned float32 inputs, out of range). */
  float16Initializers: number;
  float32Initializers: number;
  castsAdded: number;
}

export function convertToFloat16(graph: GraphBuilder): Float16Summary {
  const types = inferElementTypes(graph);
  const isFloat = (name: string) => name !== '' && types.get(name) === 'float32';
  const storedHalf = halfInitializers(graph, isFloat);
  /** Float tensors that carry float16 values after the pass. */
  const half = new Set(storedHalf.map((initializer) => initializer.name));

  const runsHalf = new Set<GraphNode>();
  for (const node of graph.nodes) {
    const floatInputs = node.inputs.filter((input, i) => isFloat(input) && !isFloat32Input(node.opType, i));
    if (computesInFloat16(node.opType) && floatInputs.length > 0 && floatInputs.every((input) => half.has(input))) {
      runsHalf.add(node);
      for (const output of node.outputs) if (isFloat(output)) half.add(output);
      if (node.opType === 'Cast' && node.attributes.to?.kind === 'int' && node.attributes.to.value === elementTypeCode('float32')) {
        node.attributes.to = attr.int(elementTypeCode('float16'));
      }
    }
  }

  const added = [
    ...insertCasts(graph, isFloat, half, runsHalf),
    ...castSubgraphReads(graph, isFloat, half),
    ...castHalfOutputs(graph, half),
  ];
  for (const initializer of storedHalf) storeAsFloat16(initializer);

  const float32Counts = new Map<string, number>();
  for (const node of graph.nodes) {
    if (!runsHalf.has(node) && !added.includes(node) && node.inputs.some(isFloat)) {
      float32Counts.set(node.opType, (float32Counts.get(node.opType) ?? 0) + 1);
    }
  }
  return {
    float16Nodes: runsHalf.size,
    float32Ops: [...float32Counts].map(([opType, count]) => ({ opType, count, reasons: float32Reasons(opType) })),
    float16Initializers: storedHalf.length,
    float32Initializers: graph.initializers.filter((initializer) => initializer.dataType === 'float32').length,
    castsAdded: added.length,
  };
}

/**
 * The float32 initializers to store as float16: all but those an op needs in float32 (Resize's
 * scales), graph outputs, and any holding values float16 cannot represent.
 */
function halfInitializers(graph: GraphBuilder, isFloat: (name: string) => boolean): Initializer[] {
  const pinned = new Set<string>(graph.outputs.map((output) => output.name));
  for (const node of graph.nodes) {
    node.inputs.forEach((input, i) => {
      if (isFloat32Input(node.opType, i)) pinned.add(input);
    });
  }
  return graph.initializers.filter(
    (initializer) =>
      isFloat(initializer.name) &&
      !pinned.has(initializer.name) &&
      (initializer.values as Float32Array).every((v) => Math.abs(v) <= FLOAT16_MAX || !Number.isFinite(v)),
  );
}

/** Gives every node its inputs in the precision it computes in, adding one Cast per tensor and target. */
function insertCasts(graph: GraphBuilder, isFloat: (name: string) => boolean, half: Set<string>, runsHalf: Set<GraphNode>): GraphNode[] {
  const casts = new Map<string, string>();
  const added: GraphNode[] = [];
  const nodes: GraphNode[] = [];
  for (const node of graph.nodes) {
    node.inputs = node.inputs.map((input, i) => {
      if (!isFloat(input)) return input;
      const wantHalf = runsHalf.has(node) && !isFloat32Input(node.opType, i);
      if (wantHalf === half.has(input)) return input;
      const key = `${input}\u0000${wantHalf}`;
      let cast = casts.get(key);
      if (cast === undefined) {
        const castNode = castNodeFor(graph, input, wantHalf ? 'float16' : 'float32', node.layerName);
        nodes.push(castNode);
        added.push(castNode);
        cast = castNode.outputs[0];
        casts.set(key, cast);
      }
      return cast;
    });
    nodes.push(node);
  }
  graph.nodes.splice(0, graph.nodes.length, ...nodes);
  return added;
}

/**
 * Loop bodies and If branches stay float32; an outer float16 value they read by name is cast
 * back to float32 once, just before the node holding them, and read under the cast's name.
 */
function castSubgraphReads(graph: GraphBuilder, isFloat: (name: string) => boolean, half: Set<string>): GraphNode[] {
  const added: GraphNode[] = [];
  const nodes: GraphNode[] = [];
  for (const node of graph.nodes) {
    for (const subgraph of subgraphsOf(node)) {
      for (const name of outerReads(subgraph)) {
        if (!isFloat(name) || !half.has(name)) continue;
        const cast = castNodeFor(graph, name, 'float32', node.layerName);
        nodes.push(cast);
        added.push(cast);
        renameReads(subgraph, name, cast.outputs[0]);
      }
    }
    nodes.push(node);
  }
  graph.nodes.splice(0, graph.nodes.length, ...nodes);
  return added;
}

/** Graph outputs computed in float16 are renamed inside the graph and cast back to float32 under their own name. */
function castHalfOutputs(graph: GraphBuilder, half: Set<string>): GraphNode[] {
  const added: GraphNode[] = [];
  for (const output of graph.outputs) {
    if (output.elementType !== 'float32' || !half.has(output.name)) continue;
    const inner = graph.uniqueName(`${output.name}/float16`);
    for (const node of graph.nodes) {
      node.outputs = node.outputs.map((name) => (name === output.name ? inner : name));
      node.inputs = node.inputs.map((name) => (name === output.name ? inner : name));
    }
    const producer = graph.nodes.find((node) => node.outputs.includes(inner));
    const cast: GraphNode = {
      name: graph.uniqueName(`${output.name}/Cast`),
      opType: 'Cast',
      inputs: [inner],
      outputs: [output.name],
      attributes: { to: attr.int(elementTypeCode('float32')) },
      layerName: producer?.layerName ?? '',
    };
    graph.nodes.push(cast);
    added.push(cast);
  }
  return added;
}

function castNodeFor(graph: GraphBuilder, input: string, to: 'float16' | 'float32', layerName: string): GraphNode {
  const name = graph.uniqueName(`${input}/Cast`);
  return {
    name,
    opType: 'Cast',
    inputs: [input],
    outputs: [graph.uniqueName(`${input}/${to}`)],
    attributes: { to: attr.int(elementTypeCode(to)) },
    layerName,
  };
}

/** float32 → float16 bit patterns, rounding to nearest even (the IEEE conversion). */
function storeAsFloat16(initializer: Initializer): void {
  initializer.values = new Uint16Array(new Float16Array(initializer.values as Float32Array).buffer);
  initializer.dataType = 'float16';
}
