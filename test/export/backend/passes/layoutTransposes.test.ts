/**
 * The two layout passes: a Transpose feeding Flatten/Reshape → MatMul/Gemm folds into the weight's
 * rows, and a Transpose moving only size-1 axes becomes a Reshape. Checked end to end on converted
 * tfjs models (the rewrite happens, and onnxruntime still matches tfjs) and on small hand-built
 * graphs, where the optimized graph must compute what the unoptimized one does and the cases a
 * rewrite would break are left alone.
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder, attr } from '../../../../export/backend/graph/graphBuilder.ts';
import { encodeModel } from '../../../../export/backend/onnx/encodeModel.ts';
import { optimizeGraph } from '../../../../export/backend/passes/index.ts';
import { removeTemporaryDirectories, seededRandom, useCpuBackend } from '../../harness.ts';
import { expectOnnxMatchesTfjs, nodeOps, randomSequential } from '../../layersModel/harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

/** The summed products are the same and only their order changes, so float32 rounding is all that may differ. */
const TIGHT = 1e-5;

describe('layout passes on converted models', () => {
  it('leaves the MNIST-style CNN without a Transpose: a Reshape at the one-channel input, the flatten order in the Dense kernel', async () => {
    const model = randomSequential(
      [
        tf.layers.conv2d({ inputShape: [10, 9, 1], filters: 4, kernelSize: 3, activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 6, kernelSize: 2, activation: 'relu' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 5, activation: 'relu' }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
      71,
    );
    const { summary } = await expectOnnxMatchesTfjs(model, { tolerance: TIGHT });
    expect(nodeOps(summary)).not.toContain('Transpose');
    expect(summary.layers.map((layer) => layer.onnxNodes)).toEqual([
      [],
      ['Reshape', 'Conv', 'Relu'],
      ['MaxPool'],
      ['Conv', 'Relu'],
      ['Flatten'],
      ['Gemm', 'Relu'],
      ['Gemm', 'Softmax'],
    ]);
  });

  it('folds the Transpose before a Keras Reshape into a Dense kernel, and keeps the input Transpose of a 3-channel image', async () => {
    const model = randomSequential(
      [
        tf.layers.conv2d({ inputShape: [6, 5, 3], filters: 4, kernelSize: 2, padding: 'same' }),
        tf.layers.reshape({ targetShape: [120] }),
        tf.layers.dense({ units: 3 }),
      ],
      72,
    );
    const { summary } = await expectOnnxMatchesTfjs(model, { tolerance: TIGHT });
    expect(summary.layers.map((layer) => layer.onnxNodes)).toEqual([[], ['Transpose', 'Conv'], ['Reshape'], ['Gemm']]);
  });

  it('keeps the Transpose when the flattened features also leave the model', async () => {
    const input = tf.input({ shape: [4, 4, 2] });
    const features = tf.layers.flatten().apply(tf.layers.conv2d({ filters: 3, kernelSize: 3 }).apply(input)) as tf.SymbolicTensor;
    const scores = tf.layers.dense({ units: 2 }).apply(features) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: [features, scores] });
    const { summary } = await expectOnnxMatchesTfjs(model, { tolerance: TIGHT });
    expect(nodeOps(summary).filter((op) => op === 'Transpose')).toHaveLength(2);
  });
});

/** A graph from `build`, its output as computed by onnxruntime before and after optimizeGraph, and the op types after. */
async function beforeAndAfter(inputShape: (number | string)[], feedShape: number[], build: (g: GraphBuilder, x: string) => string) {
  const make = () => {
    const g = new GraphBuilder();
    g.reserveExactName('x');
    g.inputs.push({ name: 'x', elementType: 'float32', shape: inputShape });
    const y = build(g, 'x');
    g.nodes.push({ name: 'output', opType: 'Identity', inputs: [y], outputs: ['y'], attributes: {}, layerName: '' });
    g.outputs.push({ name: 'y', elementType: 'float32', shape: [] });
    return g;
  };
  const random = seededRandom(5);
  const x = Float32Array.from({ length: feedShape.reduce((p, s) => p * s, 1) }, () => random() - 0.5);
  const run = async (g: GraphBuilder) => {
    const bytes = encodeModel(g, { opset: 13, graphName: 'g', producerName: 'test', producerVersion: '0', docString: '', metadata: {} });
    const session = await ort.InferenceSession.create(bytes);
    try {
      const result = await session.run({ x: new ort.Tensor('float32', x, feedShape) });
      return result.y;
    } finally {
      await session.release();
    }
  };
  const reference = await run(make());
  const optimized = make();
  optimizeGraph(optimized);
  const actual = await run(optimized);
  return { reference, actual, ops: optimized.nodes.map((node) => node.opType), graph: optimized };
}

function weight(g: GraphBuilder, name: string, dims: number[], seed: number): string {
  const random = seededRandom(seed);
  return g.floatConstant(
    name,
    dims,
    Array.from({ length: dims[0] * dims[1] }, () => random() - 0.5),
  );
}

function expectSameOutput({ reference, actual }: { reference: ort.Tensor; actual: ort.Tensor }): void {
  expect(actual.dims).toEqual(reference.dims);
  const a = actual.data as Float32Array;
  const b = reference.data as Float32Array;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  expect(max).toBeLessThanOrEqual(1e-6);
}

const transpose = (g: GraphBuilder, x: string, perm: number[]) => g.node('Transpose', [x], { perm: attr.ints(perm) });

describe('folding a Transpose into the weight of the product after it', () => {
  it('folds a rank-5 permutation through Reshape [0, -1] into MatMul', async () => {
    const result = await beforeAndAfter(['n', 2, 3, 4, 2], [3, 2, 3, 4, 2], (g, x) =>
      g.node('MatMul', [
        g.node('Reshape', [transpose(g, x, [0, 3, 1, 4, 2]), g.int64Constant('shape', [0, -1])]),
        weight(g, 'w', [48, 5], 1),
      ]),
    );
    expect(result.ops).toEqual(['Reshape', 'MatMul']);
    expectSameOutput(result);
  });

  it('folds into Gemm with transB (the weight stored as [outputs, features]) and copies a weight another node also reads', async () => {
    const result = await beforeAndAfter(['n', 3, 2, 2], [2, 3, 2, 2], (g, x) => {
      const w = weight(g, 'w', [4, 12], 2);
      const folded = g.node('Gemm', [g.node('Flatten', [transpose(g, x, [0, 2, 3, 1])]), w], { transB: attr.int(1) });
      const direct = g.node('Gemm', [g.node('Flatten', [x]), w], { transB: attr.int(1) });
      return g.node('Add', [folded, direct]);
    });
    expect(result.ops).toEqual(['Flatten', 'Gemm', 'Flatten', 'Gemm', 'Add']);
    expect(result.graph.initializers).toHaveLength(2);
    expectSameOutput(result);
  });

  it('leaves a Transpose that moves the batch axis, feeds two nodes, or meets a weight that is not a constant', async () => {
    const movesBatch = await beforeAndAfter([3, 2, 4], [3, 2, 4], (g, x) =>
      g.node('MatMul', [g.node('Flatten', [transpose(g, x, [1, 0, 2])]), weight(g, 'w', [12, 2], 3)]),
    );
    expect(movesBatch.ops).toEqual(['Transpose', 'Flatten', 'MatMul']);
    const twoReaders = await beforeAndAfter(['n', 2, 3], [2, 2, 3], (g, x) => {
      const t = transpose(g, x, [0, 2, 1]);
      return g.node('Add', [g.node('MatMul', [g.node('Flatten', [t]), weight(g, 'w', [6, 6], 4)]), g.node('Flatten', [t])]);
    });
    expect(twoReaders.ops).toContain('Transpose');
    expectSameOutput(twoReaders);
    const computedWeight = await beforeAndAfter(['n', 2, 3], [2, 2, 3], (g, x) => {
      const w = g.node('Relu', [weight(g, 'w', [6, 4], 5)]);
      return g.node('MatMul', [g.node('Flatten', [transpose(g, x, [0, 2, 1])]), w]);
    });
    expect(computedWeight.ops).toContain('Transpose');
  });
});

describe('a Transpose of size-1 axes as a Reshape', () => {
  it('rewrites [n, h, w, 1] → [n, 1, h, w] and [1, n, 1, c] → [n, 1, 1, c], keeping a symbolic batch', async () => {
    const image = await beforeAndAfter(['n', 3, 4, 1], [2, 3, 4, 1], (g, x) => g.node('Relu', [transpose(g, x, [0, 3, 1, 2])]));
    expect(image.ops).toEqual(['Reshape', 'Relu']);
    expect(Array.from(image.graph.initializers[0].values as BigInt64Array, Number)).toEqual([0, 1, 3, 4]);
    expectSameOutput(image);
    const leading = await beforeAndAfter([1, 'n', 1, 5], [1, 2, 1, 5], (g, x) => g.node('Relu', [transpose(g, x, [1, 2, 0, 3])]));
    expect(leading.ops).toEqual(['Reshape', 'Relu']);
    expect(Array.from(leading.graph.initializers[0].values as BigInt64Array, Number)).toEqual([-1, 1, 1, 5]);
    expectSameOutput(leading);
  });

  it('keeps a Transpose that reorders axes larger than 1, or two unknown sizes that both move', async () => {
    const reorders = await beforeAndAfter(['n', 2, 3, 1], [2, 2, 3, 1], (g, x) => g.node('Relu', [transpose(g, x, [0, 2, 1, 3])]));
    expect(reorders.ops).toEqual(['Transpose', 'Relu']);
    const twoUnknown = await beforeAndAfter(['n', 'm', 1], [2, 3, 1], (g, x) => g.node('Relu', [transpose(g, x, [2, 0, 1])]));
    expect(twoUnknown.ops).toEqual(['Transpose', 'Relu']);
    expectSameOutput(twoUnknown);
  });
});
