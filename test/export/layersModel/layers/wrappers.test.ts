/**
 * Bidirectional against tfjs: every merge mode, no merge (two outputs), return_state, LSTM, GRU and
 * SimpleRNN inside, masked text classifiers, and the zeroed masked steps Keras forces. The official
 * checker runs once over every model.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckerBatch, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { apply, applyAll, expectConvertedMatches, expectOnnxMatchesTfjs, randomizeWeights, rewriteJson, saveModel } from '../harness.ts';
import { PADDED_TOKENS, tokenBatch } from './sequenceReference.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const checker = new CheckerBatch();

describe('Bidirectional', () => {
  it('converts every merge mode, null with two outputs, return_state, and LSTM/GRU/SimpleRNN inside', async () => {
    const input = tf.input({ shape: [5, 3] });
    const bidirectional = (layer: tf.layers.Layer, mergeMode?: string) =>
      tf.layers.bidirectional({ layer: layer as never, mergeMode: mergeMode as never });
    const outputs = [
      apply(bidirectional(tf.layers.lstm({ units: 3, returnSequences: true }), 'concat'), input),
      apply(bidirectional(tf.layers.gru({ units: 3, returnSequences: true }), 'sum'), input),
      apply(bidirectional(tf.layers.simpleRNN({ units: 3 }), 'mul'), input),
      apply(bidirectional(tf.layers.lstm({ units: 2, activation: 'selu' }), 'ave'), input),
      ...applyAll(bidirectional(tf.layers.gru({ units: 2, returnSequences: true }), null as never), input),
      ...applyAll(bidirectional(tf.layers.lstm({ units: 2, returnState: true }), 'concat'), input),
    ];
    const model = tf.model({ inputs: input, outputs });
    randomizeWeights(model, 221);
    const { summary } = await expectOnnxMatchesTfjs(model, { checker });
    expect(summary.outputs).toHaveLength(11);
  });

  it('converts a masked Bidirectional text classifier (Embedding → Bidirectional(LSTM) → Dense), tfjs semantics', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: 10, outputDim: 4, inputLength: 6, maskZero: true }),
        tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnSequences: true }) as never }),
        tf.layers.bidirectional({ layer: tf.layers.gru({ units: 2 }) as never, mergeMode: 'sum' }),
        tf.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    randomizeWeights(model, 222);
    await expectOnnxMatchesTfjs(model, { inputs: [tokenBatch(PADDED_TOKENS, 'float32')], checker });
  });

  it('zeroes the outputs at masked steps for a model Keras wrote (Keras forces zero_output_for_mask in Bidirectional)', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: 10, outputDim: 4, inputLength: 6, maskZero: true }),
        tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnSequences: true }) as never, mergeMode: 'concat' }),
      ],
    });
    randomizeWeights(model, 223);
    const modelJson = await saveModel(model);
    await rewriteJson(modelJson, (json) => (json.modelTopology.keras_version = '2.15.0'));
    const x = tokenBatch(PADDED_TOKENS, 'float32');
    const valid = tf.tensor(PADDED_TOKENS.map((row) => row.map((token) => [token === 0 ? 0 : 1])));
    const expected = tf.mul(model.predict(x) as tf.Tensor, valid);
    await expectConvertedMatches(modelJson, model, { inputs: [x], expected: [expected], checker });
  });
});

it('passes the official ONNX checker on every model above', async () => {
  expect(checker.size).toBeGreaterThan(0);
  await checker.checkAll();
});
