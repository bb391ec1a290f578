/**
 * Keras masks against tfjs: Embedding(mask_zero) and Masking(mask_value) masks through recurrent
 * layers (masked steps keep the state and repeat the output), and masked average pooling. The
 * official checker runs once over every model.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckerBatch, randomTensor, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import {
  apply,
  applyAll,
  expectConvertedMatches,
  expectOnnxMatchesTfjs,
  nodeOps,
  randomizeWeights,
  rewriteJson,
  saveModel,
} from '../harness.ts';
import { PADDED_TOKENS, tokenBatch } from './sequenceReference.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const checker = new CheckerBatch();

describe('masks', () => {
  it('applies Embedding(mask_zero) masks in recurrent layers as Keras does: masked steps keep the state and repeat the output', async () => {
    const tokens = tf.input({ shape: [6], dtype: 'int32', name: 'tokens' });
    const embedded = apply(tf.layers.embedding({ inputDim: 10, outputDim: 4, maskZero: true }), tokens);
    const dropped = apply(tf.layers.dropout({ rate: 0.4 }), embedded);
    const sequence = apply(tf.layers.lstm({ units: 3, returnSequences: true }), dropped);
    const outputs = [
      sequence,
      // The mask follows the sequence into the next recurrent layer.
      apply(tf.layers.gru({ units: 2 }), sequence),
      apply(tf.layers.lstm({ units: 3, goBackwards: true, returnSequences: true }), embedded),
      ...applyAll(tf.layers.simpleRNN({ units: 2, returnState: true }), embedded),
      apply(tf.layers.gru({ units: 3, returnSequences: true, goBackwards: true }), embedded),
      // An activation ONNX's operators lack: the masked loop runs in a Scan instead.
      apply(tf.layers.lstm({ units: 2, returnSequences: true, activation: 'selu', name: 'selu_lstm' }), embedded),
    ];
    const model = tf.model({ inputs: tokens, outputs });
    randomizeWeights(model, 211);
    const { summary } = await expectOnnxMatchesTfjs(model, { inputs: [tokenBatch(PADDED_TOKENS)], checker });
    expect(nodeOps(summary)).toEqual(expect.arrayContaining(['LSTM', 'GRU', 'RNN', 'TopK']));
    expect(summary.layers.find((l) => l.name === 'selu_lstm')?.onnxNodes).toContain('Scan');
  });

  it('applies Masking(mask_value) masks, and zeroes the masked steps it passes on', async () => {
    const input = tf.input({ shape: [5, 3] });
    const masked = apply(tf.layers.masking({ maskValue: 0.5 }), input);
    const outputs = [
      masked,
      apply(tf.layers.lstm({ units: 3, returnSequences: true }), masked),
      apply(tf.layers.simpleRNN({ units: 2, goBackwards: true }), masked),
    ];
    const model = tf.model({ inputs: input, outputs });
    randomizeWeights(model, 212);
    const x = randomTensor([3, 5, 3], 213).arraySync() as number[][][];
    x[0][1] = [0.5, 0.5, 0.5];
    x[1][4] = [0.5, 0.5, 0.5];
    x[2][0] = [0.5, 0.5, 0.5];
    x[2][2] = [0.5, 0.1, 0.5];
    await expectOnnxMatchesTfjs(model, { inputs: [tf.tensor(x)], checker });
  });
});

describe('masked pooling', () => {
  it("averages over the valid steps only in Keras's GlobalAveragePooling1D after Embedding(mask_zero) (tfjs cannot build this)", async () => {
    const model = tf.sequential({
      layers: [tf.layers.embedding({ inputDim: 10, outputDim: 3, inputLength: 6, name: 'embed' }), tf.layers.globalAveragePooling1d({})],
    });
    randomizeWeights(model, 214);
    const modelJson = await saveModel(model);
    await rewriteJson(modelJson, (json) => {
      json.modelTopology.keras_version = '2.15.0';
      json.modelTopology.config.layers[0].config.mask_zero = true;
    });
    const rows = PADDED_TOKENS.slice(0, 3);
    const x = tokenBatch(rows, 'float32');
    const valid = tf.tensor(rows.map((row) => row.map((token) => [token === 0 ? 0 : 1])));
    const embedded = model.getLayer('embed').apply(x) as tf.Tensor;
    const expected = tf.div(tf.sum(tf.mul(embedded, valid), 1), tf.sum(valid, 1));
    await expectConvertedMatches(modelJson, model, { inputs: [x], expected: [expected], checker });
  });
});

it('passes the official ONNX checker on every model above', async () => {
  expect(checker.size).toBeGreaterThan(0);
  await checker.checkAll();
});
