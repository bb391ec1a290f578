/** The pipeline's stages and defaults, in one place for the API and the CLI. */
import { DEFAULT_TOP_K, VARIANT_FILES } from '@tfjs-onnx/runtime/constants';
import { InvalidOptionError } from '../common/errors.ts';
import { DEFAULT_OPSET } from '../export/options.ts';
import { variantPath, type Dtype } from '../export/backend/precision/dtype.ts';
import { TRAIN_DEFAULTS, type TrainOptions } from '../training/options.ts';
import type { VariantDtype } from './variants/options.ts';
import type { SpeedOptions, VariantBounds } from './variants/types.ts';

export interface ParityThresholds {
  /** Fraction of samples whose top-1 must agree, 0–1. */
  minTop1Agreement: number;
  /** Largest allowed |Δp| of any probability of any sample. */
  maxAbsDiff: number;
}

export const DEFAULT_THRESHOLDS: ParityThresholds = { minTop1Agreement: 1, maxAbsDiff: 1e-5 };
/** Both thresholds compare probabilities, so both lie in 0–1. */
export const THRESHOLD_LIMITS = {
  minTop1Agreement: { min: 0, max: 1 },
  maxAbsDiff: { min: 0, max: 1 },
} as const;

/** Refuses thresholds outside 0–1 (NaN included): -1 would pass every model, NaN fail every one. */
export function validateThresholds({ minTop1Agreement, maxAbsDiff }: ParityThresholds): void {
  const { minTop1Agreement: agreement, maxAbsDiff: diff } = THRESHOLD_LIMITS;
  if (!(minTop1Agreement >= agreement.min && minTop1Agreement <= agreement.max)) {
    throw new InvalidOptionError(`--min-agreement must be between ${agreement.min} and ${agreement.max}, got ${minTop1Agreement}`);
  }
  if (!(maxAbsDiff >= diff.min && maxAbsDiff <= diff.max))
    throw new InvalidOptionError(`--max-abs-diff must be between ${diff.min} and ${diff.max}, got ${maxAbsDiff}`);
}

/** parity --random N: how many seeded random samples, and the seed (32 bits of it are used). */
export const RANDOM_PARITY_LIMITS = {
  samples: { min: 1, max: 1_000_000 },
  seed: { min: 0, max: 2 ** 32 - 1 },
} as const;

export const PREDICT_DEFAULTS = { topK: DEFAULT_TOP_K } as const;
export const TOP_K_LIMITS = { min: 1, max: 1000 } as const;

/** How the parity stage times the variants against fp32 (here, not in variants/speed.ts, which loads the runtime and so stays out of --help). */
export const PIPELINE_SPEED: SpeedOptions = {
  devices: ['cpu', 'wasm'],
  batchSizes: [1, 256],
  repetitions: 5,
  warmupCalls: 3,
  blockMs: 150,
  minCalls: 3,
};

export const STAGES = ['train', 'convert', 'verify', 'parity', 'package', 'report'] as const;
export type StageName = (typeof STAGES)[number];

export interface PipelineOptions extends TrainOptions {
  opset: number;
  thresholds: ParityThresholds;
  /** Reduced-precision variants written beside the fp32 model and checked with their own bounds ([] for none). */
  variants: VariantDtype[];
  variantBounds: VariantBounds;
  /** How the parity stage times the variants against fp32 (API only; tests shorten it). */
  variantSpeed: SpeedOptions;
  from: StageName;
  to: StageName;
  force: boolean;
}

export const PIPELINE_DEFAULTS: PipelineOptions = {
  ...TRAIN_DEFAULTS,
  opset: DEFAULT_OPSET,
  thresholds: DEFAULT_THRESHOLDS,
  variants: ['fp16', 'q8'],
  variantBounds: { minTop1Agreement: 0.995, maxAccuracyDrop: 0.003 },
  variantSpeed: PIPELINE_SPEED,
  from: 'train',
  to: 'report',
  force: false,
};

/** Where each artifact lives inside the output folder (docs/architecture.md's artifact list). */
export function artifactPaths(out: string) {
  const join = (...parts: string[]) => [out, ...parts].join('/').replace(/\/+/g, '/');
  return {
    out,
    tfjsDirectory: join('tfjs'),
    tfjsModel: join('tfjs', 'model.json'),
    onnxModel: join(VARIANT_FILES.fp32),
    metrics: join('metrics.json'),
    parity: join('parity.json'),
    manifest: join('manifest.json'),
    report: join('report.html'),
    state: join('.pipeline-state.json'),
  };
}

export type ArtifactPaths = ReturnType<typeof artifactPaths>;

/** The ONNX file of each precision the run writes: model.onnx, then model_fp16.onnx, model_quantized.onnx. */
export function modelVariants(paths: ArtifactPaths, variants: readonly Dtype[]): { dtype: Dtype; path: string }[] {
  return (['fp32', ...variants] as Dtype[]).map((dtype) => ({ dtype, path: variantPath(paths.onnxModel, dtype) }));
}
