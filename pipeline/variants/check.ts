/**
 * The variants' part of the parity stage: every reduced-precision variant predicts the whole test
 * set on onnxruntime-node and onnxruntime-web and is held to bounds that fit its precision (top-1
 * agreement with tfjs, test accuracy against fp32's) instead of fp32's near-exact ones; its
 * speed is measured beside fp32's for the report.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { sha256OfBytes } from '../../common/files.ts';
import type { Dtype } from '../../export/backend/precision/dtype.ts';
import type { ImageSplit } from '../../training/data/datasets.ts';
import { argmax, comparePredictions, predictWithRuntime, type Predictions } from '../parity.ts';
import { measureVariantSpeed, SPEED_METHOD } from './speed.ts';
import type { SpeedOptions, VariantBounds, VariantDevice, VariantFigures, VariantsReport } from './types.ts';

export interface CheckVariantsOptions {
  /** fp32 first (the speed reference), then the variants; paths of their ONNX files. */
  models: { dtype: Dtype; path: string }[];
  /** Where file paths are given relative to in the report (the artifacts folder). */
  root: string;
  /** The test split and the same images as model input. */
  test: ImageSplit;
  input: Float32Array;
  /** tfjs's predictions of the test set, the float32 reference. */
  reference: Predictions;
  bounds: VariantBounds;
  speed: SpeedOptions;
  /** Predictions already made (fp32's, by the runtime pairs of the parity check), not repeated. */
  known?: Partial<Record<Dtype, Partial<Record<VariantDevice, Predictions>>>>;
  onProgress?: (line: string) => void;
}

const DEVICES: VariantDevice[] = ['cpu', 'wasm'];

export async function checkVariants(options: CheckVariantsOptions): Promise<VariantsReport> {
  const { models, test, input, reference, bounds } = options;
  const files = await Promise.all(models.map(async (model) => ({ ...model, bytes: new Uint8Array(await fs.readFile(model.path)) })));
  const figures: Omit<VariantFigures, 'speed' | 'passed' | 'accuracyChange' | 'sizeRatio'>[] = [];
  for (const file of files) {
    const versusTfjs = {} as VariantFigures['versusTfjs'];
    let testAccuracy = 0;
    for (const device of DEVICES) {
      const predictions = options.known?.[file.dtype]?.[device] ?? (await predictWithRuntime(file.path, device, input, test.count));
      const pair = comparePredictions(reference, predictions, { minTop1Agreement: bounds.minTop1Agreement, maxAbsDiff: Infinity });
      versusTfjs[device] = {
        top1Agreement: pair.top1Agreement,
        maxAbsDiff: pair.maxAbsDiff,
        meanAbsDiff: pair.meanAbsDiff,
        disagreements: pair.disagreements.length,
      };
      if (device === 'cpu') testAccuracy = accuracy(predictions, test.labels);
    }
    options.onProgress?.(`${file.dtype}: predicted ${test.count} test images on onnxruntime-node and onnxruntime-web`);
    figures.push({
      dtype: file.dtype,
      file: path.relative(options.root, file.path),
      bytes: file.bytes.byteLength,
      sha256: sha256OfBytes(file.bytes),
      testAccuracy,
      versusTfjs,
    });
  }

  const perImage = input.length / test.count;
  const speeds = await measureVariantSpeed(
    files.map((file) => ({ label: file.dtype, bytes: file.bytes })),
    input,
    perImage,
    options.speed,
  );
  options.onProgress?.(`measured images/s at batch ${options.speed.batchSizes.join(' and ')} on both runtimes`);

  const fp32 = figures.find((figure) => figure.dtype === 'fp32')!;
  const variants = figures.map((figure): VariantFigures => {
    const accuracyChange = figure.testAccuracy - fp32.testAccuracy;
    // fp32 is held to the strict bounds by the runtime pairs of the parity report; here every
    // variant, fp32 included, must meet the precision bounds.
    const passed =
      DEVICES.every((device) => figure.versusTfjs[device].top1Agreement >= bounds.minTop1Agreement) &&
      accuracyChange >= -bounds.maxAccuracyDrop - 1e-12;
    return { ...figure, sizeRatio: figure.bytes / fp32.bytes, accuracyChange, speed: speeds.get(figure.dtype)!, passed };
  });
  return {
    bounds,
    samples: test.count,
    speedMethod: SPEED_METHOD(options.speed),
    variants,
    passed: variants.every((variant) => variant.passed),
  };
}

/** The first variant that broke its bounds, and how, for the error the stage ends with. */
export function describeVariantFailure(report: VariantsReport): string {
  return report.variants
    .filter((variant) => !variant.passed)
    .map((variant) => {
      const agreements = DEVICES.map((device) => `${(variant.versusTfjs[device].top1Agreement * 100).toFixed(2)}% on ${device}`).join(', ');
      return `${variant.dtype} (${variant.file}): top-1 agreement with tfjs ${agreements} (need ≥ ${(report.bounds.minTop1Agreement * 100).toFixed(2)}%), test accuracy ${(variant.testAccuracy * 100).toFixed(2)}% (${(variant.accuracyChange * 100).toFixed(2)} points from fp32; at most ${(report.bounds.maxAccuracyDrop * 100).toFixed(2)} lower allowed)`;
    })
    .join('; ');
}

function accuracy(predictions: Predictions, labels: ArrayLike<number>): number {
  let correct = 0;
  for (let i = 0; i < predictions.count; i++)
    if (argmax(predictions.probabilities, i * predictions.classCount, predictions.classCount) === labels[i]) correct++;
  return correct / predictions.count;
}
