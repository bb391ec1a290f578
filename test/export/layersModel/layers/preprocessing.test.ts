/**
 * Preprocessing layers: Rescaling, Resizing, CenterCrop, CategoryEncoding, Keras's Normalization,
 * augmentation layers. tfjs 4.22 has bugs here, so the references take the paths of tfjs that are
 * right: Resizing throws inside predict (so the layer is applied to the tensor directly), and
 * CenterCrop and CategoryEncoding compute their output shape by overwriting their input's (so the
 * model input is saved with the wrong shape, and the test writes the real one back).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckerBatch, randomTensor, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { expectConvertedMatches, expectOnnxMatchesTfjs, nodeOps, rewriteJson, saveModel } from '../harness.ts';
import { replaceWeight, tokenBatch } from './sequenceReference.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const checker = new CheckerBatch();
const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor) => layer.apply(x) as tf.SymbolicTensor;

/** An image model whose layers are each applied straight to the input (one output per layer). */
function imageModel(shape: number[], layers: tf.layers.Layer[]): tf.LayersModel {
  const input = tf.input({ shape, name: 'image' });
  const scaled = apply(tf.layers.rescaling({ scale: 1 }), input);
  return tf.model({ inputs: input, outputs: layers.map((layer) => apply(layer, scaled)) });
}

/** Saves `model` with its inputs' real shapes, which tfjs's CenterCrop and CategoryEncoding overwrite. */
async function saveWithInputShapes(model: tf.LayersModel, shapes: Record<string, (number | null)[]>): Promise<string> {
  const modelJson = await saveModel(model);
  await rewriteJson(modelJson, (json) => {
    for (const layer of json.modelTopology.config.layers) if (shapes[layer.name]) layer.config.batch_input_shape = shapes[layer.name];
  });
  return modelJson;
}

/** The layers applied to a tensor directly: tfjs's right path for Resizing and CenterCrop. */
const appliedDirectly = (layers: tf.layers.Layer[], x: tf.Tensor) => layers.map((layer) => layer.apply(x) as tf.Tensor);

describe('Rescaling and augmentation', () => {
  it('converts Rescaling (float and int32 inputs) and passes augmentation layers through at inference', async () => {
    const pixels = tf.input({ shape: [4, 4, 3], dtype: 'int32', name: 'pixels' });
    const features = tf.input({ shape: [5], name: 'features' });
    const outputs = [
      apply(tf.layers.rescaling({ scale: 1 / 255 }), pixels),
      apply(tf.layers.rescaling({ scale: 2, offset: -1 }), features),
    ];
    const model = tf.model({ inputs: [pixels, features], outputs });
    const x = [
      tf.tensor(
        Array.from({ length: 2 * 48 }, (_, i) => (i * 37) % 256),
        [2, 4, 4, 3],
        'int32',
      ),
      randomTensor([2, 5], 431),
    ];
    await expectOnnxMatchesTfjs(model, { inputs: x, checker });
  });

  it('converts per-channel Rescaling (Keras 3 lists) and RandomWidth as the identity Keras applies at inference (tfjs resizes randomly even in predict)', async () => {
    const model = imageModel([4, 4, 3], [tf.layers.rescaling({ scale: 1, name: 'per_channel' }), tf.layers.randomWidth({ factor: 0.5 })]);
    const modelJson = await saveModel(model);
    await rewriteJson(modelJson, (json) => {
      const layer = json.modelTopology.config.layers.find((l: { name: string }) => l.name === 'per_channel');
      Object.assign(layer.config, { scale: [1, 2, 3], offset: [0, -1, 0.5] });
    });
    const x = randomTensor([2, 4, 4, 3], 432);
    const expected = [tf.add(tf.mul(x, tf.tensor1d([1, 2, 3])), tf.tensor1d([0, -1, 0.5])), x];
    await expectConvertedMatches(modelJson, undefined, { inputs: [x], expected, checker });
  });
});

describe('Resizing and CenterCrop', () => {
  it("follows tfjs for a model tfjs wrote: Resizing with align_corners (asymmetric with crop_to_aspect_ratio), CenterCrop's crop box", async () => {
    const layers = [
      tf.layers.resizing({ height: 5, width: 9 }),
      tf.layers.resizing({ height: 3, width: 4, interpolation: 'nearest' }),
      tf.layers.resizing({ height: 9, width: 5, cropToAspectRatio: true }),
      tf.layers.resizing({ height: 4, width: 3, interpolation: 'nearest', cropToAspectRatio: true }),
      tf.layers.centerCrop({ height: 4, width: 4 }),
      tf.layers.centerCrop({ height: 3, width: 6 }),
      tf.layers.centerCrop({ height: 8, width: 9 }),
    ];
    const model = imageModel([7, 6, 2], layers);
    const x = randomTensor([2, 7, 6, 2], 441);
    const { summary } = await expectConvertedMatches(await saveWithInputShapes(model, { image: [null, 7, 6, 2] }), undefined, {
      inputs: [x],
      expected: appliedDirectly(layers, x),
      checker,
    });
    expect(nodeOps(summary)).toEqual(expect.arrayContaining(['Resize', 'Gather']));
  });

  it('follows Keras for a model Keras wrote: half-pixel centres, crop_to_aspect_ratio crops, CenterCrop crops exactly', async () => {
    const layers = [
      tf.layers.resizing({ height: 5, width: 9 }),
      tf.layers.resizing({ height: 3, width: 4, interpolation: 'nearest' }),
      tf.layers.resizing({ height: 3, width: 5, cropToAspectRatio: true }),
      tf.layers.centerCrop({ height: 4, width: 3 }),
      tf.layers.centerCrop({ height: 9, width: 4 }),
    ];
    const model = imageModel([7, 6, 2], layers);
    const modelJson = await saveWithInputShapes(model, { image: [null, 7, 6, 2] });
    await rewriteJson(modelJson, (json) => (json.modelTopology.keras_version = '2.15.0'));
    const x = randomTensor([2, 7, 6, 2], 442);
    const halfPixel = (image: tf.Tensor4D, size: [number, number]) => tf.image.resizeBilinear(image, size, false, true);
    // crop_to_aspect_ratio: the largest centred box of ratio 3:5 in 7×6 is 3×6, rows 2–4.
    const expected = [
      halfPixel(x as tf.Tensor4D, [5, 9]),
      tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [3, 4], false, true),
      halfPixel(tf.slice(x, [0, 2, 0, 0], [2, 3, 6, 2]) as tf.Tensor4D, [3, 5]),
      tf.slice(x, [0, 1, 1, 0], [2, 4, 3, 2]),
      // Too small in height: Keras upsizes with smart_resize (the crop of ratio 4:9 from 7×6 is 7×3).
      halfPixel(tf.slice(x, [0, 0, 1, 0], [2, 7, 3, 2]) as tf.Tensor4D, [9, 4]),
    ];
    await expectConvertedMatches(modelJson, undefined, { inputs: [x], expected, checker });
  });
});

describe('CategoryEncoding and Normalization', () => {
  it('converts CategoryEncoding in multi_hot, count and one_hot modes', async () => {
    const tokens = tf.input({ shape: [5], dtype: 'int32', name: 'tokens' });
    const single = tf.input({ shape: [1], dtype: 'int32', name: 'single' });
    const layers = [
      tf.layers.categoryEncoding({ numTokens: 7, outputMode: 'multiHot' }),
      tf.layers.categoryEncoding({ numTokens: 7, outputMode: 'count' }),
      tf.layers.categoryEncoding({ numTokens: 6, outputMode: 'oneHot' }),
    ];
    const outputs = [apply(layers[0], tokens), apply(layers[1], tokens), apply(layers[2], single)];
    const model = tf.model({ inputs: [tokens, single], outputs });
    const x = [
      tokenBatch([
        [1, 1, 3, 6, 0],
        [2, 2, 2, 2, 2],
        [0, 5, 4, 3, 6],
      ]),
      tokenBatch([[3], [0], [5]]),
    ];
    const modelJson = await saveWithInputShapes(model, { tokens: [null, 5], single: [null, 1] });
    // The in-memory model kept the overwritten input shapes, so the layers are applied directly.
    const expected = [layers[0].apply(x[0]), layers[1].apply(x[0]), layers[2].apply(x[1])] as tf.Tensor[];
    await expectConvertedMatches(modelJson, undefined, { inputs: x, expected, checker });
  });

  it("converts Keras's Normalization with adapted weights and with mean/variance in the config (invert too)", async () => {
    const input = tf.input({ shape: [4], name: 'features' });
    const model = tf.model({
      inputs: input,
      outputs: [
        apply(tf.layers.dense({ units: 2, name: 'adapted' }), input),
        apply(tf.layers.rescaling({ scale: 1, name: 'configured' }), input),
      ],
    });
    const modelJson = await saveModel(model);
    const adapted = { mean: [0.5, -1, 2, 0], variance: [4, 0.25, 1, 0] };
    const configured = { mean: [1, 2, 3, 4], variance: [1, 9, 0.01, 16] };
    await rewriteJson(modelJson, (json) => {
      for (const layer of json.modelTopology.config.layers) {
        if (layer.name === 'adapted') Object.assign(layer, { class_name: 'Normalization', config: { name: 'adapted', axis: -1 } });
        if (layer.name === 'configured')
          Object.assign(layer, { class_name: 'Normalization', config: { name: 'configured', axis: [1], ...configured, invert: true } });
      }
      // adapt() keeps mean, variance and count as weights; they take the Dense's place (8 + 2 floats in its shard's 10).
      json.weightsManifest[0].weights = [
        { name: 'adapted/mean', shape: [4], dtype: 'float32' },
        { name: 'adapted/variance', shape: [4], dtype: 'float32' },
        { name: 'adapted/count', shape: [2], dtype: 'float32' },
      ];
    });
    await replaceWeight(modelJson, 'adapted/mean', [4], Float32Array.from(adapted.mean));
    await replaceWeight(modelJson, 'adapted/variance', [4], Float32Array.from(adapted.variance));
    const x = randomTensor([3, 4], 451);
    // (x − mean) / max(√variance, 1e-7), and its inverse.
    const scale = (variance: number[]) => tf.tensor1d(variance.map((v) => Math.max(Math.sqrt(v), 1e-7)));
    const expected = [
      tf.div(tf.sub(x, tf.tensor1d(adapted.mean)), scale(adapted.variance)),
      tf.add(tf.mul(x, scale(configured.variance)), tf.tensor1d(configured.mean)),
    ];
    await expectConvertedMatches(modelJson, undefined, { inputs: [x], expected, checker });
  });
});

it('passes the official ONNX checker on every model above', async () => {
  expect(checker.size).toBeGreaterThan(0);
  await checker.checkAll();
});
