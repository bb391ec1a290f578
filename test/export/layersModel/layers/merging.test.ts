import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomTensor, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { expectConvertedMatches, expectOnnxMatchesTfjs, nodeOps, randomizeWeights, rewriteJson, saveModel } from '../harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;

describe('merge layers and functional graphs', () => {
  it('converts every merge layer on a model with two inputs, branches and two outputs', async () => {
    const left = tf.input({ shape: [6], name: 'left' });
    const right = tf.input({ shape: [6], name: 'right' });
    const a = apply(tf.layers.dense({ units: 4, activation: 'tanh' }), left);
    const b = apply(tf.layers.dense({ units: 4 }), right);
    const c = apply(tf.layers.dense({ units: 4, activation: 'sigmoid' }), left);
    const merged = [
      apply(tf.layers.add({}), [a, b, c]),
      apply(tf.layers.add({}), [a, b]),
      apply(tf.layers.multiply({}), [a, b, c]),
      apply(tf.layers.average({}), [a, b, c]),
      apply(tf.layers.maximum({}), [a, b, c]),
      apply(tf.layers.minimum({}), [a, b]),
      apply(tf.layers.concatenate({}), [a, b, c]),
    ];
    const joined = apply(tf.layers.concatenate({ name: 'joined' }), merged);
    const scores = apply(tf.layers.dense({ units: 3, activation: 'softmax', name: 'scores' }), joined);
    const model = tf.model({ inputs: [left, right], outputs: [scores, merged[1]] });
    randomizeWeights(model, 61);
    const { summary } = await expectOnnxMatchesTfjs(model);
    expect(summary.inputs.map((i) => i.name)).toEqual(['left', 'right']);
    expect(summary.outputs.map((o) => o.name)).toEqual(['scores', merged[1].sourceLayer.name]);
    expect(nodeOps(summary)).toEqual(expect.arrayContaining(['Sum', 'Add', 'Mul', 'Mean', 'Max', 'Min', 'Concat']));
  });

  it('converts Subtract (Keras; tfjs has no such layer), matching a − b', async () => {
    const left = tf.input({ shape: [2, 3], name: 'minuend' });
    const right = tf.input({ shape: [2, 3], name: 'subtrahend' });
    const model = tf.model({ inputs: [left, right], outputs: apply(tf.layers.add({ name: 'difference' }), [left, right]) });
    const modelJson = await saveModel(model);
    await rewriteJson(modelJson, (json) => {
      json.modelTopology.config.layers.find((l: { name: string }) => l.name === 'difference').class_name = 'Subtract';
    });
    const [a, b] = [randomTensor([3, 2, 3], 1), randomTensor([3, 2, 3], 2)];
    const { summary } = await expectConvertedMatches(modelJson, model, { inputs: [a, b], expected: [tf.sub(a, b)] });
    expect(summary.layers.find((l) => l.name === 'difference')?.onnxNodes).toEqual(['Sub']);
  });

  it('converts a MobileNet-style block: depthwise, batchnorm, relu6, pointwise, residual add — NCHW throughout', async () => {
    const input = tf.input({ shape: [8, 8, 4] });
    let x = apply(tf.layers.conv2d({ filters: 8, kernelSize: 1, useBias: false }), input);
    x = apply(tf.layers.batchNormalization({}), x);
    x = apply(tf.layers.reLU({ maxValue: 6 }), x);
    x = apply(tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false }), x);
    x = apply(tf.layers.batchNormalization({}), x);
    x = apply(tf.layers.activation({ activation: 'relu6' }), x);
    x = apply(tf.layers.conv2d({ filters: 4, kernelSize: 1, useBias: false }), x);
    x = apply(tf.layers.batchNormalization({}), x);
    const residual = apply(tf.layers.add({}), [input, x]);
    const pooled = apply(tf.layers.globalAveragePooling2d({}), residual);
    const output = apply(tf.layers.dense({ units: 5, activation: 'softmax' }), pooled);
    const model = tf.model({ inputs: input, outputs: output });
    randomizeWeights(model, 62);
    const { summary } = await expectOnnxMatchesTfjs(model);
    // The input is transposed once and shared by the first conv and the residual add.
    expect(nodeOps(summary).filter((op) => op === 'Transpose')).toHaveLength(1);
  });

  it('converts an Inception-style block: parallel convolutions and pooling joined by Concatenate', async () => {
    const input = tf.input({ shape: [7, 7, 3] });
    const branch1 = apply(tf.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'relu' }), input);
    let branch2 = apply(tf.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'relu' }), input);
    branch2 = apply(tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }), branch2);
    let branch3 = apply(tf.layers.conv2d({ filters: 2, kernelSize: 1 }), input);
    branch3 = apply(tf.layers.conv2d({ filters: 2, kernelSize: 5, padding: 'same' }), branch3);
    let branch4 = apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' }), input);
    branch4 = apply(tf.layers.conv2d({ filters: 2, kernelSize: 1 }), branch4);
    const block = apply(tf.layers.concatenate({ axis: -1 }), [branch1, branch2, branch3, branch4]);
    const pooled = apply(tf.layers.averagePooling2d({ poolSize: 2 }), block);
    const flat = apply(tf.layers.flatten(), pooled);
    const output = apply(tf.layers.dense({ units: 4, activation: 'softmax' }), flat);
    const model = tf.model({ inputs: input, outputs: output });
    randomizeWeights(model, 63);
    const { summary } = await expectOnnxMatchesTfjs(model);
    // Concat joins the NCHW branches on their stored channel axis; transposes only at the two edges.
    expect(nodeOps(summary).filter((op) => op === 'Transpose')).toHaveLength(2);
    expect(summary.outputs[0].shape).toEqual(['batch', 4]);
  });

  it('converts a layer shared by two inputs (one layer, two calls)', async () => {
    const first = tf.input({ shape: [5], name: 'first' });
    const second = tf.input({ shape: [5], name: 'second' });
    const shared = tf.layers.dense({ units: 3, activation: 'relu', name: 'shared' });
    const output = apply(tf.layers.maximum({ name: 'larger' }), [apply(shared, first), apply(shared, second)]);
    const model = tf.model({ inputs: [first, second], outputs: output });
    randomizeWeights(model, 64);
    const { summary } = await expectOnnxMatchesTfjs(model);
    expect(summary.layers.find((l) => l.name === 'shared')?.onnxNodes).toEqual(['Gemm', 'Relu', 'Gemm', 'Relu']);
  });

  it('converts Dot (batch_dot) on matrices and sequences, over any axes, with and without normalize', async () => {
    const vectorA = tf.input({ shape: [4], name: 'vector_a' });
    const vectorB = tf.input({ shape: [4], name: 'vector_b' });
    const sequence = tf.input({ shape: [3, 4], name: 'sequence' });
    const other = tf.input({ shape: [5, 4], name: 'other' });
    const outputs = [
      apply(tf.layers.dot({ axes: -1 }), [vectorA, vectorB]),
      apply(tf.layers.dot({ axes: 1, normalize: true }), [vectorA, vectorB]),
      apply(tf.layers.dot({ axes: [2, 2] }), [sequence, other]),
      apply(tf.layers.dot({ axes: [2, 1], normalize: true }), [sequence, vectorA]),
      apply(tf.layers.dot({ axes: [1, 1] }), [
        apply(tf.layers.permute({ dims: [2, 1] }), sequence),
        apply(tf.layers.permute({ dims: [2, 1] }), other),
      ]),
    ];
    const model = tf.model({ inputs: [vectorA, vectorB, sequence, other], outputs });
    const { summary } = await expectOnnxMatchesTfjs(model);
    expect(nodeOps(summary).filter((op) => op === 'Einsum')).toHaveLength(5);
  });
});
