import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { expectOnnxMatchesTfjs, randomizeWeights } from '../harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

describe('Embedding', () => {
  it('looks up rows for float token ids (cast like tfjs) and feeds the result on', async () => {
    const model = tf.sequential({
      layers: [tf.layers.embedding({ inputDim: 10, outputDim: 4, inputLength: 5 }), tf.layers.flatten(), tf.layers.dense({ units: 2 })],
    });
    randomizeWeights(model, 71);
    const ids = tf.tensor2d([
      [0, 3, 9, 2, 2],
      [1, 1, 8, 7, 4.6],
    ]);
    const { summary } = await expectOnnxMatchesTfjs(model, { inputs: [ids] });
    expect(summary.layers[1].onnxNodes).toEqual(['Cast', 'Gather']);
  });

  it('takes int32 token ids directly', async () => {
    const input = tf.input({ shape: [3], dtype: 'int32', name: 'tokens' });
    const output = tf.layers.embedding({ inputDim: 6, outputDim: 2, name: 'lookup' }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    randomizeWeights(model, 72);
    const ids = tf.tensor2d(
      [
        [5, 0, 1],
        [2, 3, 4],
      ],
      [2, 3],
      'int32',
    );
    const { summary } = await expectOnnxMatchesTfjs(model, { inputs: [ids] });
    expect(summary.layers[1].onnxNodes).toEqual(['Gather']);
    expect(summary.outputs[0].shape).toEqual(['batch', 3, 2]);
  });
});
