/**
 * Model structures against tfjs: models used as layers (to any depth, called more than once),
 * shared layers stored once, several inputs and outputs, fan-out, inbound node indices other
 * than 0, TimeDistributed over any layer, and the weight names other writers use for them.
 */
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckerBatch, randomTensor, removeTemporaryDirectories, useCpuBackend } from '../harness.ts';
import { expectConvertedMatches, expectOnnxMatchesTfjs, randomizeWeights, rewriteJson, saveModel } from './harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const checker = new CheckerBatch();
const apply = (layer: tf.layers.Layer | tf.LayersModel, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;

/** The initializers of a converted model: name → dims. */
async function initializerShapes(onnxPath: string): Promise<number[][]> {
  const model = onnxProto.onnx.ModelProto.decode(await readFile(onnxPath));
  return (model.graph?.initializer ?? []).map((tensor) => (tensor.dims ?? []).map(Number));
}

/** randomizeWeights for models inside models: every leaf layer gets random weights. */
function randomizeDeep(model: tf.LayersModel, seed: number): void {
  randomizeWeights(model, seed);
  model.layers.forEach((layer, i) => {
    if (layer instanceof tf.LayersModel) randomizeDeep(layer, seed + 17 * (i + 1));
  });
}

describe('models used as layers', () => {
  it('converts a Sequential base model inside a Sequential (the transfer-learning shape)', async () => {
    const base = tf.sequential({
      name: 'base',
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, activation: 'relu', name: 'base_conv' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.batchNormalization({}),
      ],
    });
    const model = tf.sequential({
      layers: [base, tf.layers.globalAveragePooling2d({}), tf.layers.dense({ units: 3, activation: 'softmax', name: 'head' })],
    });
    randomizeDeep(model, 301);
    const { summary } = await expectOnnxMatchesTfjs(model, { checker });
    expect(summary.layers.map((layer) => layer.name)).toContain('base/base_conv');
    expect(summary.layers.find((layer) => layer.name === 'base/base_conv')?.onnxNodes).toContain('Conv');
  });

  it('converts functional models nested three deep, with several inputs and outputs, one of them called twice', async () => {
    const innerIn = tf.input({ shape: [4], name: 'inner_in' });
    const inner = tf.model({
      name: 'inner',
      inputs: innerIn,
      outputs: apply(tf.layers.dense({ units: 4, activation: 'tanh', name: 'inner_dense' }), innerIn),
    });
    const middleA = tf.input({ shape: [4], name: 'middle_a' });
    const middleB = tf.input({ shape: [4], name: 'middle_b' });
    const middleSum = apply(tf.layers.add({}), [
      apply(inner, middleA),
      apply(tf.layers.dense({ units: 4, name: 'middle_dense' }), middleB),
    ]);
    const middle = tf.model({
      name: 'middle',
      inputs: [middleA, middleB],
      outputs: [middleSum, apply(tf.layers.dense({ units: 2, name: 'middle_side' }), middleA)],
    });
    const left = tf.input({ shape: [4], name: 'left' });
    const right = tf.input({ shape: [4], name: 'right' });
    const [sum, side] = middle.apply([left, right]) as tf.SymbolicTensor[];
    // The same nested model again, on swapped inputs: its weights are stored once.
    const [swapped] = middle.apply([right, left]) as tf.SymbolicTensor[];
    const outputs = [apply(tf.layers.dense({ units: 3, name: 'outer_head' }), apply(tf.layers.concatenate({}), [sum, swapped])), side];
    const model = tf.model({ inputs: [left, right], outputs });
    randomizeDeep(model, 302);
    const { onnxPath, summary } = await expectOnnxMatchesTfjs(model, { checker });
    expect(summary.layers.map((layer) => layer.name)).toEqual(expect.arrayContaining(['middle/inner/inner_dense', 'middle/middle_dense']));
    const kernels = (await initializerShapes(onnxPath)).filter((dims) => dims.length === 2 && dims[0] === 4 && dims[1] === 4);
    // inner_dense and middle_dense: one [4, 4] kernel each, however often they run.
    expect(kernels).toHaveLength(2);
  });
});

describe('shared layers and graph shapes', () => {
  it('stores a shared layer once, follows inbound node indices other than 0, and fans one tensor out to several consumers and an output', async () => {
    const a = tf.input({ shape: [5], name: 'a' });
    const b = tf.input({ shape: [5], name: 'b' });
    const c = tf.input({ shape: [5], name: 'c' });
    const shared = tf.layers.dense({ units: 6, activation: 'relu', name: 'shared' });
    const first = apply(shared, a);
    const second = apply(shared, b); // node 1 of "shared"
    const third = apply(shared, c); // node 2
    const fanned = apply(tf.layers.dense({ units: 6, name: 'fanned' }), second);
    const outputs = [
      apply(tf.layers.multiply({}), [first, fanned]),
      apply(tf.layers.dense({ units: 2, name: 'from_second' }), second),
      third,
      fanned,
    ];
    const model = tf.model({ inputs: [a, b, c], outputs });
    randomizeWeights(model, 303);
    const modelJson = await saveModel(model);
    const json = JSON.parse(await readFile(modelJson, 'utf8'));
    expect(json.modelTopology.config.output_layers).toContainEqual(['shared', 2, 0]);
    const { onnxPath, summary } = await expectConvertedMatches(modelJson, model, { checker });
    expect(summary.layers.find((layer) => layer.name === 'shared')?.onnxNodes.filter((op) => op === 'Gemm')).toHaveLength(3);
    expect((await initializerShapes(onnxPath)).filter((dims) => dims.join() === '5,6')).toHaveLength(1);
  });
});

describe('TimeDistributed', () => {
  it('applies Dense, Conv2D, a Sequential and an LSTM to every step', async () => {
    const frames = tf.input({ shape: [3, 6, 6, 2], name: 'frames' });
    const perFrame = tf.sequential({
      name: 'per_frame',
      layers: [tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3 }), tf.layers.flatten({})],
    });
    const convolved = apply(
      tf.layers.timeDistributed({ layer: tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', activation: 'relu' }) }),
      frames,
    );
    const embedded = apply(tf.layers.timeDistributed({ layer: perFrame }), convolved);
    const dense = apply(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 4 }) }), embedded);
    const sequences = tf.input({ shape: [2, 5, 3], name: 'sequences' });
    const perSequence = apply(tf.layers.timeDistributed({ layer: tf.layers.lstm({ units: 2 }) }), sequences);
    const model = tf.model({ inputs: [frames, sequences], outputs: [dense, perSequence] });
    randomizeDeep(model, 304);
    await expectOnnxMatchesTfjs(model, { checker });
  });
});

describe('weight names other writers use', () => {
  it('reads Keras 2 names: bidirectional/forward_lstm/lstm_cell/kernel:0 and a nested model scope', async () => {
    const base = tf.sequential({ name: 'base', layers: [tf.layers.dense({ inputShape: [3], units: 3, name: 'base_dense' })] });
    const sequence = tf.input({ shape: [4, 3], name: 'sequence' });
    const encoded = apply(
      tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 2, name: 'lstm' }) as never, name: 'bidirectional' }),
      sequence,
    );
    const features = tf.input({ shape: [3], name: 'features' });
    const model = tf.model({ inputs: [sequence, features], outputs: [encoded, apply(base, features)] });
    randomizeDeep(model, 305);
    const modelJson = await saveModel(model);
    await rewriteJson(modelJson, (json) => {
      json.modelTopology.keras_version = '2.15.0';
      for (const spec of json.weightsManifest[0].weights) {
        const [owner, ...rest] = spec.name.split('/');
        if (owner === 'bidirectional') spec.name = `bidirectional/${rest[0]}/lstm_cell/${rest[1]}:0`;
        if (owner === 'base_dense') spec.name = `base/base_dense/${rest[0]}:0`;
      }
      expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toContain(
        'bidirectional/backward_lstm/lstm_cell/recurrent_kernel:0',
      );
    });
    const x = [randomTensor([3, 4, 3], 306), randomTensor([3, 3], 307)];
    await expectConvertedMatches(modelJson, model, { inputs: x, checker });
  });
});

describe('Keras 3 Bidirectional', () => {
  it('reads the forward and backward layers Keras 3 saves separately (backward_layer, go_backwards true)', async () => {
    const sequence = tf.input({ shape: [5, 3], name: 'sequence' });
    const encoded = apply(
      tf.layers.bidirectional({
        layer: tf.layers.gru({ units: 2, returnSequences: true, name: 'gru' }) as never,
        name: 'bidirectional',
        mergeMode: 'sum',
      }),
      sequence,
    );
    const model = tf.model({ inputs: sequence, outputs: encoded });
    randomizeDeep(model, 308);
    const modelJson = await saveModel(model);
    await rewriteJson(modelJson, (json) => {
      json.modelTopology.keras_version = '3.4.1';
      const bidirectional = json.modelTopology.config.layers.find((layer: { name: string }) => layer.name === 'bidirectional');
      const inner = bidirectional.config.layer;
      inner.config.name = 'forward_gru';
      bidirectional.config.backward_layer = { ...inner, config: { ...inner.config, name: 'backward_gru', go_backwards: true } };
      for (const spec of json.weightsManifest[0].weights) {
        const [, direction, variable] = spec.name.split('/');
        spec.name = `bidirectional/${direction.replace(/_gru.*/, '_gru')}/gru_cell/${variable}`;
      }
    });
    // tfjs's GRU is reset_after=false; Keras 3 defaults to true, so the config must say false (tfjs writes it).
    await expectConvertedMatches(modelJson, model, { checker });
  });
});

it('passes the official ONNX checker on every model above', async () => {
  expect(checker.size).toBeGreaterThan(0);
  await checker.checkAll();
});
