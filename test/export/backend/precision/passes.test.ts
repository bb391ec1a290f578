/**
 * The precision passes on hand-built graphs: where Casts go, what stays float32, which forms q8
 * writes. Every result is also run on onnxruntime-node against the float32 graph and checked by
 * the official checker.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { GraphBuilder, attr } from '../../../../export/backend/graph/graphBuilder.ts';
import { encodeModel } from '../../../../export/backend/onnx/encodeModel.ts';
import { parseDtypeList, variantPath, withPrecision, type Dtype, type QuantizeForms } from '../../../../export/backend/precision/index.ts';
import { dequantizeInt8, quantizeInt8 } from '../../../../export/backend/precision/int8Weights.ts';
import { checkOnnxModel, maxAbsDifference, removeTemporaryDirectories, seededRandom, temporaryDirectory } from '../../harness.ts';

afterAll(removeTemporaryDirectories);

const random = seededRandom(5);
const values = (size: number, scale = 1) => Array.from({ length: size }, () => (random() - 0.5) * scale);

async function evaluate(
  graph: GraphBuilder,
  feeds: Record<string, Float32Array>,
  shapes: Record<string, number[]>,
  opset = 13,
): Promise<Record<string, Float32Array>> {
  const bytes = encodeModel(graph, { opset, graphName: 'test', producerName: 'test', producerVersion: '0', docString: '', metadata: {} });
  const file = path.join(await temporaryDirectory(), 'model.onnx');
  await writeFile(file, bytes);
  await checkOnnxModel(file);
  const session = await ort.InferenceSession.create(bytes);
  try {
    const inputs = Object.fromEntries(Object.entries(feeds).map(([name, data]) => [name, new ort.Tensor('float32', data, shapes[name])]));
    const result = await session.run(inputs);
    return Object.fromEntries(session.outputNames.map((name) => [name, result[name].data as Float32Array]));
  } finally {
    await session.release();
  }
}

/** x [2, 6] → MatMul(W) → Relu → y, plus z = Concat(W rows) computed from weights alone. */
function denseGraph(): GraphBuilder {
  const g = new GraphBuilder();
  g.inputs.push({ name: 'x', elementType: 'float32', shape: ['batch', 6] });
  const w = g.floatConstant('w', [6, 4], values(24));
  g.nodeWithOutputName('Relu', [g.node('MatMul', ['x', w])], 'y');
  g.nodeWithOutputName('Concat', [w, g.floatConstant('v', [2, 4], values(8))], 'z', { axis: attr.int(0) });
  g.outputs.push({ name: 'y', elementType: 'float32', shape: ['batch', 4] }, { name: 'z', elementType: 'float32', shape: [8, 4] });
  return g;
}

const castsOf = (graph: GraphBuilder) => graph.nodes.filter((node) => node.opType === 'Cast');

describe('fp16 pass', () => {
  it('stores weights as float16, casts them for float32-only ops, and keeps float32 inputs and outputs', async () => {
    const fp32 = denseGraph();
    const { graph, summary } = withPrecision(fp32, 'fp16');
    expect(fp32.initializers.every((initializer) => initializer.dataType === 'float32')).toBe(true);
    expect(graph.initializers.map((initializer) => initializer.dataType)).toEqual(['float16', 'float16']);
    // MatMul has no float16 kernel: its weight is cast (folded at load), its activations never are.
    const matMul = graph.nodes.find((node) => node.opType === 'MatMul')!;
    expect(matMul.inputs[0]).toBe('x');
    // Concat of weights computes in float16; the graph output gets its float32 back under its name.
    expect(castsOf(graph).map((node) => [node.inputs[0].split('/')[0], node.attributes.to])).toEqual([
      ['w', attr.int(1)],
      ['z', attr.int(1)],
    ]);
    expect(graph.outputs.map((output) => [output.name, output.elementType])).toEqual([
      ['y', 'float32'],
      ['z', 'float32'],
    ]);
    expect(summary).toMatchObject({ dtype: 'fp16', float16: { float16Nodes: 1, float16Initializers: 2, castsAdded: 2 } });

    const x = Float32Array.from(values(12));
    const expected = await evaluate(fp32, { x }, { x: [2, 6] });
    const actual = await evaluate(graph, { x }, { x: [2, 6] });
    expect(maxAbsDifference(actual.y, expected.y)).toBeLessThan(2e-3);
    expect(maxAbsDifference(actual.z, expected.z)).toBeLessThan(5e-4);
  });

  it('runs a float16 chain (Gather → LayerNormalization) in float16 and casts once into the float32 op after it', async () => {
    const g = new GraphBuilder();
    g.inputs.push({ name: 'ids', elementType: 'int64', shape: [3] });
    const table = g.floatConstant('table', [10, 4], values(40));
    const normalized = g.node(
      'LayerNormalization',
      [g.node('Gather', [table, 'ids']), g.floatConstant('gamma', [4], values(4)), g.floatConstant('beta', [4], values(4))],
      { axis: attr.int(-1) },
    );
    g.nodeWithOutputName('Sigmoid', [normalized], 'y');
    g.outputs.push({ name: 'y', elementType: 'float32', shape: [3, 4] });
    const { graph } = withPrecision(g, 'fp16');
    expect(castsOf(graph).map((node) => node.inputs[0])).toEqual([normalized]);
    expect(graph.nodes.map((node) => node.opType)).toEqual(['Gather', 'LayerNormalization', 'Cast', 'Sigmoid']);
    await checkGraph(graph, 17);
  });

  it('keeps Resize scales float32 (the op requires it) and values float16 cannot hold', async () => {
    const g = new GraphBuilder();
    g.inputs.push({ name: 'x', elementType: 'float32', shape: [1, 1, 2, 2] });
    const huge = g.floatConstant('huge', [1], [1e6]);
    g.nodeWithOutputName('Resize', [g.node('Mul', ['x', huge]), '', g.floatConstant('scales', [4], [1, 1, 2, 2])], 'y', {
      mode: attr.string('nearest'),
    });
    g.outputs.push({ name: 'y', elementType: 'float32', shape: [1, 1, 4, 4] });
    const { graph } = withPrecision(g, 'fp16');
    expect(graph.initializers.map((initializer) => [initializer.name, initializer.dataType])).toEqual([
      ['huge', 'float32'],
      ['scales', 'float32'],
    ]);
    await checkGraph(graph);
  });
});

async function checkGraph(graph: GraphBuilder, opset = 13): Promise<void> {
  const bytes = encodeModel(graph, { opset, graphName: 'test', producerName: 'test', producerVersion: '0', docString: '', metadata: {} });
  const file = path.join(await temporaryDirectory(), 'model.onnx');
  await writeFile(file, bytes);
  await checkOnnxModel(file);
  await (await ort.InferenceSession.create(bytes)).release();
}

/** x [2, 1, 5, 5] → Conv → Relu → Flatten → Gemm(transB, alpha, beta, C) → y. */
function convGemmGraph(): GraphBuilder {
  const g = new GraphBuilder();
  g.inputs.push({ name: 'x', elementType: 'float32', shape: ['batch', 1, 5, 5] });
  const conv = g.node('Conv', ['x', g.floatConstant('kernel', [3, 1, 3, 3], values(27)), g.floatConstant('bias', [3], values(3))], {
    kernel_shape: attr.ints([3, 3]),
  });
  const flat = g.node('Flatten', [g.node('Relu', [conv])]);
  g.nodeWithOutputName('Gemm', [flat, g.floatConstant('w', [4, 27], values(108)), g.floatConstant('c', [4], values(4))], 'y', {
    transB: attr.int(1),
    alpha: attr.float(0.5),
    beta: attr.float(2),
  });
  g.outputs.push({ name: 'y', elementType: 'float32', shape: ['batch', 4] });
  return g;
}

describe('q8 pass', () => {
  const x = Float32Array.from(values(50, 2));
  const forms: [Partial<QuantizeForms>, string[]][] = [
    [{}, ['Mul', 'Cast', 'Conv', 'Relu', 'Flatten', 'DynamicQuantizeLinear', 'MatMulInteger', 'Cast', 'Mul', 'Mul', 'Add']],
    [
      { matMul: 'qdq', conv: 'qdq' },
      [
        'DequantizeLinear',
        'DynamicQuantizeLinear',
        'DequantizeLinear',
        'Conv',
        'Relu',
        'Flatten',
        'DequantizeLinear',
        'DynamicQuantizeLinear',
        'DequantizeLinear',
        'MatMul',
        'Add',
      ],
    ],
    [
      { matMul: 'int8-weights', conv: 'integer' },
      ['Mul', 'Cast', 'DynamicQuantizeLinear', 'ConvInteger', 'Cast', 'Mul', 'Mul', 'Add', 'Relu', 'Flatten', 'Gemm'],
    ],
    [
      { matMul: 'integer', conv: 'integer', perChannel: false },
      [
        'DynamicQuantizeLinear',
        'ConvInteger',
        'Cast',
        'Mul',
        'Mul',
        'Add',
        'Relu',
        'Flatten',
        'DynamicQuantizeLinear',
        'MatMulInteger',
        'Cast',
        'Mul',
        'Mul',
        'Add',
      ],
    ],
  ];
  it.each(forms)('writes the forms %j, close to the float32 graph', async (chosen, ops) => {
    const fp32 = convGemmGraph();
    const { graph, summary } = withPrecision(fp32, 'q8', chosen);
    expect(graph.nodes.map((node) => node.opType).sort()).toEqual([...ops].sort());
    expect(summary).toMatchObject({ dtype: 'q8', quantization: { quantizedMatMuls: 1, quantizedWeightNodes: 1, unchanged: [] } });
    expect(
      graph.initializers
        .filter((initializer) => initializer.dataType === 'float32')
        .every((initializer) => initializer.values.length <= 27),
    ).toBe(true);
    const expected = await evaluate(fp32, { x }, { x: [2, 1, 5, 5] });
    const actual = await evaluate(graph, { x }, { x: [2, 1, 5, 5] });
    const scale = Math.max(...Array.from(expected.y, Math.abs));
    expect(maxAbsDifference(actual.y, expected.y) / scale).toBeLessThan(0.03);
  });

  it('writes MatMul/Gemm so that onnxruntime fuses each into one integer DynamicQuantizeMatMul kernel', async () => {
    const { graph } = withPrecision(convGemmGraph(), 'q8');
    const bytes = encodeModel(graph, {
      opset: 13,
      graphName: 'test',
      producerName: 'test',
      producerVersion: '0',
      docString: '',
      metadata: {},
    });
    const prefix = path.join(await temporaryDirectory(), 'profile');
    const session = await ort.InferenceSession.create(bytes, { enableProfiling: true, profileFilePrefix: prefix });
    await session.run({ x: new ort.Tensor('float32', x, [2, 1, 5, 5]) });
    session.endProfiling();
    await session.release();
    const directory = path.dirname(prefix);
    const profile = (await readdir(directory)).find((name) => name.startsWith('profile'))!;
    const kernels = (JSON.parse(await readFile(path.join(directory, profile), 'utf8')) as { cat: string; args: { op_name?: string } }[])
      .filter((event) => event.cat === 'Node')
      .map((event) => event.args.op_name);
    expect(kernels).toContain('DynamicQuantizeMatMul');
    expect(kernels).not.toContain('MatMulInteger');
  });

  it('leaves a Gemm with transposed activations alone and says why', () => {
    const g = new GraphBuilder();
    g.inputs.push({ name: 'x', elementType: 'float32', shape: [3, 2] });
    g.nodeWithOutputName('Gemm', ['x', g.floatConstant('w', [3, 4], values(12))], 'y', { transA: attr.int(1) });
    g.outputs.push({ name: 'y', elementType: 'float32', shape: [2, 4] });
    const { summary } = withPrecision(g, 'q8');
    expect(summary).toMatchObject({
      quantization: { quantizedMatMuls: 0, unchanged: [{ opType: 'Gemm', reason: 'transA=1 (its activations are transposed)' }] },
    });
  });

  it('quantizes symmetric int8 per channel within half a step of each weight', () => {
    const weights = Float32Array.from(values(60, 4));
    const dims = [3, 4, 5];
    for (const axis of [0, 1, 2, undefined]) {
      const quantized = quantizeInt8(weights, dims, axis);
      expect(quantized.scales.length).toBe(axis === undefined ? 1 : dims[axis]);
      expect(Math.max(...Array.from(quantized.values, Math.abs))).toBe(127);
      const restored = dequantizeInt8(quantized, dims, axis);
      weights.forEach((w, i) => {
        expect(Math.abs(restored[i] - w)).toBeLessThanOrEqual(Math.max(...quantized.scales) / 2 + 1e-7);
      });
    }
  });
});

describe('dtype names', () => {
  it('parses --dtype lists in canonical order and rejects unknown or repeated names', () => {
    expect(parseDtypeList('q8,fp32')).toEqual(['fp32', 'q8'] satisfies Dtype[]);
    expect(() => parseDtypeList('fp32,int4')).toThrow('--dtype takes fp32, fp16, q8 (comma-separated); "int4" is not one of them');
    expect(() => parseDtypeList('fp16,fp16')).toThrow('--dtype names fp16 twice');
    expect(() => parseDtypeList('fp16,')).toThrow('comma-separated list');
  });

  it('names variants as JavaScript model hubs do', () => {
    expect(['fp32', 'fp16', 'q8'].map((dtype) => variantPath('out/model.onnx', dtype as Dtype))).toEqual([
      'out/model.onnx',
      'out/model_fp16.onnx',
      'out/model_quantized.onnx',
    ]);
    expect(variantPath('mnist', 'q8')).toBe('mnist_quantized.onnx');
  });

  it('rejects unknown quantization forms', () => {
    expect(() => withPrecision(denseGraph(), 'q8', { matMul: 'qlinear' as never })).toThrow(
      'option quantization.matMul must be one of integer, qdq, int8-weights, got "qlinear"',
    );
  });
});
