/**
 * 3-D and 1-D variants: Conv3D, Conv3DTranspose, Max/AveragePooling3D against tfjs; the Keras-only
 * ones (SeparableConv1D, DepthwiseConv1D, Conv1DTranspose, ZeroPadding3D, Cropping3D,
 * UpSampling1D/3D, GlobalMax/AveragePooling3D) against tfjs computing the same thing another way.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckerBatch, randomTensor, removeTemporaryDirectories, temporaryDirectory, useCpuBackend } from '../../harness.ts';
import { expectConvertedMatches, expectOnnxMatchesTfjs, randomSequential, rewriteJson, saveModel } from '../harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const checker = new CheckerBatch();

describe('3-D layers tfjs implements', () => {
  it('converts Conv3D (strides, dilation, same/valid), MaxPooling3D and AveragePooling3D', async () => {
    const model = randomSequential(
      [
        tf.layers.conv3d({ inputShape: [6, 7, 5, 2], filters: 3, kernelSize: [3, 2, 3], padding: 'same', activation: 'relu' }),
        tf.layers.conv3d({ filters: 2, kernelSize: 2, dilationRate: [1, 2, 1] }),
        tf.layers.maxPooling3d({ poolSize: [2, 2, 1], padding: 'same' }),
        tf.layers.averagePooling3d({ poolSize: 2, strides: [1, 1, 2], padding: 'same' }),
        tf.layers.conv3d({ filters: 2, kernelSize: 1, strides: 2, useBias: false }),
      ],
      401,
    );
    await expectOnnxMatchesTfjs(model, { checker });
  });

  it("converts Conv3DTranspose (tfjs's cpu backend is the reference: its wasm backend is off by up to 0.7 here)", async () => {
    const model = randomSequential(
      [
        tf.layers.conv3dTranspose({ inputShape: [3, 4, 3, 2], filters: 3, kernelSize: [2, 3, 2], strides: [2, 1, 2], padding: 'same' }),
        tf.layers.conv3dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'valid', activation: 'tanh' }),
      ],
      402,
    );
    await expectOnnxMatchesTfjs(model, { checker });
  });
});

/**
 * A 2-D tfjs layer on [batch, steps, 1, channels] computes what its Keras 1-D counterpart does on
 * [batch, steps, channels]: the model is saved as the 2-D layer and rewritten into the 1-D one.
 */
async function expectOneDimensionalMatches(layer: tf.layers.Layer, className: string, seed: number): Promise<void> {
  const model = randomSequential([tf.layers.reshape({ inputShape: [9, 3], targetShape: [9, 1, 3] }), layer], seed);
  const modelJson = await saveModel(model);
  await rewriteJson(modelJson, (json) => {
    // Drop the Reshape: the 1-D layer reads [batch, steps, channels] directly.
    const conv = json.modelTopology.config.layers[1];
    json.modelTopology.config.layers = [
      { class_name: 'InputLayer', config: { name: 'steps', batch_input_shape: [null, 9, 3], dtype: 'float32' } },
      conv,
    ];
    conv.class_name = className;
    for (const key of ['kernel_size', 'strides', 'dilation_rate'])
      if (Array.isArray(conv.config[key])) conv.config[key] = [conv.config[key][0]];
    delete conv.config.batch_input_shape;
    for (const spec of json.weightsManifest[0].weights) if (spec.shape.length === 4) spec.shape.splice(1, 1);
  });
  const x = randomTensor([3, 9, 3], seed + 1);
  const expected = tf.squeeze(model.predict(x) as tf.Tensor, [2]);
  await expectConvertedMatches(modelJson, model, { inputs: [x], expected: [expected], checker });
}

describe('1-D variants Keras has (tfjs does not)', () => {
  it('converts SeparableConv1D', async () => {
    await expectOneDimensionalMatches(
      tf.layers.separableConv2d({ filters: 4, kernelSize: [3, 1], depthMultiplier: 2, padding: 'same', activation: 'relu' }),
      'SeparableConv1D',
      411,
    );
  });

  it('converts DepthwiseConv1D', async () => {
    await expectOneDimensionalMatches(
      tf.layers.depthwiseConv2d({ kernelSize: [3, 1], depthMultiplier: 2, strides: [2, 1] }),
      'DepthwiseConv1D',
      412,
    );
  });

  it('converts Conv1DTranspose', async () => {
    await expectOneDimensionalMatches(
      tf.layers.conv2dTranspose({ filters: 2, kernelSize: [3, 1], strides: [2, 1], padding: 'same' }),
      'Conv1DTranspose',
      413,
    );
  });
});

/** A weightless functional model.json in Keras's own spelling. */
async function writeFunctional(
  inputs: [string, (number | null)[]][],
  layers: [string, string, Record<string, unknown>, string][],
  outputs: string[],
): Promise<string> {
  const directory = path.join(await temporaryDirectory(), 'tfjs');
  await mkdir(directory, { recursive: true });
  const modelJson = path.join(directory, 'model.json');
  const config = {
    name: 'keras_only',
    layers: [
      ...inputs.map(([name, shape]) => ({
        name,
        class_name: 'InputLayer',
        config: { name, batch_input_shape: shape, dtype: 'float32' },
        inbound_nodes: [],
      })),
      ...layers.map(([name, className, layerConfig, input]) => ({
        name,
        class_name: className,
        config: { name, ...layerConfig },
        inbound_nodes: [[[input, 0, 0, {}]]],
      })),
    ],
    input_layers: inputs.map(([name]) => [name, 0, 0]),
    output_layers: outputs.map((name) => [name, 0, 0]),
  };
  await writeFile(
    modelJson,
    JSON.stringify({
      format: 'layers-model',
      modelTopology: { class_name: 'Functional', config, keras_version: '2.15.0' },
      weightsManifest: [],
    }),
  );
  return modelJson;
}

/** Repeats every element `times` times along `axis` (UpSampling's nearest rule). */
const repeatAlong = (x: tf.Tensor, axis: number, times: number) =>
  tf.gather(
    x,
    tf.tensor1d(
      Array.from({ length: x.shape[axis] * times }, (_, i) => Math.floor(i / times)),
      'int32',
    ),
    axis,
  );

describe('3-D reshaping and pooling Keras has (tfjs does not)', () => {
  it('converts ZeroPadding3D, Cropping3D, UpSampling3D, UpSampling1D and GlobalMax/AveragePooling3D', async () => {
    const modelJson = await writeFunctional(
      [
        ['volume', [null, 3, 4, 2, 2]],
        ['steps', [null, 5, 3]],
      ],
      [
        [
          'pad',
          'ZeroPadding3D',
          {
            padding: [
              [1, 0],
              [2, 1],
              [0, 2],
            ],
            data_format: 'channels_last',
          },
          'volume',
        ],
        [
          'crop',
          'Cropping3D',
          {
            cropping: [
              [0, 1],
              [1, 2],
              [1, 0],
            ],
            data_format: 'channels_last',
          },
          'pad',
        ],
        ['up3d', 'UpSampling3D', { size: [2, 1, 3], data_format: 'channels_last' }, 'crop'],
        ['global_max', 'GlobalMaxPooling3D', { data_format: 'channels_last' }, 'up3d'],
        ['global_average', 'GlobalAveragePooling3D', { data_format: 'channels_last', keepdims: true }, 'up3d'],
        ['up1d', 'UpSampling1D', { size: 3 }, 'steps'],
      ],
      ['up3d', 'global_max', 'global_average', 'up1d'],
    );
    const volume = randomTensor([2, 3, 4, 2, 2], 421);
    const steps = randomTensor([2, 5, 3], 422);
    const padded = tf.pad(volume, [
      [0, 0],
      [1, 0],
      [2, 1],
      [0, 2],
      [0, 0],
    ]);
    const cropped = tf.slice(padded, [0, 0, 1, 1, 0], [2, 3, 4, 3, 2]);
    const upsampled = repeatAlong(repeatAlong(cropped, 1, 2), 3, 3);
    const expected = [upsampled, tf.max(upsampled, [1, 2, 3]), tf.mean(upsampled, [1, 2, 3], true), repeatAlong(steps, 1, 3)];
    const { summary } = await expectConvertedMatches(modelJson, undefined, { inputs: [volume, steps], expected, checker });
    expect(summary.outputs.map((output) => output.shape)).toEqual([
      ['batch', 6, 4, 9, 2],
      ['batch', 2],
      ['batch', 1, 1, 1, 2],
      ['batch', 15, 3],
    ]);
  });
});

it('passes the official ONNX checker on every model above', async () => {
  expect(checker.size).toBeGreaterThan(0);
  await checker.checkAll();
});
