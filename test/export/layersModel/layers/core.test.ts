import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { expectOnnxMatchesTfjs, randomizeWeights } from '../harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

describe('core layers', () => {
  it('converts the MNIST MLP (Flatten → Dense 128 relu → Dense 10 softmax) within 1e-5', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [28, 28, 1] }),
        tf.layers.dense({ units: 128, activation: 'relu' }),
        tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    randomizeWeights(model, 7);
    const { summary } = await expectOnnxMatchesTfjs(model, { tolerance: 1e-5 });
    expect(summary.inputs).toEqual([{ name: `${model.layers[0].name}_input`, shape: ['batch', 28, 28, 1] }]);
    expect(summary.outputs).toEqual([{ name: model.layers[2].name, shape: ['batch', 10] }]);
    expect(summary.layers.map((layer) => layer.onnxNodes)).toEqual([[], ['Flatten'], ['Gemm', 'Relu'], ['Gemm', 'Softmax']]);
  });

  it('converts Dense without bias and Dense on a rank-3 input', async () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [5, 4], units: 6, useBias: false, activation: 'tanh' }), tf.layers.dense({ units: 3 })],
    });
    randomizeWeights(model, 2);
    const { summary } = await expectOnnxMatchesTfjs(model);
    expect(summary.layers[1].onnxNodes).toEqual(['MatMul', 'Tanh']);
    expect(summary.layers[2].onnxNodes).toEqual(['MatMul', 'Add']);
  });

  const activations = [
    'linear',
    'relu',
    'relu6',
    'elu',
    'selu',
    'sigmoid',
    'hardSigmoid',
    'tanh',
    'softmax',
    'softplus',
    'softsign',
    'swish',
    'mish',
    'gelu',
    'gelu_new',
  ] as const;

  it('converts every tfjs activation, fused into Dense and as Activation layers', async () => {
    const input = tf.input({ shape: [6], name: 'features' });
    const outputs = activations.flatMap((activation) => {
      const dense = tf.layers
        .dense({ units: 5, activation: activation as never, name: `dense_${activation}` })
        .apply(input) as tf.SymbolicTensor;
      const layer = tf.layers.activation({ activation: activation as never, name: `act_${activation}` }).apply(dense) as tf.SymbolicTensor;
      return [dense, layer];
    });
    const model = tf.model({ inputs: input, outputs });
    randomizeWeights(model, 3);
    // Inputs spread over [-4, 4] so every activation's curved and saturated parts are exercised.
    const x = tf.mul(tf.randomUniform([4, 6], -1, 1, 'float32', 5), 4);
    const { summary } = await expectOnnxMatchesTfjs(model, { inputs: [x] });
    expect(summary.outputs.map((o) => o.name)).toEqual(activations.flatMap((a) => [`dense_${a}`, `act_${a}`]));
    expect(summary.layers.find((l) => l.name === 'act_hardSigmoid')?.onnxNodes).toEqual(['HardSigmoid']);
    expect(summary.layers.find((l) => l.name === 'act_gelu')?.onnxNodes).toContain('Erf');
  });

  it('drops dropout and noise layers, which are identities at inference', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 6 }),
        tf.layers.dropout({ rate: 0.5 }),
        tf.layers.gaussianNoise({ stddev: 1 }),
        tf.layers.gaussianDropout({ rate: 0.3 }),
        tf.layers.alphaDropout({ rate: 0.3 }),
        tf.layers.reshape({ targetShape: [3, 2] }),
        tf.layers.spatialDropout1d({ rate: 0.5 }),
        tf.layers.flatten(),
      ],
    });
    randomizeWeights(model, 4);
    const { summary } = await expectOnnxMatchesTfjs(model);
    for (const layer of summary.layers.filter((l) => /Dropout|Noise/.test(l.className))) expect(layer.onnxNodes).toEqual([]);
  });
});
