import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { expectOnnxMatchesTfjs, nodeOps, randomizeWeights } from '../harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

describe('reshaping layers', () => {
  it('converts Reshape (with -1), Permute and RepeatVector', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.reshape({ inputShape: [12], targetShape: [3, 4] }),
        tf.layers.permute({ dims: [2, 1] }),
        tf.layers.dense({ units: 2 }),
        tf.layers.flatten(),
        tf.layers.repeatVector({ n: 3 }),
        tf.layers.reshape({ targetShape: [2, -1, 3] }),
        tf.layers.permute({ dims: [3, 1, 2] }),
      ],
    });
    randomizeWeights(model, 51);
    const { summary } = await expectOnnxMatchesTfjs(model);
    expect(summary.outputs[0].shape).toEqual(['batch', 3, 2, 4]);
  });

  it('turns Permute into a layout change: conv → Permute → Permute → conv adds no transposes', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [5, 4, 3], filters: 2, kernelSize: 3, padding: 'same' }),
        tf.layers.permute({ dims: [2, 1, 3] }),
        tf.layers.conv2d({ filters: 3, kernelSize: [1, 2] }),
        tf.layers.permute({ dims: [3, 1, 2] }),
        tf.layers.flatten(),
      ],
    });
    randomizeWeights(model, 52);
    const { summary } = await expectOnnxMatchesTfjs(model);
    expect(summary.layers.filter((l) => l.className === 'Permute').map((l) => l.onnxNodes)).toEqual([[], []]);
    // One transpose into the first conv and one into the second (the Permute swapped its spatial
    // axes); the last Permute makes the NCHW storage the logical layout, so Flatten needs none.
    expect(nodeOps(summary).filter((op) => op === 'Transpose')).toHaveLength(2);
    expect(summary.layers.find((l) => l.className === 'Flatten')?.onnxNodes).toEqual(['Flatten']);
  });

  it('converts ZeroPadding2D, Cropping2D and UpSampling2D (nearest and bilinear) in both data formats', async () => {
    const input = tf.input({ shape: [4, 5, 2] });
    const chains = [
      [
        tf.layers.zeroPadding2d({
          padding: [
            [1, 2],
            [0, 3],
          ],
        }),
        tf.layers.cropping2D({
          cropping: [
            [1, 0],
            [2, 1],
          ],
        }),
      ],
      [tf.layers.zeroPadding2d({ padding: 1 }), tf.layers.upSampling2d({ size: [2, 3] })],
      [
        tf.layers.zeroPadding2d({
          padding: [
            [0, 1],
            [1, 0],
          ],
        }),
        tf.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' }),
      ],
      [
        tf.layers.zeroPadding2d({
          padding: [
            [1, 1],
            [2, 2],
          ],
          dataFormat: 'channelsFirst',
        }),
        tf.layers.cropping2D({
          cropping: [
            [1, 1],
            [1, 1],
          ],
          dataFormat: 'channelsFirst',
        }),
      ],
      [tf.layers.upSampling2d({ size: [2, 1], dataFormat: 'channelsFirst' })],
    ];
    const outputs = chains.map((chain) => chain.reduce<tf.SymbolicTensor>((x, layer) => layer.apply(x) as tf.SymbolicTensor, input));
    const model = tf.model({ inputs: input, outputs });
    const { summary } = await expectOnnxMatchesTfjs(model);
    expect(summary.outputs.map((o) => o.shape)).toEqual([
      ['batch', 6, 5, 2],
      ['batch', 12, 21, 2],
      ['batch', 10, 12, 2],
      ['batch', 4, 5, 4],
      ['batch', 4, 10, 2],
    ]);
  });

  it('flattens channels_first tensors in channels-last order, as tfjs does', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [2, 4, 4], filters: 3, kernelSize: 3, dataFormat: 'channelsFirst' }),
        tf.layers.flatten({ dataFormat: 'channelsFirst' }),
        tf.layers.dense({ units: 2 }),
      ],
    });
    randomizeWeights(model, 53);
    await expectOnnxMatchesTfjs(model);
  });
});
