/**
 * The smallest pair `parity` compares: a 10-image MNIST-style dataset in IDX files and a
 * Flatten → Dense(10, softmax) tfjs model (untrained) with its ONNX conversion, under `root`.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileSystemSaver } from '../../common/tfjsModelFiles.ts';
import { convertLayersModelToFile } from '../../export/index.ts';
import { writeSyntheticDataset } from './idxFixtures.ts';

export interface ParityPairFiles {
  /** The dataset folder (--data-dir). */
  data: string;
  tfjsModel: string;
  onnxModel: string;
}

export async function writeTinyParityPair(root: string): Promise<ParityPairFiles> {
  const files = { data: path.join(root, 'data'), tfjsModel: path.join(root, 'tfjs', 'model.json'), onnxModel: path.join(root, 'model.onnx') };
  mkdirSync(files.data);
  writeSyntheticDataset(files.data, { train: 10, test: 10 });
  await tf.setBackend('cpu');
  const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10, activation: 'softmax' })] });
  await model.save(fileSystemSaver(path.dirname(files.tfjsModel)));
  await convertLayersModelToFile(files.tfjsModel, files.onnxModel);
  return files;
}
