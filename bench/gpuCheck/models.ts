/** The models the GPU check runs: the MLP and CNN trained briefly on MNIST, and two GraphModels of @vladmandic/human, each converted. */
import path from 'node:path';
import type { Model, TensorData } from '@tfjs-onnx/runtime';
import { convertLayersModelToFile, convertModelToFile } from '../../export/index.ts';
import { normalizeImages } from '../../pipeline/parity.ts';
import { loadDataset } from '../../training/data/datasets.ts';
import { createRandom } from '../../training/random.ts';
import { train } from '../../training/train.ts';
import { NPM_GRAPH_MODELS, npmGraphModelPath } from '../models/npmGraphModels.ts';

/** GraphModels checked by default: two small ones of @vladmandic/human (a devDependency). */
const GRAPH_MODELS = ['emotion', 'iris'];

export interface CheckModel {
  name: string;
  path: string;
  /** Inputs for `count` samples. */
  feeds(model: Model, count: number, seed: number): Record<string, TensorData>;
  classifier: boolean;
}

/** The MLP and CNN, trained briefly on MNIST and converted, and the GraphModels, converted. */
export async function prepareModels(
  work: string,
  only: string[] | undefined,
  log: (line: string) => void,
  notes: string[],
): Promise<CheckModel[]> {
  const { test } = await loadDataset({ dataset: 'mnist' });
  const digits = normalizeImages(test, 1 / 255, 0);
  const models: CheckModel[] = [];
  for (const name of ['mlp', 'cnn'] as const) {
    if (only && !only.includes(name)) continue;
    log(`gpu-check: training the ${name} briefly`);
    const { modelJsonPath } = await train({ model: name, limit: 2000, epochs: 1, quiet: true, out: path.join(work, name) });
    const onnxPath = path.join(work, `${name}.onnx`);
    await convertLayersModelToFile(modelJsonPath, onnxPath);
    models.push({
      name,
      path: onnxPath,
      classifier: true,
      feeds: (model, count) => ({
        [model.inputs[0]!.name]: { type: 'float32', dims: [count, 28, 28, 1], data: digits.slice(0, count * 784) },
      }),
    });
  }
  for (const name of GRAPH_MODELS) {
    if (only && !only.includes(name)) continue;
    let modelJson: string;
    try {
      modelJson = npmGraphModelPath(name);
    } catch {
      notes.push(`GraphModel ${name} not checked: @vladmandic/human (a devDependency) is not installed.`);
      continue;
    }
    const onnxPath = path.join(work, `${name}.onnx`);
    await convertModelToFile(modelJson, onnxPath);
    const range = NPM_GRAPH_MODELS.find((model) => model.name === name)!.inputRange;
    models.push({ name, path: onnxPath, classifier: false, feeds: (model, count, seed) => seededFeeds(model, count, seed, range) });
  }
  return models;
}

/** Seeded inputs of the model's declared shapes, `count` samples on an open batch axis, uniform in the model's input range. */
export function seededFeeds(model: Model, count: number, seed: number, [low, high]: [number, number]): Record<string, TensorData> {
  const random = createRandom(seed);
  return Object.fromEntries(
    model.inputs.map((input) => {
      const dims = input.shape.map((size, axis) => size ?? (axis === 0 ? count : 1));
      const values = Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => low + (high - low) * random());
      return [
        input.name,
        {
          type: input.type,
          dims,
          data: input.type === 'int32' ? Int32Array.from(values, Math.floor) : Float32Array.from(values),
        } as TensorData,
      ];
    }),
  );
}
