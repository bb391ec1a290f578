/**
 * Reduced precision on the MLP and the CNN: each variant (fp32, fp16, q8) converted from the same
 * tfjs model, with its file size, its accuracy on the 10,000 test images and its images/s on
 * onnxruntime-node and onnxruntime-web at each batch size as ratios to fp32 taken in the same
 * repetitions. Then the q8 forms the converter can write (integer, QDQ, int8 weights folded at
 * load; for MatMul/Gemm and for Conv), measured the same way, which is how the default forms were
 * chosen (export/backend/precision/quantize.ts).
 */
import { readFile } from 'node:fs/promises';
import { DTYPES, VARIANT_FILES } from '@tfjs-onnx/runtime/constants';
import path from 'node:path';
import { convertLayersModelToFile, convertModelVariantsToFiles } from '../../../export/index.ts';
import type { Dtype } from '../../../export/backend/precision/dtype.ts';
import { DEFAULT_QUANTIZE_FORMS, type QuantizeForms } from '../../../export/backend/precision/index.ts';
import { argmax, normalizeImages, predictWithRuntime, readPreprocess, type Predictions } from '../../../pipeline/parity.ts';
import { SPEED_METHOD, measureVariantSpeed, type SpeedTable } from '../../../pipeline/variants/speed.ts';
import { loadDataset } from '../../../training/data/datasets.ts';
import type { ModelName } from '../../settings.ts';
import type { PreparedModel, SectionContext } from '../definition.ts';

export interface PrecisionRow {
  model: ModelName;
  /** 'fp32', 'fp16', 'q8', or a q8 form such as 'q8 MatMul qdq'. */
  variant: string;
  dtype: Dtype;
  forms?: QuantizeForms;
  bytes: number;
  sizeRatio: number;
  /** On the 10,000 test images, onnxruntime-node's predictions. */
  testAccuracy: number;
  /** Fraction of test images whose top-1 class is fp32's. */
  top1AgreementWithFp32: number;
  speed: SpeedTable;
}

export interface PrecisionData {
  batchSizes: number[];
  speedMethod: string;
  /** fp32, fp16, q8 per model. */
  variants: PrecisionRow[];
  /** q8 forms per model, each with fp32 as its reference in the same repetitions. */
  forms: PrecisionRow[];
}

/** The forms compared: the default, then one change at a time. */
const FORM_CANDIDATES: Record<ModelName, { label: string; forms: Partial<QuantizeForms> }[]> = {
  mlp: [
    { label: 'MatMul integer, per channel (default)', forms: {} },
    { label: 'MatMul integer, per tensor', forms: { perChannel: false } },
    { label: 'MatMul QDQ', forms: { matMul: 'qdq' } },
    { label: 'MatMul int8 weights', forms: { matMul: 'int8-weights' } },
  ],
  cnn: [
    { label: 'Conv int8 weights, MatMul integer (default)', forms: {} },
    { label: 'Conv integer (ConvInteger)', forms: { conv: 'integer' } },
    { label: 'Conv QDQ', forms: { conv: 'qdq' } },
    { label: 'MatMul int8 weights (and Conv)', forms: { matMul: 'int8-weights' } },
  ],
};

export async function measurePrecision(context: SectionContext): Promise<PrecisionData> {
  const { models, settings, workDirectory } = context;
  if (!models) throw new Error('the precision section needs the prepared models');
  const speed = settings.precision;
  const dataset = await loadDataset({});
  const result: PrecisionData = { batchSizes: speed.batchSizes, speedMethod: '', variants: [], forms: [] };
  for (const model of [models.mlp, models.cnn]) {
    const { scale, offset } = await readPreprocess(model.tfjs);
    const input = normalizeImages(dataset.test, scale, offset);
    const directory = path.join(workDirectory, 'precision', model.name);

    const variants = await convertModelVariantsToFiles(model.tfjs, path.join(directory, VARIANT_FILES.fp32), DTYPES);
    const candidates = [
      { label: 'fp32', dtype: 'fp32' as Dtype, path: variants[0].path },
      ...variants.slice(1).map((v) => ({ label: v.dtype, dtype: v.dtype, path: v.path })),
    ];
    result.variants.push(...(await measureCandidates(model, candidates, input, dataset.test.labels, speed)));
    process.stderr.write(`precision: ${model.name} variants done\n`);

    const forms = [];
    for (const [i, candidate] of FORM_CANDIDATES[model.name].entries()) {
      const file = path.join(directory, `form-${i}.onnx`);
      await convertLayersModelToFile(model.tfjs, file, { dtype: 'q8', quantization: candidate.forms });
      forms.push({ label: candidate.label, dtype: 'q8' as Dtype, path: file, forms: { ...DEFAULT_QUANTIZE_FORMS, ...candidate.forms } });
    }
    result.forms.push(...(await measureCandidates(model, [candidates[0], ...forms], input, dataset.test.labels, speed)).slice(1));
    process.stderr.write(`precision: ${model.name} q8 forms done\n`);
  }
  result.speedMethod = SPEED_METHOD({ ...speed, devices: ['cpu', 'wasm'] });
  return result;
}

async function measureCandidates(
  model: PreparedModel,
  candidates: { label: string; dtype: Dtype; path: string; forms?: QuantizeForms }[],
  input: Float32Array,
  labels: Uint8Array,
  speed: SectionContext['settings']['precision'],
): Promise<PrecisionRow[]> {
  const files = await Promise.all(
    candidates.map(async (candidate) => ({ ...candidate, bytes: new Uint8Array(await readFile(candidate.path)) })),
  );
  const predictions: Predictions[] = [];
  for (const file of files) predictions.push(await predictWithRuntime(file.path, 'cpu', input, labels.length));
  const perImage = input.length / labels.length;
  const speeds = await measureVariantSpeed(
    files.map((file) => ({ label: file.label, bytes: file.bytes })),
    input,
    perImage,
    {
      devices: ['cpu', 'wasm'],
      batchSizes: speed.batchSizes,
      repetitions: speed.repetitions,
      warmupCalls: speed.warmupCalls,
      blockMs: speed.blockMs,
      minCalls: speed.minCalls,
    },
  );
  return files.map((file, i) => ({
    model: model.name,
    variant: file.label,
    dtype: file.dtype,
    ...(file.forms ? { forms: file.forms } : {}),
    bytes: file.bytes.byteLength,
    sizeRatio: file.bytes.byteLength / files[0].bytes.byteLength,
    testAccuracy: agreement(predictions[i], (sample) => labels[sample]),
    top1AgreementWithFp32: agreement(predictions[i], (sample) =>
      argmax(predictions[0].probabilities, sample * predictions[0].classCount, predictions[0].classCount),
    ),
    speed: speeds.get(file.label)!,
  }));
}

/** Fraction of samples whose top-1 class is the expected one. */
function agreement(predictions: Predictions, expected: (sample: number) => number): number {
  let same = 0;
  for (let sample = 0; sample < predictions.count; sample++) {
    if (argmax(predictions.probabilities, sample * predictions.classCount, predictions.classCount) === expected(sample)) same++;
  }
  return same / predictions.count;
}
