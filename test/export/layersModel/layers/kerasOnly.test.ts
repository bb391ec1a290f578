/**
 * Layers Keras writes but tfjs cannot build (SpatialDropout2D, ZeroPadding1D, Cropping1D): hand-written
 * model.json fixtures, checked against the layers' definitions computed with tfjs ops.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  maxAbsDifference,
  randomTensor,
  removeTemporaryDirectories,
  runOnnxInOrder,
  temporaryDirectory,
  useCpuBackend,
} from '../../harness.ts';
import { exportChecked } from '../harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

/** Writes a weightless Sequential model.json in Keras's own spelling. */
async function writeSequential(layers: { class_name: string; config: Record<string, unknown> }[]): Promise<string> {
  const directory = path.join(await temporaryDirectory(), 'tfjs');
  await mkdir(directory, { recursive: true });
  const modelJson = path.join(directory, 'model.json');
  const topology = { class_name: 'Sequential', config: { name: 'keras_only', layers }, keras_version: '2.15.0', backend: 'tensorflow' };
  await writeFile(modelJson, JSON.stringify({ format: 'layers-model', modelTopology: topology, weightsManifest: [] }));
  return modelJson;
}

describe('Keras-only layers', () => {
  it('converts ZeroPadding1D and Cropping1D (as padding and slicing) and SpatialDropout1D/2D (as identities)', async () => {
    const modelJson = await writeSequential([
      { class_name: 'InputLayer', config: { name: 'sequence', batch_input_shape: [null, 5, 3], dtype: 'float32' } },
      { class_name: 'ZeroPadding1D', config: { name: 'pad', padding: [1, 3] } },
      { class_name: 'SpatialDropout1D', config: { name: 'drop', rate: 0.5 } },
      { class_name: 'Cropping1D', config: { name: 'crop', cropping: [2, 1] } },
      { class_name: 'Reshape', config: { name: 'to_image', target_shape: [6, 1, 3] } },
      { class_name: 'SpatialDropout2D', config: { name: 'drop2d', rate: 0.5, data_format: 'channels_last' } },
    ]);
    const { onnxPath, summary } = await exportChecked(modelJson);
    const x = randomTensor([2, 5, 3], 3);
    const padded = tf.pad(x, [
      [0, 0],
      [1, 3],
      [0, 0],
    ]);
    const expected = tf.reshape(tf.slice(padded, [0, 2, 0], [2, 6, 3]), [2, 6, 1, 3]);
    const { outputs } = await runOnnxInOrder(onnxPath, [x]);
    expect(outputs[0].dims).toEqual([2, 6, 1, 3]);
    expect(maxAbsDifference(outputs[0].data as Float32Array, expected.dataSync())).toBe(0);
    expect(summary.layers.map((l) => [l.name, l.onnxNodes])).toEqual([
      ['sequence', []],
      ['pad', ['Pad']],
      ['drop', []],
      ['crop', ['Slice']],
      ['to_image', ['Reshape']],
      ['drop2d', []],
    ]);
  });
});
