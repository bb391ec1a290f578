/** The pipeline's stages and defaults, in one place for the API and the CLI. */
import { DEFAULT_OPSET } from '../export/index.ts';
import { TRAIN_DEFAULTS, type TrainOptions } from '../training/options.ts';
import { DEFAULT_THRESHOLDS, type ParityThresholds } from './parity.ts';

export const STAGES = ['train', 'convert', 'verify', 'parity', 'package', 'report'] as const;
export type StageName = (typeof STAGES)[number];

export interface PipelineOptions extends TrainOptions {
  opset: number;
  thresholds: ParityThresholds;
  from: StageName;
  to: StageName;
  force: boolean;
}

export const PIPELINE_DEFAULTS: PipelineOptions = {
  ...TRAIN_DEFAULTS,
  opset: DEFAULT_OPSET,
  thresholds: DEFAULT_THRESHOLDS,
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
