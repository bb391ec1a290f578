/**
 * GraphModels built in the tests: a TF GraphDef in model.json's JSON form (nodes with op, inputs
 * and attributes) plus seeded random weights in a shard, exactly what tensorflowjs_converter
 * writes. Each is loaded with @tensorflow/tfjs-converter as the reference, converted, checked with
 * the official ONNX checker and run on onnxruntime-node.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Float16Array } from '@petamoriken/float16';
import * as tf from '@tensorflow/tfjs';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import type { TfjsElementType } from '../../../export/backend/graph/tensorValue.ts';
import { expect } from 'vitest';
import { fileSystemLoader } from '../../../common/tfjsModelFiles.ts';
import { convertModelToFile, type ConvertOptions } from '../../../export/index.ts';
import { executeGraphModel } from '../../../pipeline/randomParity.ts';
import { type ConvertedModel, checkOnnxModels, expectClose, onnxNodes, runOnnx, seededRandom, temporaryDirectory } from '../harness.ts';

const TF_TYPES: Record<TfjsElementType, string> = { float32: 'DT_FLOAT', int32: 'DT_INT32', bool: 'DT_BOOL', string: 'DT_STRING' };

/** AttrValue builders in the JSON protobuf form model.json uses. */
export const attr = {
  i: (value: number) => ({ i: String(value) }),
  f: (value: number) => ({ f: value }),
  b: (value: boolean) => ({ b: value }),
  s: (value: string) => ({ s: Buffer.from(value).toString('base64') }),
  type: (dtype: TfjsElementType) => ({ type: TF_TYPES[dtype] }),
  ints: (values: number[]) => ({ list: { i: values.map(String) } }),
  strings: (values: string[]) => ({ list: { s: values.map((v) => Buffer.from(v).toString('base64')) } }),
  shape: (dims: (number | null)[]) => ({ shape: { dim: dims.map((d) => ({ size: String(d ?? -1) })) } }),
};

interface WeightEntry {
  name: string;
  dtype: TfjsElementType;
  shape: number[];
  values: number[] | string[];
  quantization?: 'uint8' | 'float16';
}

/** Builds one GraphModel: placeholders, constants (stored as weights) and op nodes. */
export class GraphModelBuilder {
  readonly nodes: NodeJson[] = [];
  /** FunctionDefs for modelTopology.library (bodies of While and If). */
  readonly functions: unknown[] = [];
  private readonly weights: WeightEntry[] = [];
  private readonly random: () => number;
  private count = 0;
  signature?: { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };

  constructor(seed = 1) {
    this.random = seededRandom(seed);
  }

  private fresh(base: string): string {
    return `${base}_${this.count++}`;
  }

  placeholder(name: string, shape: (number | null)[], dtype: TfjsElementType = 'float32'): string {
    this.nodes.push({ name, op: 'Placeholder', attr: { shape: attr.shape(shape), dtype: attr.type(dtype) } });
    return name;
  }

  /** A constant stored in the weight shard, as tensorflowjs_converter stores them (`into` a function body's nodes if given). */
  constant(
    values: number[] | string[],
    shape: number[],
    dtype: TfjsElementType = Array.isArray(values) && typeof values[0] === 'string' ? 'string' : 'float32',
    options: { name?: string; quantization?: 'uint8' | 'float16'; into?: NodeJson[] } = {},
  ): string {
    const name = options.name ?? this.fresh('const');
    (options.into ?? this.nodes).push({
      name,
      op: 'Const',
      attr: {
        dtype: attr.type(dtype),
        value: { tensor: { dtype: TF_TYPES[dtype], tensorShape: { dim: shape.map((s) => ({ size: String(s) })) } } },
      },
    });
    this.weights.push({ name, dtype, shape, values, quantization: options.quantization });
    return name;
  }

  ints(values: number[], shape = [values.length]): string {
    return this.constant(values, shape, 'int32');
  }

  scalarInt(value: number): string {
    return this.constant([value], [], 'int32');
  }

  scalar(value: number): string {
    return this.constant([value], [], 'float32');
  }

  /** A float constant of seeded uniform values in [low, high). */
  randomConstant(shape: number[], low = -1, high = 1, options: { quantization?: 'uint8' | 'float16' } = {}): string {
    const size = shape.reduce((a, b) => a * b, 1);
    return this.constant(
      Array.from({ length: size }, () => low + (high - low) * this.random()),
      shape,
      'float32',
      options,
    );
  }

  node(op: string, inputs: string[], attributes: Record<string, unknown> = {}, name = this.fresh(op.replace(/^_/, ''))): string {
    this.nodes.push({ name, op, input: inputs, attr: attributes });
    return name;
  }

  /**
   * A library function (FunctionDef) built by `build`, which gets a builder for its body and its
   * arguments' names and returns its results. Inside, a node's output is `node:output:index`.
   */
  defineFunction(
    name: string,
    args: [string, TfjsElementType][],
    results: TfjsElementType[],
    build: (body: FunctionBody, args: string[]) => string[],
  ): string {
    const body = new FunctionBody(this);
    const outputs = build(
      body,
      args.map(([arg]) => arg),
    );
    this.functions.push({
      signature: {
        name,
        inputArg: args.map(([arg, dtype]) => ({ name: arg, type: TF_TYPES[dtype] })),
        outputArg: results.map((dtype, i) => ({ name: `output_${i}`, type: TF_TYPES[dtype] })),
      },
      nodeDef: body.nodes,
      ret: Object.fromEntries(outputs.map((output, i) => [`output_${i}`, output])),
    });
    return name;
  }

  /** Writes model.json and one shard into a fresh directory; returns the model.json path. */
  async save(directory?: string): Promise<string> {
    const dir = directory ?? path.join(await temporaryDirectory(), 'graph');
    await mkdir(dir, { recursive: true });
    const chunks: Buffer[] = [];
    const specs = this.weights.map((weight) => {
      const { bytes, spec } = encodeWeight(weight);
      chunks.push(bytes);
      return spec;
    });
    await writeFile(path.join(dir, 'group1-shard1of1.bin'), Buffer.concat(chunks));
    const modelJson = {
      format: 'graph-model',
      generatedBy: 'tfjs-onnx tests',
      convertedBy: 'tfjs-onnx tests',
      modelTopology: { node: this.nodes, library: this.functions.length > 0 ? { function: this.functions } : {}, versions: {} },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: specs }],
      ...(this.signature ? { signature: this.signature } : {}),
    };
    const file = path.join(dir, 'model.json');
    await writeFile(file, JSON.stringify(modelJson));
    return file;
  }
}

type NodeJson = { name: string; op: string; input?: string[]; attr?: Record<string, unknown> };

/** The nodes of one function body; constants go to the model's weights like the graph's own. */
export class FunctionBody {
  readonly nodes: NodeJson[] = [];
  private count = 0;

  constructor(private readonly model: GraphModelBuilder) {}

  /** Adds a node; returns its first output as a function body spells it. */
  node(op: string, inputs: string[], attributes: Record<string, unknown> = {}, name = `${op}_${this.count++}`): string {
    this.nodes.push({ name, op, input: inputs, attr: attributes });
    return `${name}:output:0`;
  }

  constant(values: number[], shape: number[], dtype: TfjsElementType = 'float32'): string {
    return `${this.model.constant(values, shape, dtype, { into: this.nodes })}:output:0`;
  }
}

function encodeWeight(weight: WeightEntry): { bytes: Buffer; spec: Record<string, unknown> } {
  const spec: Record<string, unknown> = { name: weight.name, shape: weight.shape, dtype: weight.dtype };
  if (weight.dtype === 'string') {
    const parts = (weight.values as string[]).flatMap((value) => {
      const text = Buffer.from(value);
      const length = Buffer.alloc(4);
      length.writeUInt32LE(text.length);
      return [length, text];
    });
    return { bytes: Buffer.concat(parts), spec };
  }
  const values = weight.values as number[];
  if (weight.quantization === 'uint8') {
    const min = Math.min(...values);
    const scale = (Math.max(...values) - min) / 255 || 1;
    spec.quantization = { dtype: 'uint8', min, scale, original_dtype: weight.dtype };
    return { bytes: Buffer.from(values.map((v) => Math.round((v - min) / scale))), spec };
  }
  if (weight.quantization === 'float16') {
    spec.quantization = { dtype: 'float16', original_dtype: weight.dtype };
    return { bytes: Buffer.from(new Float16Array(values).buffer), spec };
  }
  const bytes = Buffer.alloc((weight.dtype === 'bool' ? 1 : 4) * values.length);
  values.forEach((v, i) => {
    if (weight.dtype === 'float32') bytes.writeFloatLE(v, 4 * i);
    else if (weight.dtype === 'int32') bytes.writeInt32LE(v, 4 * i);
    else bytes.writeUInt8(v ? 1 : 0, i);
  });
  return { bytes, spec };
}

export async function loadReference(modelJson: string): Promise<GraphModel> {
  return loadGraphModel(fileSystemLoader(modelJson));
}

export async function convertGraphModel(modelJson: string, options?: ConvertOptions): Promise<ConvertedModel> {
  const onnxPath = path.join(path.dirname(modelJson), `model-${options?.opset ?? 13}.onnx`);
  return { onnxPath, summary: await convertModelToFile(modelJson, onnxPath, options) };
}

/** tfjs-converter's outputs for the ONNX model's outputs, by name (executeAsync where the graph needs it). */
export async function referenceOutputs(model: GraphModel, feeds: Record<string, tf.Tensor>, names: string[]): Promise<tf.Tensor[]> {
  return executeGraphModel(model, feeds, names);
}

export interface MatchOptions extends ConvertOptions {
  /** Skip the checker (when the caller checks many files in one run). */
  checked?: boolean;
  /** An equivalent graph tfjs can run, for ops tfjs-converter lacks (SpaceToDepth, fused batch norm). */
  reference?: string;
}

/** Converts, checks and compares every output of a built GraphModel with tfjs-converter's; returns the conversion. */
export async function expectGraphModelMatches(
  modelJson: string,
  feeds: Record<string, tf.Tensor>,
  options: MatchOptions = {},
): Promise<ConvertedModel> {
  const converted = await convertGraphModel(modelJson, options);
  if (options.checked !== false) {
    const [error] = await checkOnnxModels([converted.onnxPath]);
    expect(error, 'onnx.checker').toBe('');
  }
  const reference = await loadReference(options.reference ?? modelJson);
  const names = converted.summary.outputs.map((output) => output.name);
  const expected = await referenceOutputs(reference, feeds, names);
  const actual = await runOnnx(converted.onnxPath, feeds);
  names.forEach((name, i) => {
    expectClose(actual[name], expected[i], name);
  });
  tf.dispose(expected);
  reference.dispose();
  return converted;
}

/** Transposes whose input comes from a Conv/pool and whose output (through any chain of elementwise ops) reaches another. */
export async function transposesBetweenConvolutions(onnxPath: string): Promise<number> {
  const nodes = await onnxNodes(onnxPath);
  const producer = new Map(nodes.flatMap((node) => node.outputs.map((output) => [output, node] as const)));
  const spatial = new Set(['Conv', 'ConvTranspose', 'MaxPool', 'AveragePool']);
  const passThrough = new Set(['Relu', 'Clip', 'Add', 'Mul', 'Sigmoid', 'PRelu', 'LeakyRelu', 'Elu', 'Pad', 'Sub', 'Max', 'Min', 'Sum']);
  const fromSpatial = (name: string, seen = new Set<string>()): boolean => {
    const node = producer.get(name);
    if (!node || seen.has(name)) return false;
    seen.add(name);
    if (spatial.has(node.opType)) return true;
    if (node.opType === 'Transpose') return false;
    return passThrough.has(node.opType) && node.inputs.some((input) => fromSpatial(input, seen));
  };
  return nodes.filter(
    (node) =>
      node.opType === 'Transpose' &&
      fromSpatial(node.inputs[0]) &&
      nodes.some((consumer) => spatial.has(consumer.opType) && reaches(node.outputs[0], consumer, nodes, passThrough)),
  ).length;
}

function reaches(
  tensor: string,
  target: { inputs: string[] },
  nodes: { opType: string; inputs: string[]; outputs: string[] }[],
  through: Set<string>,
  depth = 0,
): boolean {
  if (target.inputs.includes(tensor)) return true;
  if (depth > 8) return false;
  return nodes.some(
    (node) =>
      node.inputs.includes(tensor) &&
      (through.has(node.opType) || node.opType === 'Transpose') &&
      node.outputs.some((output) => reaches(output, target, nodes, through, depth + 1)),
  );
}
