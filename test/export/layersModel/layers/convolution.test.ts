import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomTensor, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { expectConvertedMatches, expectOnnxMatchesTfjs, nodeOps, randomSequential, rewriteJson, saveModel } from '../harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

describe('convolution layers', () => {
  it('converts Conv2D with strides, dilations, same/valid padding, no bias and fused activations', async () => {
    const model = randomSequential(
      [
        tf.layers.conv2d({ inputShape: [9, 8, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
        tf.layers.conv2d({ filters: 5, kernelSize: [3, 2], strides: [2, 1], padding: 'same', useBias: false }),
        tf.layers.conv2d({ filters: 3, kernelSize: 2, dilationRate: 2, padding: 'valid', activation: 'sigmoid' }),
        tf.layers.conv2d({ filters: 2, kernelSize: 2, strides: 2, padding: 'valid' }),
      ],
      11,
    );
    const { summary } = await expectOnnxMatchesTfjs(model);
    expect(nodeOps(summary).filter((op) => op === 'Transpose')).toHaveLength(2);
    expect(summary.outputs[0].shape).toEqual(['batch', 1, 3, 2]);
  });

  it('converts Conv1D with same and valid padding, strides and dilation', async () => {
    const model = randomSequential(
      [
        tf.layers.conv1d({ inputShape: [12, 3], filters: 4, kernelSize: 3, padding: 'same', dilationRate: 2, activation: 'elu' }),
        tf.layers.conv1d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same' }),
        tf.layers.conv1d({ filters: 2, kernelSize: 2, padding: 'valid' }),
      ],
      12,
    );
    await expectOnnxMatchesTfjs(model);
  });

  it('converts Keras causal Conv1D (which tfjs cannot run) as left padding + valid convolution', async () => {
    const model = randomSequential(
      [tf.layers.conv1d({ inputShape: [10, 3], filters: 4, kernelSize: 3, dilationRate: 2, padding: 'valid' })],
      17,
    );
    const modelJson = await saveModel(model);
    await rewriteJson(modelJson, (json) => {
      json.modelTopology.config.layers[0].config.padding = 'causal';
    });
    const x = randomTensor([2, 10, 3], 5);
    // Causal = pad (k − 1)·dilation steps on the left, then a valid convolution.
    const expected = model.layers[0].apply(
      tf.pad(x, [
        [0, 0],
        [4, 0],
        [0, 0],
      ]),
    ) as tf.Tensor;
    const { summary } = await expectConvertedMatches(modelJson, model, { inputs: [x], expected: [expected] });
    expect(summary.outputs[0].shape).toEqual(['batch', 10, 4]);
  });

  it('converts Conv2DTranspose with same and valid padding and kernels smaller and larger than the stride', async () => {
    const model = randomSequential(
      [
        tf.layers.conv2dTranspose({ inputShape: [4, 3, 3], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
        tf.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'valid' }),
        tf.layers.conv2dTranspose({ filters: 2, kernelSize: 1, strides: 2, padding: 'valid' }),
        tf.layers.conv2dTranspose({ filters: 2, kernelSize: [2, 4], strides: [1, 3], padding: 'same' }),
      ],
      13,
    );
    const { summary } = await expectOnnxMatchesTfjs(model);
    expect(summary.outputs[0].shape).toEqual(['batch', 34, 78, 2]);
  });

  it('converts DepthwiseConv2D (depth multiplier 2) and SeparableConv2D', async () => {
    const model = randomSequential(
      [
        tf.layers.depthwiseConv2d({ inputShape: [7, 7, 3], kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu6' }),
        tf.layers.depthwiseConv2d({ kernelSize: 2, strides: 2, useBias: false }),
        tf.layers.separableConv2d({ filters: 4, kernelSize: 3, depthMultiplier: 2, padding: 'same' }),
        tf.layers.separableConv2d({ filters: 3, kernelSize: 2, dilationRate: 2, useBias: false, activation: 'tanh' }),
      ],
      14,
    );
    await expectOnnxMatchesTfjs(model);
  });

  it('converts channels_first convolutions without any transpose', async () => {
    const model = randomSequential(
      [
        tf.layers.conv2d({ inputShape: [3, 6, 6], filters: 4, kernelSize: 3, padding: 'same', dataFormat: 'channelsFirst' }),
        // tfjs itself cannot add a bias to channels_first depthwise/separable convolutions.
        tf.layers.depthwiseConv2d({ kernelSize: 3, dataFormat: 'channelsFirst', useBias: false }),
        tf.layers.separableConv2d({ filters: 2, kernelSize: 2, dataFormat: 'channelsFirst', useBias: false }),
        tf.layers.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 2, dataFormat: 'channelsFirst' }),
      ],
      15,
    );
    const { summary } = await expectOnnxMatchesTfjs(model);
    expect(nodeOps(summary)).not.toContain('Transpose');
  });

  it('keeps conv → batchnorm → relu → pool → conv in NCHW: the edges cost no Transpose (one channel in, Flatten → Dense out)', async () => {
    const model = randomSequential(
      [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same' }),
        tf.layers.batchNormalization(),
        tf.layers.reLU(),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 4, activation: 'softmax' }),
      ],
      16,
    );
    const { summary } = await expectOnnxMatchesTfjs(model);
    expect(nodeOps(summary)).not.toContain('Transpose');
    expect(summary.layers.map((l) => l.onnxNodes)).toEqual([
      [],
      ['Reshape', 'Conv'],
      ['BatchNormalization'],
      ['Relu'],
      ['MaxPool'],
      ['Conv', 'Relu'],
      ['Flatten'],
      ['Gemm', 'Softmax'],
    ]);
  });
});
