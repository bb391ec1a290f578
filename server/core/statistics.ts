/**
 * Per model version inference statistics, the statistics extension's numbers (Triton's
 * ModelStatistics): cumulative counts and nanoseconds for successes, failures, queueing and the
 * three compute phases, plus the same per batch size. The HTTP `/stats` route and the gRPC
 * ModelStatistics RPC both render this one record.
 */
import type { RunTiming } from './batching.ts';

export interface Duration {
  count: number;
  ns: number;
}

export interface BatchStatistics {
  batch_size: number;
  compute_input: Duration;
  compute_infer: Duration;
  compute_output: Duration;
}

/** Field names as the protocol spells them, so the record is sent as it is. */
export interface ModelStatisticsRecord {
  name: string;
  version: string;
  last_inference: number;
  inference_count: number;
  execution_count: number;
  inference_stats: {
    success: Duration;
    fail: Duration;
    queue: Duration;
    compute_input: Duration;
    compute_infer: Duration;
    compute_output: Duration;
    cache_hit: Duration;
    cache_miss: Duration;
  };
  batch_stats: BatchStatistics[];
  /** Memory taken at load, by kind and device; onnxruntime-node does not report it, so none is listed (as Triton lists none for a backend that reports nothing). */
  memory_usage: { type: string; id: number; byte_size: number }[];
  /** Per-response statistics of decoupled models, keyed by response index; every model here answers each request once, so none. */
  response_stats: Record<string, never>;
}

const zero = (): Duration => ({ count: 0, ns: 0 });

export class ModelStatistics {
  private lastInference = 0;
  private inferenceCount = 0;
  private executionCount = 0;
  private readonly stats = {
    success: zero(),
    fail: zero(),
    queue: zero(),
    compute_input: zero(),
    compute_infer: zero(),
    compute_output: zero(),
  };
  private readonly byBatchSize = new Map<number, BatchStatistics>();

  constructor(
    readonly name: string,
    readonly version: string,
  ) {}

  /** One request answered: `rows` inferences, `totalNs` from receipt to reply. */
  recordSuccess(rows: number, totalNs: number, timing: RunTiming): void {
    this.lastInference = Date.now();
    this.inferenceCount += rows;
    add(this.stats.success, totalNs);
    add(this.stats.queue, timing.queueNs);
    add(this.stats.compute_input, timing.computeInputNs);
    add(this.stats.compute_infer, timing.computeInferNs);
    add(this.stats.compute_output, timing.computeOutputNs);
    if (!timing.reportsExecution) return;
    this.executionCount += 1;
    let batch = this.byBatchSize.get(timing.batchRows);
    if (!batch) {
      batch = { batch_size: timing.batchRows, compute_input: zero(), compute_infer: zero(), compute_output: zero() };
      this.byBatchSize.set(timing.batchRows, batch);
    }
    add(batch.compute_input, timing.computeInputNs);
    add(batch.compute_infer, timing.computeInferNs);
    add(batch.compute_output, timing.computeOutputNs);
  }

  recordFailure(totalNs: number): void {
    this.lastInference = Date.now();
    add(this.stats.fail, totalNs);
  }

  snapshot(): ModelStatisticsRecord {
    const copy = (duration: Duration): Duration => ({ ...duration });
    return {
      name: this.name,
      version: this.version,
      last_inference: this.lastInference,
      inference_count: this.inferenceCount,
      execution_count: this.executionCount,
      inference_stats: {
        success: copy(this.stats.success),
        fail: copy(this.stats.fail),
        queue: copy(this.stats.queue),
        compute_input: copy(this.stats.compute_input),
        compute_infer: copy(this.stats.compute_infer),
        compute_output: copy(this.stats.compute_output),
        // No response cache here: no hits, no misses (Triton reports the same with its cache off).
        cache_hit: zero(),
        cache_miss: zero(),
      },
      batch_stats: [...this.byBatchSize.values()]
        .sort((a, b) => a.batch_size - b.batch_size)
        .map((batch) => ({
          batch_size: batch.batch_size,
          compute_input: copy(batch.compute_input),
          compute_infer: copy(batch.compute_infer),
          compute_output: copy(batch.compute_output),
        })),
      memory_usage: [],
      response_stats: {},
    };
  }
}

function add(duration: Duration, ns: number): void {
  duration.count += 1;
  duration.ns += ns;
}
