/**
 * How random parity compares each output. An output shaped [batch, ...fixed] is compared sample
 * by sample (a row per sample, top-1 on the first such output). An output whose shape depends on
 * the data (the boxes NonMaxSuppression keeps, a loop's stacked results) has no per-sample rows:
 * it is compared by shape first (every runtime must give the same shape on every batch) and then
 * value by value, and the report lists it as such.
 */
import { formatShape } from '@tfjs-onnx/runtime/constants';
import { ParityError, type Predictions } from './parity.ts';
import type { ParityReport, ParityThresholds } from './parity.ts';

export interface OutputValues {
  data: ArrayLike<number | bigint | boolean>;
  dims: readonly number[];
}

/** One runtime's outputs: per batch, per output. */
export interface RuntimeOutputs {
  source: string;
  batches: OutputValues[][];
}

export interface OutputSplit {
  /** Outputs compared sample by sample, by index. */
  perSample: number[];
  /** Outputs compared whole (by shape, then values), by index. */
  whole: number[];
}

/** Splits the outputs, refusing any whose shape differs between runtimes (naming it, the runtimes and the batch). */
export function splitOutputs(names: readonly string[], batchSizes: readonly number[], runs: readonly RuntimeOutputs[]): OutputSplit {
  const [reference, ...others] = runs;
  const split: OutputSplit = { perSample: [], whole: [] };
  names.forEach((name, k) => {
    batchSizes.forEach((_, b) => {
      const want = reference.batches[b][k].dims;
      for (const other of others) {
        const got = other.batches[b][k].dims;
        if (want.length !== got.length || want.some((size, i) => size !== got[i])) {
          throw new ParityError(
            `output "${name}" has shape ${formatShape(want)} on ${reference.source} but ${formatShape(got)} on ${other.source} (random batch ${b + 1})`,
          );
        }
      }
    });
    const shapes = reference.batches.map((outputs) => outputs[k].dims);
    const rows = shapes.every(
      (dims, b) => dims.length > 0 && dims[0] === batchSizes[b] && dims.slice(1).join() === shapes[0].slice(1).join(),
    );
    (rows ? split.perSample : split.whole).push(k);
  });
  return split;
}

/** max(1, max |value|) of each output over every batch (of the reference run). */
export function outputScales(run: RuntimeOutputs, count: number): number[] {
  return Array.from({ length: count }, (_, k) => {
    let scale = 1;
    for (const outputs of run.batches) {
      const values = outputs[k].data;
      for (let i = 0; i < values.length; i++) scale = Math.max(scale, Math.abs(Number(values[i])));
    }
    return scale;
  });
}

/**
 * Samples as rows: every per-sample output's values for that sample, scaled, one after another.
 * Top-1 is taken over the first of them (a classifier's probabilities).
 */
export function toPredictions(
  run: RuntimeOutputs,
  outputs: readonly number[],
  batchSizes: readonly number[],
  scales: readonly number[],
): Predictions {
  const count = batchSizes.reduce((sum, size) => sum + size, 0);
  const perSample = outputs.map((k) => run.batches[0][k].data.length / batchSizes[0]);
  const rowLength = perSample.reduce((a, b) => a + b, 0);
  const rows = new Float32Array(count * rowLength);
  let sample = 0;
  batchSizes.forEach((size, b) => {
    for (let s = 0; s < size; s++, sample++) {
      let offset = sample * rowLength;
      outputs.forEach((k, j) => {
        const values = run.batches[b][k].data;
        for (let i = 0; i < perSample[j]; i++) rows[offset + i] = Number(values[s * perSample[j] + i]) / scales[k];
        offset += perSample[j];
      });
    }
  });
  return { source: run.source, probabilities: rows, count, classCount: rowLength, top1Length: perSample[0] ?? 0 };
}

/** Adds the whole outputs' largest scaled difference to each pair of the report, and names them in it. */
export function compareWholeOutputs(
  report: ParityReport,
  names: readonly string[],
  runs: readonly RuntimeOutputs[],
  whole: readonly number[],
  scales: readonly number[],
  thresholds: ParityThresholds,
): ParityReport {
  if (whole.length === 0) return report;
  const bySource = new Map(runs.map((run) => [run.source, run]));
  const pairs = report.pairs.map((pair) => {
    const [a, b] = [bySource.get(pair.a)!, bySource.get(pair.b)!];
    let maxAbsDiff = pair.maxAbsDiff;
    for (const k of whole) {
      a.batches.forEach((outputs, batch) => {
        const [x, y] = [outputs[k].data, b.batches[batch][k].data];
        for (let i = 0; i < x.length; i++) {
          const diff = Math.abs(Number(x[i]) - Number(y[i])) / scales[k];
          maxAbsDiff = Number.isNaN(diff) ? Infinity : Math.max(maxAbsDiff, diff);
        }
      });
    }
    return { ...pair, maxAbsDiff, passed: pair.passed && maxAbsDiff <= thresholds.maxAbsDiff };
  });
  return { ...report, pairs, passed: pairs.every((pair) => pair.passed), wholeOutputs: whole.map((k) => names[k]) };
}
