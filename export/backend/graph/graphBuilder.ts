/**
 * An ONNX graph under construction, in plain TypeScript values (encoding to protobuf happens
 * once, in export/backend/onnx). Nodes remember which Keras layer produced them, for the conversion
 * summary; names are unique and readable (`conv2d_1/Conv`, `conv2d_1/kernel`).
 */
import type { ElementType as RuntimeElementType } from '@tfjs-onnx/runtime/constants';

export type AttributeValue =
  | { kind: 'int'; value: number }
  | { kind: 'ints'; value: number[] }
  | { kind: 'float'; value: number }
  | { kind: 'floats'; value: number[] }
  | { kind: 'string'; value: string }
  | { kind: 'strings'; value: string[] }
  /**
   * A subgraph (Scan's, Loop's body, If's branches). It holds its own initializers and may read
   * values of the graphs around it by name (ONNX's outer-scope capture); the passes see those reads
   * through export/backend/graph/subgraphs.ts.
   */
  | { kind: 'graph'; value: GraphBuilder };

export const attr = {
  int: (value: number): AttributeValue => ({ kind: 'int', value }),
  ints: (value: number[]): AttributeValue => ({ kind: 'ints', value }),
  float: (value: number): AttributeValue => ({ kind: 'float', value }),
  floats: (value: number[]): AttributeValue => ({ kind: 'floats', value }),
  string: (value: string): AttributeValue => ({ kind: 'string', value }),
  strings: (value: string[]): AttributeValue => ({ kind: 'strings', value }),
  graph: (value: GraphBuilder): AttributeValue => ({ kind: 'graph', value }),
};

export interface GraphNode {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, AttributeValue>;
  /** The Keras layer this node implements (for the summary); '' for graph plumbing. */
  layerName: string;
}

/** ONNX element types the converters emit (GraphModels store and compute more than Layers models): the runtime's, but the unsigned 32- and 64-bit ones. */
export type ElementType = Exclude<RuntimeElementType, 'uint32' | 'uint64'>;

/** Initializer values; bool as 0/1 bytes, float16 as its bit patterns. */
export type InitializerValues =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | BigInt64Array
  | string[];

export interface Initializer {
  name: string;
  dims: number[];
  dataType: ElementType;
  values: InitializerValues;
}

export interface GraphValueInfo {
  name: string;
  elementType: ElementType;
  /** Sizes; strings are symbolic (dim_param), null unknown. */
  shape: (number | string | null)[];
  /** A sequence of such tensors (a Loop body's TensorList state) rather than one tensor. */
  sequence?: boolean;
}

export class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  readonly initializers: Initializer[] = [];
  readonly inputs: GraphValueInfo[] = [];
  readonly outputs: GraphValueInfo[] = [];
  /** Shared with subgraphs: ONNX names must not repeat across a graph and the subgraphs that can see it. */
  private readonly usedNames: Set<string>;
  /** Layer that new nodes are attributed to. */
  currentLayer = '';

  constructor(parent?: GraphBuilder) {
    this.usedNames = parent ? parent.usedNames : new Set<string>();
  }

  /** An empty graph for a Loop body or an If branch inside this one, drawing names from the same pool. */
  subgraph(): GraphBuilder {
    const sub = new GraphBuilder(this);
    sub.currentLayer = this.currentLayer;
    return sub;
  }

  /** Reserves `base`, or `base_1`, `base_2`, ... if taken. */
  uniqueName(base: string): string {
    let name = base;
    for (let i = 1; this.usedNames.has(name); i++) name = `${base}_${i}`;
    this.usedNames.add(name);
    return name;
  }

  /** Reserves a name that must be used verbatim (graph inputs and outputs keep Keras's names). */
  reserveExactName(name: string): boolean {
    if (this.usedNames.has(name)) return false;
    this.usedNames.add(name);
    return true;
  }

  /** Adds a node with one output and returns the output's name. */
  node(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}): string {
    return this.nodeWithOutputs(opType, inputs, 1, attributes)[0];
  }

  nodeWithOutputs(opType: string, inputs: string[], outputCount: number, attributes: Record<string, AttributeValue> = {}): string[] {
    const prefix = this.currentLayer ? `${this.currentLayer}/` : '';
    const name = this.uniqueName(`${prefix}${opType}`);
    const outputs = Array.from({ length: outputCount }, (_, i) => (outputCount === 1 ? name : this.uniqueName(`${name}:${i}`)));
    this.nodes.push({ name, opType, inputs, outputs, attributes, layerName: this.currentLayer });
    return outputs;
  }

  /** Adds a node whose single output has a fixed name (a graph output keeping its Keras name). */
  nodeWithOutputName(opType: string, inputs: string[], output: string, attributes: Record<string, AttributeValue> = {}): void {
    const prefix = this.currentLayer ? `${this.currentLayer}/` : '';
    this.nodes.push({
      name: this.uniqueName(`${prefix}${opType}`),
      opType,
      inputs,
      outputs: [output],
      attributes,
      layerName: this.currentLayer,
    });
  }

  initializer(baseName: string, dims: number[], dataType: ElementType, values: InitializerValues): string {
    const prefix = this.currentLayer ? `${this.currentLayer}/` : '';
    const name = this.uniqueName(`${prefix}${baseName}`);
    this.initializers.push({ name, dims: [...dims], dataType, values });
    return name;
  }

  floatConstant(baseName: string, dims: number[], values: ArrayLike<number>): string {
    return this.initializer(baseName, dims, 'float32', Float32Array.from(values));
  }

  /** A float scalar as a 0-d tensor, for broadcasting in elementwise ops. */
  scalar(baseName: string, value: number): string {
    return this.floatConstant(baseName, [], [value]);
  }

  /** A 1-d int64 tensor (shapes, axes, pads, slice bounds). */
  int64Constant(baseName: string, values: number[]): string {
    return this.initializer(baseName, [values.length], 'int64', BigInt64Array.from(values.map((v) => BigInt(v))));
  }
}
