/**
 * Summaries of repeated measurements. Every figure the benchmark and the pipeline's speed table
 * report is the median of several repetitions with the smallest and largest beside it, so a reader
 * sees how noisy the machine was.
 */
/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  if (values.length === 0) throw new RangeError('median() needs at least one value');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A figure measured several times: the median, the range, and how many repetitions. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  repetitions: number;
}

export function spread(values: number[]): Spread {
  if (values.length === 0) throw new RangeError('spread() needs at least one value');
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), repetitions: values.length };
}

/**
 * The p-th percentile (0–100) by the nearest-rank method: the smallest sample that at least p% of
 * the samples are at or below. With fewer than 100 samples, p99 is therefore the largest sample.
 */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile() needs at least one value');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0–100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/**
 * value[i] / reference[i] per repetition, then the spread of those ratios: the repetitions of the
 * two figures were taken side by side, so pairing them cancels load that drifts during the run.
 */
export function pairedRatio(values: number[], references: number[]): Spread {
  if (values.length !== references.length)
    throw new RangeError(`pairedRatio() needs as many references as values (${values.length} vs ${references.length})`);
  return spread(values.map((value, i) => value / references[i]!));
}
