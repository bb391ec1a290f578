/**
 * The models every other section measures: the MLP and the CNN, trained here with train()'s
 * recipe for a few hundred steps (timing does not depend on accuracy) unless given with
 * --mlp/--cnn, and converted with the project's converter unless their .onnx is given too.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileSystemSaver } from '../../../common/tfjsModelFiles.ts';
import { InvalidInputError } from '../../../common/errors.ts';
import { convertLayersModelToFile } from '../../../export/index.ts';
import { selectBackend } from '../../../training/backends/select.ts';
import { loadDataset } from '../../../training/data/datasets.ts';
import { PIXEL_SCALE, toTensors } from '../../../training/train.ts';
import { compileReferenceModel, fitOnce } from '../../models/recipe.ts';
import type { ModelName } from '../../settings.ts';
import type { PreparedModel, PreparedModels, SectionContext } from '../definition.ts';

const MODEL_NAMES: ModelName[] = ['mlp', 'cnn'];

export async function prepareModels(context: SectionContext): Promise<PreparedModels> {
  const prepared = {} as PreparedModels;
  for (const name of MODEL_NAMES) {
    const started = performance.now();
    const given = context.given[name];
    const model = given?.tfjs ? await givenModel(name, given.tfjs, given.onnx, context.workDirectory) : await trainModel(name, context);
    process.stderr.write(
      `models: ${name} (${((performance.now() - started) / 1000).toFixed(1)} s) ${model.origin === 'trained' ? `trained for ${model.steps} steps` : 'given'} on tfjs ${model.tfjsBackend} → ${model.onnx}\n`,
    );
    prepared[name] = model;
  }
  return prepared;
}

/**
 * train()'s recipe, backend choice and saved metadata, but without its validation and test passes
 * over the 10,000 test images, which take longer than the training steps themselves here.
 */
async function trainModel(name: ModelName, context: SectionContext): Promise<PreparedModel> {
  const steps = context.settings.modelSteps[name];
  const { batchSize, learningRate } = context.settings.training;
  const backend = await selectBackend();
  const dataset = await loadDataset({ limit: steps * batchSize });
  const compiled = compileReferenceModel(name, dataset, learningRate);
  const tensors = toTensors(dataset.train, dataset);
  try {
    await fitOnce(compiled.model, tensors, batchSize);
    compiled.model.setUserDefinedMetadata({
      labels: dataset.classNames,
      preprocess: {
        layout: 'NHWC',
        height: dataset.height,
        width: dataset.width,
        channels: dataset.channels,
        scale: PIXEL_SCALE,
        offset: 0,
      },
      dataset: dataset.name,
    });
    const directory = path.join(context.workDirectory, name, 'tfjs');
    await compiled.model.save(fileSystemSaver(directory));
    const tfjs = path.join(directory, 'model.json');
    const onnx = path.join(context.workDirectory, `${name}.onnx`);
    await convertLayersModelToFile(tfjs, onnx);
    return { name, tfjs, onnx, origin: 'trained', steps, tfjsBackend: backend };
  } finally {
    tf.dispose(tensors);
    compiled.dispose();
  }
}

async function givenModel(name: ModelName, tfjs: string, onnx: string | undefined, workDirectory: string): Promise<PreparedModel> {
  const tfjsPath = path.resolve(tfjs);
  if (!existsSync(tfjsPath)) throw new InvalidInputError(`--${name} ${tfjsPath} does not exist`);
  let onnxPath: string;
  if (onnx) {
    onnxPath = path.resolve(onnx);
    if (!existsSync(onnxPath)) throw new InvalidInputError(`--${name}-onnx ${onnxPath} does not exist`);
  } else {
    onnxPath = path.join(workDirectory, `${name}.onnx`);
    await convertLayersModelToFile(tfjsPath, onnxPath);
  }
  return { name, tfjs: tfjsPath, onnx: onnxPath, origin: 'given', tfjsBackend: trainedBackend(tfjsPath) ?? (await selectBackend()) };
}

/**
 * The backend a given model was trained on, from the metrics.json that train() writes one folder
 * above tfjs/model.json; undefined when there is none (then tfjs predict runs on the default backend).
 */
function trainedBackend(modelJsonPath: string): string | undefined {
  const metricsPath = path.join(path.dirname(modelJsonPath), '..', 'metrics.json');
  if (!existsSync(metricsPath)) return undefined;
  try {
    const backend = (JSON.parse(readFileSync(metricsPath, 'utf8')) as { backend?: unknown }).backend;
    return typeof backend === 'string' ? backend : undefined;
  } catch {
    return undefined;
  }
}
