/**
 * Test models for the server tests: a small random tfjs CNN at MNIST's size, saved in the tfjs
 * Layers format and converted with the project's own exporter, so the server is tested on what
 * `tfjs-onnx convert` really produces. Seeded so a failure can be reproduced.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '@tfjs-onnx/runtime';
import { convertLayersModelToFile } from '../../../export/index.ts';
import { fileSystemSaver } from '../../../common/tfjsModelFiles.ts';

export const IMAGE_SIZE = 28;
export const CLASS_COUNT = 10;
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE;
/** Class names the tests give the digits model (makeTestModel's `labels`). */
export const DIGIT_LABELS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/**
 * Builds, saves and converts a random model; returns the paths of model.json and model.onnx. Layers
 * are named, so every fixture has the same signature (tensor names), as versions of one model do.
 */
export async function makeTestModel(
  directory: string,
  options: { name?: string; seed?: number; labels?: string[] } = {},
): Promise<{ modelJson: string; onnx: string }> {
  await tf.setBackend('cpu');
  const seed = options.seed ?? 7;
  const init = (offset: number) => tf.initializers.glorotUniform({ seed: seed + offset });
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        name: 'conv',
        inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1],
        filters: 4,
        kernelSize: 3,
        strides: 2,
        activation: 'relu',
        kernelInitializer: init(0),
      }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({
        name: 'dense',
        units: CLASS_COUNT,
        activation: 'softmax',
        kernelInitializer: init(1),
        biasInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: seed + 2 }),
      }),
    ],
  });
  const tfjsDir = path.join(directory, `${options.name ?? 'model'}-tfjs`);
  await model.save(fileSystemSaver(tfjsDir));
  model.dispose();
  const modelJson = path.join(tfjsDir, 'model.json');
  const onnx = path.join(directory, `${options.name ?? 'model'}.onnx`);
  await convertLayersModelToFile(modelJson, onnx, options.labels ? { labels: options.labels } : {});
  return { modelJson, onnx };
}

/** Distinct, reproducible 0–255 images: image i is a gradient shifted by i with a seeded speckle. */
export function testImage(index: number): Uint8Array {
  const pixels = new Uint8Array(PIXELS);
  for (let p = 0; p < PIXELS; p++) pixels[p] = (p * 3 + index * 37 + ((p * 2654435761 + index * 40503) >>> 24)) % 256;
  return pixels;
}

/** The model's FP32 input for `pixels` (the default preprocess: pixel / 255). */
export function normalize(pixels: Uint8Array, preprocess: { scale: number; offset: number }): Float32Array {
  return Float32Array.from(pixels, (value) => value * preprocess.scale + preprocess.offset);
}

/** A v2 JSON inference request for the digits model: the images as its [N, 28, 28, 1] FP32 input, plus `extra` fields (id, outputs). */
export function inferBody(classifier: Classifier, images: Uint8Array[], extra: object = {}) {
  const data = images.flatMap((pixels) => Array.from(normalize(pixels, classifier.preprocess)));
  return { inputs: [{ name: classifier.inputName, shape: [images.length, IMAGE_SIZE, IMAGE_SIZE, 1], datatype: 'FP32', data }], ...extra };
}

/** The probabilities the runtime's own classifier gives for the images: what the server must answer. */
export async function predictDirectly(classifier: Classifier, images: Uint8Array[]): Promise<Float32Array> {
  const input = new Float32Array(images.length * PIXELS);
  images.forEach((pixels, i) => {
    input.set(normalize(pixels, classifier.preprocess), i * PIXELS);
  });
  return classifier.predictBatch(input, images.length);
}
