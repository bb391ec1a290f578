/**
 * The pipeline: train → convert → verify → parity → package → report. Each stage prints a
 * header and its duration; a stage whose inputs (by hash) and outputs are unchanged since its
 * last run is skipped unless forced; the run ends with a summary table and the artifact paths.
 */
import { existsSync } from 'node:fs';
import { InvalidOptionError, UserError, describeError } from '../common/errors.ts';
import { ensureDirectory } from '../common/files.ts';
import { MAX_OPSET, MIN_OPSET } from '../export/options.ts';
import { loadDataset, type ImageDataset } from '../training/data/datasets.ts';
import { resolveTrainOptions } from '../training/options.ts';
import {
  PIPELINE_DEFAULTS,
  STAGES,
  artifactPaths,
  modelVariants,
  validateThresholds,
  type PipelineOptions,
  type StageName,
} from './options.ts';
import { convertStage } from './stages/convert.ts';
import { packageStage } from './stages/package.ts';
import { parityStage } from './stages/parity.ts';
import { reportStage } from './stages/report.ts';
import type { Stage, StageContext, StageResult } from './stages/stage.ts';
import { trainStage } from './stages/train.ts';
import { verifyStage } from './stages/verify.ts';
import { validateVariants } from './variants/options.ts';
import { hashInputs, hashOutputs, outputsIntact, type PipelineState, readState, writeState } from './state.ts';

const STAGE_MODULES: Record<StageName, Stage> = {
  train: trainStage,
  convert: convertStage,
  verify: verifyStage,
  parity: parityStage,
  package: packageStage,
  report: reportStage,
};

export interface StageOutcome {
  stage: StageName;
  status: 'ran' | 'skipped';
  seconds: number;
  figure: string;
}

export interface PipelineResult {
  outcomes: StageOutcome[];
  paths: ReturnType<typeof artifactPaths>;
}

/** A failure inside a stage, named for the user: "stage parity: ...". */
export class StageError extends UserError {}

export async function runPipeline(
  partial: Partial<PipelineOptions> = {},
  output: NodeJS.WriteStream = process.stdout,
): Promise<PipelineResult> {
  const options = resolvePipelineOptions(partial);
  const paths = artifactPaths(options.out);
  await ensureDirectory(paths.out);
  const say = (line: string) => {
    if (!options.quiet) output.write(`${line}\n`);
  };
  const selected = STAGES.slice(STAGES.indexOf(options.from), STAGES.indexOf(options.to) + 1);
  const state = await readState(paths.state);
  const outcomes: StageOutcome[] = [];
  let datasetPromise: Promise<ImageDataset> | undefined;
  const context: StageContext = {
    options,
    paths,
    dataset: () => (datasetPromise ??= loadDataset({ dataset: options.dataset, dataDir: options.dataDir })),
    say: (line) => say(`  ${line}`),
    interactive: !options.quiet && Boolean(output.isTTY),
    summaries: [],
  };

  for (const name of selected) outcomes.push(await runStage(name, context, state, say));

  say(`\n${summaryTable(outcomes)}`);
  say(`\nArtifacts in ${paths.out}/:`);
  for (const file of [
    paths.tfjsModel,
    ...modelVariants(paths, options.variants).map((model) => model.path),
    paths.metrics,
    paths.parity,
    paths.manifest,
    paths.report,
  ]) {
    if (existsSync(file)) say(`  ${file}`);
  }
  return { outcomes, paths };
}

/**
 * One stage: skipped when its inputs hash as last time and its outputs are intact (unless forced),
 * else run and recorded in `state`, which is written at once, after a failure too.
 */
async function runStage(name: StageName, context: StageContext, state: PipelineState, say: (line: string) => void): Promise<StageOutcome> {
  const stage = STAGE_MODULES[name];
  say(`\n▶ ${name}`);
  requireInputs(stage, context.paths);
  const started = performance.now();
  const inputs = await stage.inputs(context);
  const inputHash = await hashInputs(inputs.settings, inputs.files);
  const previous = state[name];
  if (!context.options.force && previous && previous.inputHash === inputHash && (await outputsIntact(previous, context.paths.out))) {
    say(`  unchanged since the last run, skipped (--force to run it again): ${previous.figure}`);
    context.summaries.push({ stage: name, seconds: previous.seconds, figure: `${previous.figure} (skipped: unchanged)` });
    return { stage: name, status: 'skipped', seconds: previous.seconds, figure: previous.figure };
  }
  // A stage that runs again invalidates what later stages recorded, even if it fails.
  delete state[name];
  let result: StageResult;
  try {
    result = await stage.run(context);
  } catch (error) {
    await writeState(context.paths.state, state);
    if (error instanceof UserError) throw new StageError(`stage ${name}: ${error.message}`, { cause: error });
    throw new StageError(`stage ${name} failed: ${describeError(error)}`, { cause: error });
  }
  const seconds = (performance.now() - started) / 1000;
  const outputs = await hashOutputs(result.outputs, context.paths.out);
  state[name] = { inputHash, outputs, figure: result.figure, seconds };
  await writeState(context.paths.state, state);
  say(`  ✓ ${name} in ${formatSeconds(seconds)}: ${result.figure}`);
  context.summaries.push({ stage: name, seconds, figure: result.figure });
  return { stage: name, status: 'ran', seconds, figure: result.figure };
}

export function resolvePipelineOptions(partial: Partial<PipelineOptions>): PipelineOptions {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined)) as Partial<PipelineOptions>;
  const merged = { ...PIPELINE_DEFAULTS, ...defined, thresholds: { ...PIPELINE_DEFAULTS.thresholds, ...defined.thresholds } };
  for (const key of ['from', 'to'] as const) {
    if (!STAGES.includes(merged[key]))
      throw new InvalidOptionError(`--${key} ${merged[key]} is not a stage: choose one of ${STAGES.join(', ')}`);
  }
  if (STAGES.indexOf(merged.from) > STAGES.indexOf(merged.to)) {
    throw new InvalidOptionError(`--from ${merged.from} comes after --to ${merged.to}; the stages run in the order ${STAGES.join(' → ')}`);
  }
  validateThresholds(merged.thresholds);
  if (!Number.isInteger(merged.opset) || merged.opset < MIN_OPSET || merged.opset > MAX_OPSET) {
    throw new InvalidOptionError(`--opset must be a whole number from ${MIN_OPSET} to ${MAX_OPSET}, got ${merged.opset}`);
  }
  return { ...merged, variants: validateVariants(merged.variants), ...resolveTrainOptions(merged) };
}

function requireInputs(stage: Stage, paths: ReturnType<typeof artifactPaths>): void {
  const missing = stage.requires(paths).filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new StageError(
      `stage ${stage.name} needs ${missing.join(', ')}, which an earlier stage writes: run without --from, or from an earlier stage`,
    );
  }
}

function formatSeconds(seconds: number): string {
  return seconds < 10 ? `${seconds.toFixed(1)}s` : `${Math.round(seconds)}s`;
}

function summaryTable(outcomes: StageOutcome[]): string {
  const rows = outcomes.map((o) => [o.stage, o.status, formatSeconds(o.seconds), o.figure]);
  const header = ['stage', 'status', 'time', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)].join('\n');
}
