import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomTensor, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { expectOnnxMatchesTfjs, nodeOps, randomSequential, randomizeWeights } from '../harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

describe('normalization layers', () => {
  it('converts BatchNormalization with random statistics after a convolution (channels at stored axis 1)', async () => {
    const model = randomSequential(
      [
        tf.layers.conv2d({ inputShape: [5, 5, 2], filters: 3, kernelSize: 3, padding: 'same' }),
        tf.layers.batchNormalization({ epsilon: 0.01 }),
        tf.layers.batchNormalization({ center: false, scale: false }),
      ],
      31,
    );
    const { summary } = await expectOnnxMatchesTfjs(model);
    expect(summary.layers[2].onnxNodes).toEqual(['BatchNormalization']);
  });

  it('converts BatchNormalization on channels_last data, on features and on a non-channel axis', async () => {
    const input = tf.input({ shape: [4, 3, 2] });
    const lastAxis = tf.layers.batchNormalization({ name: 'bn_last' }).apply(input) as tf.SymbolicTensor;
    const heightAxis = tf.layers.batchNormalization({ axis: 1, name: 'bn_height' }).apply(input) as tf.SymbolicTensor;
    const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
    const features = tf.layers.batchNormalization({ scale: false, name: 'bn_features' }).apply(flat) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: [lastAxis, heightAxis, features] });
    randomizeWeights(model, 32);
    const x = randomTensor([3, 4, 3, 2], 6);
    const [last, , flatFeatures] = model.predict(x) as tf.Tensor[];
    // tfjs's cpu batchNorm kernel cycles its statistics along the last axis only, so for axis 1
    // the Keras definition is evaluated with broadcasting ops instead.
    const [gamma, beta, mean, variance] = model
      .getLayer('bn_height')
      .getWeights()
      .map((w) => w.reshape([1, 4, 1, 1]));
    const height = tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-3))), gamma), beta);
    const { summary } = await expectOnnxMatchesTfjs(model, { inputs: [x], expected: [last, height, flatFeatures] });
    // NHWC storage: the last axis is folded into Mul/Add, axis 1 and 2-d features use the op.
    expect(summary.layers.find((l) => l.name === 'bn_last')?.onnxNodes).toEqual(['Mul', 'Add']);
    expect(summary.layers.find((l) => l.name === 'bn_height')?.onnxNodes).toEqual(['BatchNormalization']);
    expect(summary.layers.find((l) => l.name === 'bn_features')?.onnxNodes).toEqual(['BatchNormalization']);
  });

  for (const opset of [13, 17]) {
    it(`converts LayerNormalization over the last axis and over several axes (opset ${opset})`, async () => {
      const input = tf.input({ shape: [3, 4, 5] });
      const last = tf.layers.layerNormalization({ name: 'ln_last' }).apply(input) as tf.SymbolicTensor;
      const trailing = tf.layers
        .layerNormalization({ axis: [-2, -1], epsilon: 0.01, name: 'ln_trailing' })
        .apply(input) as tf.SymbolicTensor;
      const inner = tf.layers.layerNormalization({ axis: [1, 2], center: false, name: 'ln_inner' }).apply(input) as tf.SymbolicTensor;
      const model = tf.model({ inputs: input, outputs: [last, trailing, inner] });
      randomizeWeights(model, 33);
      const { summary } = await expectOnnxMatchesTfjs(model, { opset });
      expect(summary.opset).toBe(opset);
      const single = summary.layers.find((l) => l.name === 'ln_last')?.onnxNodes;
      expect(single).toEqual(opset >= 17 ? ['LayerNormalization'] : expect.arrayContaining(['ReduceMean', 'Sqrt']));
      // Axes 1 and 2 of a rank-4 tensor are not trailing: decomposed in every opset.
      expect(summary.layers.find((l) => l.name === 'ln_inner')?.onnxNodes).toContain('ReduceMean');
      if (opset < 17) expect(nodeOps(summary)).not.toContain('LayerNormalization');
    });
  }
});
