/**
 * Recurrent layers against tfjs: SimpleRNN, LSTM, GRU, RNN over cells, initial states, GRU
 * reset_after against its equations, ConvLSTM2D. Each test builds one model with many branches
 * (one conversion, one onnxruntime session); the official checker runs once over all of them.
 * Masks (masking.test.ts) and Bidirectional (wrappers.test.ts) have files of their own.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckerBatch, removeTemporaryDirectories, seededRandom, useCpuBackend } from '../../harness.ts';
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
import { gruReference, PADDED_TOKENS, replaceWeight, tokenBatch } from './sequenceReference.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const checker = new CheckerBatch();

/**
 * Every activation tfjs 4.x registers (tfjs-layers/src/activations.ts). The reference is always
 * the model in memory: tfjs 4.22 saves gelu_new but cannot load it back (it looks the name up as
 * geluNew), so a reloaded model could not be the reference.
 */
const TFJS_ACTIVATIONS = [
  'elu',
  'selu',
  'relu',
  'relu6',
  'linear',
  'sigmoid',
  'hardSigmoid',
  'softplus',
  'softsign',
  'tanh',
  'softmax',
  'logSoftmax',
  'gelu',
  'gelu_new',
  'mish',
  'swish',
];

describe('SimpleRNN, LSTM and GRU', () => {
  it('converts every sequence option to ONNX RNN/LSTM/GRU: return_sequences, return_state, go_backwards, unroll, use_bias, dropout', async () => {
    const input = tf.input({ shape: [5, 3], name: 'sequence' });
    const stacked = apply(tf.layers.lstm({ units: 4, returnSequences: true }), input);
    const outputs = [
      apply(tf.layers.lstm({ units: 4 }), input),
      apply(tf.layers.lstm({ units: 3, returnSequences: true, goBackwards: true, unroll: true }), input),
      ...applyAll(tf.layers.lstm({ units: 2, returnState: true, returnSequences: true }), input),
      apply(
        tf.layers.lstm({
          units: 3,
          useBias: false,
          dropout: 0.3,
          recurrentDropout: 0.2,
          unitForgetBias: true,
          recurrentActivation: 'sigmoid',
        }),
        input,
      ),
      apply(tf.layers.gru({ units: 4 }), input),
      apply(
        tf.layers.gru({ units: 3, returnSequences: true, goBackwards: true, activation: 'relu', recurrentActivation: 'sigmoid' }),
        input,
      ),
      ...applyAll(tf.layers.gru({ units: 2, returnState: true, useBias: false, dropout: 0.5 }), input),
      apply(tf.layers.simpleRNN({ units: 4 }), input),
      apply(tf.layers.simpleRNN({ units: 3, returnSequences: true, goBackwards: true, activation: 'relu', unroll: true }), input),
      ...applyAll(tf.layers.simpleRNN({ units: 2, returnState: true, useBias: false, activation: 'sigmoid' }), input),
      // A recurrent layer reading another's time-major output directly.
      apply(tf.layers.gru({ units: 2, returnSequences: true }), stacked),
    ];
    const model = tf.model({ inputs: input, outputs });
    randomizeWeights(model, 201);
    const { summary } = await expectOnnxMatchesTfjs(model, { checker });
    const ops = nodeOps(summary);
    expect(ops).toEqual(expect.arrayContaining(['LSTM', 'GRU', 'RNN']));
    expect(ops).not.toContain('Scan');
  });

  it('converts every activation and recurrent activation tfjs registers (ONNX ops where they match, explicit ops otherwise)', async () => {
    const input = tf.input({ shape: [4, 3] });
    const outputs = TFJS_ACTIVATIONS.flatMap((name) => [
      apply(tf.layers.simpleRNN({ units: 3, returnSequences: true, activation: name as never }), input),
      apply(tf.layers.lstm({ units: 2, recurrentActivation: name as never }), input),
      apply(tf.layers.gru({ units: 2, activation: name as never, recurrentActivation: name as never }), input),
    ]);
    const model = tf.model({ inputs: input, outputs });
    randomizeWeights(model, 202);
    const { summary } = await expectOnnxMatchesTfjs(model, { checker });
    const opsOf = (index: number) => summary.layers.find((layer) => layer.name === model.outputs[index].sourceLayer.name)?.onnxNodes ?? [];
    const hardSigmoid = TFJS_ACTIVATIONS.indexOf('hardSigmoid');
    expect(opsOf(3 * hardSigmoid + 1)).toContain('LSTM');
    const swish = TFJS_ACTIVATIONS.indexOf('swish');
    expect(opsOf(3 * swish)).toContain('Scan');
  });

  it('converts RNN over one cell and over stacked cells (StackedRNNCells), with states and go_backwards', async () => {
    const input = tf.input({ shape: [6, 3] });
    const cells = () => [tf.layers.lstmCell({ units: 3 }), tf.layers.gruCell({ units: 2 }), tf.layers.simpleRNNCell({ units: 4 })];
    const outputs = [
      ...applyAll(tf.layers.rnn({ cell: cells() as never, returnSequences: true, returnState: true }), input),
      apply(tf.layers.rnn({ cell: cells() as never, goBackwards: true }), input),
      apply(tf.layers.rnn({ cell: tf.layers.lstmCell({ units: 2, activation: 'selu' }) as never, returnSequences: true }), input),
    ];
    const model = tf.model({ inputs: input, outputs });
    randomizeWeights(model, 203);
    await expectOnnxMatchesTfjs(model, { checker });
  });

  it("starts from given initial states (an encoder's final states feeding a decoder, Bidirectional too)", async () => {
    const source = tf.input({ shape: [5, 3], name: 'source' });
    const target = tf.input({ shape: [4, 2], name: 'target' });
    const [, h, c] = applyAll(tf.layers.lstm({ units: 3, returnState: true }), source);
    const decoded = apply(tf.layers.lstm({ units: 3, returnSequences: true }), target, { initialState: [h, c] });
    const [, g] = applyAll(tf.layers.gru({ units: 3, returnState: true, recurrentActivation: 'swish' }), source);
    const gruDecoded = apply(tf.layers.gru({ units: 3, returnSequences: true }), target, { initialState: [g] });
    const [, hf, cf, hb, cb] = applyAll(
      tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnState: true }) as never }),
      source,
    );
    const bidirectionalDecoded = apply(
      tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnSequences: true }) as never }),
      target,
      { initialState: [hf, cf, hb, cb] },
    );
    const model = tf.model({ inputs: [source, target], outputs: [decoded, gruDecoded, bidirectionalDecoded] });
    randomizeWeights(model, 204);
    await expectOnnxMatchesTfjs(model, { checker });
  });

  it("converts GRU reset_after=true (Keras 2/3's default, which tfjs cannot build) against the GRU equations, as ONNX GRU and masked", async () => {
    const tokens = tf.input({ shape: [6], dtype: 'int32', name: 'tokens' });
    const embedded = apply(tf.layers.embedding({ inputDim: 10, outputDim: 3, name: 'embed' }), tokens);
    const masked = apply(tf.layers.embedding({ inputDim: 10, outputDim: 3, maskZero: true, name: 'embed_masked' }), tokens);
    const plain = apply(tf.layers.gru({ units: 4, returnSequences: true, name: 'gru_plain', recurrentActivation: 'sigmoid' }), embedded);
    const withMask = apply(
      tf.layers.gru({ units: 4, returnSequences: true, goBackwards: true, name: 'gru_masked', recurrentActivation: 'sigmoid' }),
      masked,
    );
    const model = tf.model({ inputs: tokens, outputs: [plain, withMask] });
    randomizeWeights(model, 205);
    const modelJson = await saveModel(model);
    const random = seededRandom(206);
    const recurrentBias = () => Float32Array.from({ length: 2 * 12 }, () => random() - 0.5);
    const biases = { gru_plain: recurrentBias(), gru_masked: recurrentBias() };
    await rewriteJson(modelJson, (json) => {
      for (const layer of json.modelTopology.config.layers) if (layer.class_name === 'GRU') layer.config.reset_after = true;
    });
    for (const [layer, values] of Object.entries(biases)) await replaceWeight(modelJson, `${layer}/bias`, [2, 12], values);

    const x = tokenBatch(PADDED_TOKENS);
    const weightsOf = (name: string) =>
      model
        .getLayer(name)
        .getWeights()
        .map((w) => w.dataSync() as Float32Array);
    const sequences = (name: string) =>
      (model.getLayer(name === 'gru_plain' ? 'embed' : 'embed_masked').apply(x) as tf.Tensor).arraySync() as number[][][];
    const [kernel, recurrentKernel] = weightsOf('gru_plain');
    const expectedPlain = gruReference(sequences('gru_plain'), {
      units: 4,
      kernel,
      recurrentKernel,
      bias: biases.gru_plain,
      resetAfter: true,
    });
    const [maskedKernel, maskedRecurrent] = weightsOf('gru_masked');
    const mask = PADDED_TOKENS.map((row) => row.map((token) => token !== 0));
    const expectedMasked = gruReference(sequences('gru_masked'), {
      units: 4,
      kernel: maskedKernel,
      recurrentKernel: maskedRecurrent,
      bias: biases.gru_masked,
      resetAfter: true,
      mask,
      goBackwards: true,
    });
    const { summary } = await expectConvertedMatches(modelJson, model, {
      inputs: [x],
      expected: [tf.tensor(expectedPlain), tf.tensor(expectedMasked)],
      checker,
    });
    expect(summary.layers.find((l) => l.name === 'gru_plain')?.onnxNodes).toContain('GRU');
    // Masked: the valid steps are moved to the front (TopK) for the same GRU operator.
    expect(summary.layers.find((l) => l.name === 'gru_masked')?.onnxNodes).toEqual(expect.arrayContaining(['TopK', 'GRU']));
  });
});

describe('ConvLSTM2D', () => {
  it('converts ConvLSTM2D: sequences and last output, states, go_backwards, strides, same/valid padding, activations', async () => {
    const frames = tf.input({ shape: [4, 6, 5, 2], name: 'frames' });
    const outputs = [
      apply(tf.layers.convLstm2d({ filters: 3, kernelSize: 3, padding: 'same', returnSequences: true }), frames),
      ...applyAll(tf.layers.convLstm2d({ filters: 2, kernelSize: [2, 3], strides: [2, 1], returnState: true, goBackwards: true }), frames),
      apply(
        tf.layers.convLstm2d({ filters: 2, kernelSize: 2, activation: 'relu', recurrentActivation: 'sigmoid', useBias: false }),
        frames,
      ),
    ];
    const model = tf.model({ inputs: frames, outputs });
    randomizeWeights(model, 231);
    await expectOnnxMatchesTfjs(model, { checker });
  });
});

it('passes the official ONNX checker on every model above', async () => {
  expect(checker.size).toBeGreaterThan(0);
  await checker.checkAll();
});
