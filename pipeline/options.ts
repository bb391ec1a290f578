/** The pipeline's stages and defaults, in one place for the API and the CLI. */
import { DEFAULT_OPSET } from '../export/index.ts';
import { variantPath, type Dtype } from '../export/precision/dtype.ts';
import { TRAIN_DEFAULTS, type TrainOptions } from '../training/options.ts';
import { DEFAULT_THRESHOLDS, type ParityThresholds } from './parity.ts';
import type { VariantDtype } from './variants/options.ts';
import { PIPELINE_SPEED, type SpeedOptions } from './variants/speed.ts';
import type { VariantBounds } from './variants/types.ts';

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

/** Where each artifact lives inside the output folder (DESIGN.md's artifact contract). */
export function artifactPaths(out: string) {
  const join = (...parts: string[]) => [out, ...parts].join('/').replace(/\/+/g, '/');
  return {
    out,
    tfjsDirectory: join('tfjs'),
    tfjsModel: join('tfjs', 'model.json'),
    onnxModel: join('model.onnx'),
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
