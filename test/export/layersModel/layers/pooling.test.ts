import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { expectOnnxMatchesTfjs, nodeOps, randomizeWeights } from '../harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

describe('pooling layers', () => {
  it('converts 2-d max and average pooling with same/valid padding and strides', async () => {
    const input = tf.input({ shape: [7, 6, 3] });
    const pools = [
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
      tf.layers.averagePooling2d({ poolSize: [2, 3], strides: 1 }),
      tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
      tf.layers.globalMaxPooling2d({}),
      tf.layers.globalAveragePooling2d({}),
    ];
    const model = tf.model({ inputs: input, outputs: pools.map((pool) => pool.apply(input) as tf.SymbolicTensor) });
    const { summary } = await expectOnnxMatchesTfjs(model);
    expect(summary.outputs.map((o) => o.shape)).toEqual([
      ['batch', 3, 3, 3],
      ['batch', 4, 3, 3],
      ['batch', 6, 4, 3],
      ['batch', 4, 3, 3],
      ['batch', 3],
      ['batch', 3],
    ]);
  });

  it('converts 1-d pooling and global pooling', async () => {
    const input = tf.input({ shape: [9, 4] });
    const pools = [
      tf.layers.maxPooling1d({ poolSize: 2 }),
      tf.layers.maxPooling1d({ poolSize: 3, strides: 2, padding: 'same' }),
      tf.layers.averagePooling1d({ poolSize: 2, strides: 1 }),
      tf.layers.averagePooling1d({ poolSize: 4, strides: 3, padding: 'same' }),
      tf.layers.globalMaxPooling1d(),
      tf.layers.globalAveragePooling1d(),
    ];
    const model = tf.model({ inputs: input, outputs: pools.map((pool) => pool.apply(input) as tf.SymbolicTensor) });
    await expectOnnxMatchesTfjs(model);
  });

  it('reduces NCHW-stored tensors in place: conv → global pooling → dense adds only the input transpose', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 5, kernelSize: 3 }),
        tf.layers.averagePooling2d({ poolSize: 2, padding: 'same' }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: 3 }),
      ],
    });
    randomizeWeights(model, 21);
    const { summary } = await expectOnnxMatchesTfjs(model);
    expect(nodeOps(summary).filter((op) => op === 'Transpose')).toHaveLength(1);
  });

  it('converts channels_first pooling', async () => {
    const input = tf.input({ shape: [3, 6, 5] });
    const pools = [
      tf.layers.maxPooling2d({ poolSize: 2, dataFormat: 'channelsFirst' }),
      tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same', dataFormat: 'channelsFirst' }),
      tf.layers.globalMaxPooling2d({ dataFormat: 'channelsFirst' }),
      tf.layers.globalAveragePooling2d({ dataFormat: 'channelsFirst' }),
    ];
    const model = tf.model({ inputs: input, outputs: pools.map((pool) => pool.apply(input) as tf.SymbolicTensor) });
    const { summary } = await expectOnnxMatchesTfjs(model);
    expect(nodeOps(summary)).not.toContain('Transpose');
  });
});
