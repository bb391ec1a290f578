/** A variants report as the pipeline writes it: figures per precision, with speed ratios to fp32 on each device. */
import type { VariantFigures, VariantsReport } from '../../../pipeline/variants/types.ts';

export function figures(
  dtype: VariantFigures['dtype'],
  ratios: { cpu: number; wasm: number },
  agreement = 1,
  accuracyChange = 0,
): VariantFigures {
  const speed = (ratio: number) =>
    [1, 256].map((batch) => ({
      batch,
      imagesPerSecond: { median: 1000 * ratio, min: 900, max: 1100, repetitions: 5 },
      ratioToFp32: ratio,
    }));
  const versus = { top1Agreement: agreement, maxAbsDiff: 1e-3, meanAbsDiff: 1e-5, disagreements: Math.round((1 - agreement) * 10000) };
  return {
    dtype,
    file: dtype === 'fp32' ? 'model.onnx' : `model_${dtype === 'fp16' ? 'fp16' : 'quantized'}.onnx`,
    bytes: 1000,
    sha256: 'ab',
    sizeRatio: 1,
    testAccuracy: 0.97 + accuracyChange,
    accuracyChange,
    versusTfjs: { cpu: versus, wasm: versus },
    speed: { cpu: speed(ratios.cpu), wasm: speed(ratios.wasm) },
    passed: agreement >= 0.995 && accuracyChange >= -0.003,
  };
}

export function variantsReport(variants: VariantFigures[]): VariantsReport {
  return {
    bounds: { minTop1Agreement: 0.995, maxAccuracyDrop: 0.003 },
    samples: 10000,
    speedMethod: 'test',
    variants,
    passed: variants.every((v) => v.passed),
  };
}
