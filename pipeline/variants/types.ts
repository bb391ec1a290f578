/**
 * The reduced-precision variants' figures, as parity.json records them under `variants` and the
 * report shows them: each variant against tfjs (the float32 reference) on both runtimes, its test
 * accuracy, its file, and its speed relative to fp32 measured side by side in the same run.
 */
import type { Dtype } from '../../export/backend/precision/dtype.ts';

export interface VariantBounds {
  /** Top-1 agreement with tfjs every variant must reach on the whole test set, 0–1. */
  minTop1Agreement: number;
  /** How far a variant's test accuracy may fall below fp32's, as a fraction (0.003 = 0.3 points). */
  maxAccuracyDrop: number;
}

/** The devices variants are checked and timed on: onnxruntime-node's CPU and onnxruntime-web's WebAssembly. */
export type VariantDevice = 'cpu' | 'wasm';

/** How variants are timed against fp32 (the pipeline's settings are PIPELINE_SPEED in pipeline/options.ts). */
export interface SpeedOptions {
  devices: VariantDevice[];
  batchSizes: number[];
  repetitions: number;
  /** Untimed calls per variant and batch size before the first repetition. */
  warmupCalls: number;
  /** A repetition alternates the variants' calls for at least this long per variant (and at least minCalls each). */
  blockMs: number;
  minCalls: number;
}

/** Images/s at one batch size: the median over repetitions, and the median of the per-repetition ratios to fp32. */
export interface VariantSpeed {
  batch: number;
  imagesPerSecond: { median: number; min: number; max: number; repetitions: number };
  /** images/s ÷ fp32's images/s in the same repetition; 1 for fp32 itself. */
  ratioToFp32: number;
}

export interface VariantFigures {
  dtype: Dtype;
  /** The ONNX file, relative to the artifacts folder. */
  file: string;
  bytes: number;
  sha256: string;
  /** bytes ÷ the fp32 file's bytes. */
  sizeRatio: number;
  /** Test accuracy of the predictions on device cpu (onnxruntime-node) (0–1). */
  testAccuracy: number;
  /** testAccuracy − fp32's (negative when the variant is less accurate). */
  accuracyChange: number;
  /** Against tfjs's float32 predictions on every test image, per device. */
  versusTfjs: Record<VariantDevice, { top1Agreement: number; maxAbsDiff: number; meanAbsDiff: number; disagreements: number }>;
  speed: Record<VariantDevice, VariantSpeed[]>;
  passed: boolean;
}

export interface VariantsReport {
  bounds: VariantBounds;
  samples: number;
  /** How the speed figures were taken. */
  speedMethod: string;
  /** fp32 first, then the variants in the order fp16, q8. */
  variants: VariantFigures[];
  passed: boolean;
}
