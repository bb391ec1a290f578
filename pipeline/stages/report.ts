/** report: report.html, with the confusion matrix and misclassified digits of the exported model. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readJsonFile } from '../../common/files.ts';
import { argmax, normalizeImages, predictWithRuntime, readPreprocess, type ParityReport } from '../parity.ts';
import { writeReport, type MisclassifiedImage } from '../report/index.ts';
import type { ImageDataset } from '../../training/data/datasets.ts';
import { readTrainingMetrics } from './files.ts';
import type { VariantsReport } from '../variants/types.ts';
import type { Stage } from './stage.ts';

export const reportStage: Stage = {
  name: 'report',
  requires: (paths) => [paths.tfjsModel, paths.onnxModel, paths.metrics],
  async inputs({ paths }) {
    return { files: [paths.tfjsModel, paths.onnxModel, paths.metrics, paths.parity, paths.manifest], settings: {} };
  },
  async run({ paths, dataset, summaries }) {
    const metrics = await readTrainingMetrics(paths.metrics);
    const data = await dataset();
    const { scale, offset } = await readPreprocess(paths.tfjsModel);
    const input = normalizeImages(data.test, scale, offset);
    const predictions = await predictWithRuntime(paths.onnxModel, 'cpu', input, data.test.count);
    const predicted = Array.from({ length: data.test.count }, (_, i) =>
      argmax(predictions.probabilities, i * predictions.classCount, predictions.classCount),
    );
    // Parity and manifest are optional (--to report may skip them); when present, a broken one is named.
    const optionalJson = async <T>(file: string) => (existsSync(file) ? ((await readJsonFile(file)) as T) : undefined);
    const parity = await optionalJson<ParityReport & { variants?: VariantsReport }>(paths.parity);
    await writeReport(paths.report, {
      title: `tfjs-onnx: ${metrics.model} on ${metrics.dataset.name}`,
      metrics,
      confusion: confusionMatrix(data.test.labels, predicted, data.classNames.length),
      predictedBy: `${path.basename(paths.onnxModel)} on onnxruntime-node`,
      misclassified: misclassifiedImages(data, predicted, predictions.probabilities, predictions.classCount),
      parity,
      variants: parity?.variants,
      manifest: await optionalJson<unknown>(paths.manifest),
      stages: summaries,
      generatedAt: new Date().toISOString(),
    });
    const errors = predicted.filter((p, i) => p !== data.test.labels[i]).length;
    return { outputs: [paths.report], figure: `${errors} misclassified of ${data.test.count} (onnxruntime-node)` };
  },
};

/** metrics.json, parsed and checked against training's TrainingMetrics (errors name the file and the field). */

export function confusionMatrix(labels: ArrayLike<number>, predicted: number[], classCount: number): number[][] {
  const matrix = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
  predicted.forEach((p, i) => {
    matrix[labels[i]][p]++;
  });
  return matrix;
}

/** Every misclassified test image (the report picks which to show). */
function misclassifiedImages(
  data: ImageDataset,
  predicted: number[],
  probabilities: Float32Array,
  classCount: number,
): MisclassifiedImage[] {
  const pixels = data.height * data.width * data.channels;
  const shown: MisclassifiedImage[] = [];
  for (let i = 0; i < predicted.length; i++) {
    const truth = data.test.labels[i];
    if (predicted[i] === truth) continue;
    shown.push({
      index: i,
      pixels: data.test.images.slice(i * pixels, (i + 1) * pixels),
      height: data.height,
      width: data.width,
      channels: data.channels,
      trueLabel: data.classNames[truth],
      predictedLabel: data.classNames[predicted[i]],
      probability: probabilities[i * classCount + predicted[i]],
    });
  }
  return shown;
}
