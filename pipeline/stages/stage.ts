/** The shape every pipeline stage shares, and what the runner hands each one. */
import type { ImageDataset } from '../../training/data/datasets.ts';
import type { ArtifactPaths, PipelineOptions, StageName } from '../options.ts';

export interface StageContext {
  options: PipelineOptions;
  paths: ArtifactPaths;
  /** The dataset, loaded once per run on first use. */
  dataset(): Promise<ImageDataset>;
  /** A line of output under the stage's header (silent with --quiet). */
  say(line: string): void;
  /** Whether long work may draw progress bars (a terminal, not --quiet). */
  interactive: boolean;
  /** Summaries of the stages that ran before this one in this run. */
  summaries: { stage: string; seconds: number; figure: string }[];
}

export interface StageInputs {
  /** Files whose content decides whether the stage must run again. */
  files: string[];
  /** Options that change the stage's result. */
  settings: unknown;
}

export interface StageResult {
  /** Files the stage wrote (their hashes tell the next run whether they are intact). */
  outputs: string[];
  /** The key figure for the summary table, e.g. "test accuracy 97.81%". */
  figure: string;
}

export interface Stage {
  name: StageName;
  /** What the stage needs from earlier stages, named for the error when it is missing. */
  requires: (paths: ArtifactPaths) => string[];
  inputs(context: StageContext): Promise<StageInputs>;
  run(context: StageContext): Promise<StageResult>;
}
