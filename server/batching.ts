/**
 * Dynamic batching: requests that arrive close together are merged into one predictBatch run,
 * because one onnxruntime run over 32 rows costs far less than 32 runs over one row each (the
 * per-run overhead and the thread-pool start-up dominate for a model this small).
 *
 * One batch runs at a time per model; while it runs, new requests queue up and go together as
 * soon as it finishes. When the model is idle, the first request waits at most `maxDelayMs` for
 * company, or less if `maxBatch` rows are already queued. Each caller gets back exactly the rows
 * of its own input, in order.
 */
import type { Classifier } from '@tfjs-onnx/runtime';

export interface BatcherOptions {
  /** Rows merged into one run at most. 1 turns batching off: every request runs on its own, at once. */
  maxBatch: number;
  /** How long the first request of an idle model waits for others before its batch runs. */
  maxDelayMs: number;
  /** Told the row count of every run, for the batch-size histogram. */
  onBatch?: (rows: number) => void;
  /** Told the number of queued rows whenever it changes, for the queue-depth gauge. */
  onQueueDepth?: (rows: number) => void;
}

interface Job {
  input: Float32Array;
  rows: number;
  resolve: (output: Float32Array) => void;
  reject: (error: unknown) => void;
}

export class DynamicBatcher {
  private readonly queue: Job[] = [];
  private queuedRows = 0;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;

  constructor(
    private readonly classifier: Pick<Classifier, 'predictBatch'>,
    private readonly options: BatcherOptions,
  ) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) throw new RangeError(`maxBatch must be an integer ≥ 1, got ${options.maxBatch}`);
    if (!(options.maxDelayMs >= 0)) throw new RangeError(`maxDelayMs must be ≥ 0, got ${options.maxDelayMs}`);
  }

  /** Probabilities for `rows` normalized images laid out back to back in `input`: rows × classCount values. */
  predict(input: Float32Array, rows: number): Promise<Float32Array> {
    if (this.options.maxBatch === 1) {
      this.options.onBatch?.(rows);
      return this.classifier.predictBatch(input, rows);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ input, rows, resolve, reject });
      this.setQueuedRows(this.queuedRows + rows);
      this.schedule();
    });
  }

  /** Rows waiting for a run (not counting the run in progress). */
  get queueDepth(): number {
    return this.queuedRows;
  }

  private schedule(): void {
    // A running batch flushes the queue itself when it finishes (see runNextBatch).
    if (this.running) return;
    if (this.queuedRows >= this.options.maxBatch) {
      void this.runNextBatch();
    } else if (this.timer === undefined && !this.immediate) {
      // With no delay, still gather what arrived in the same event-loop turn (setTimeout(0) would wait ~1 ms).
      if (this.options.maxDelayMs === 0) this.immediate = setImmediate(() => void this.runNextBatch());
      else this.timer = setTimeout(() => void this.runNextBatch(), this.options.maxDelayMs);
    }
  }

  private async runNextBatch(): Promise<void> {
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    const jobs = this.takeJobs();
    if (jobs.length === 0) return;
    this.running = true;
    try {
      await this.run(jobs);
    } finally {
      this.running = false;
      // What queued during the run has waited at least that long already: it goes now, not after another delay.
      if (this.queue.length > 0) void this.runNextBatch();
    }
  }

  /** Takes queued jobs from the front up to maxBatch rows; a single job larger than that goes alone. */
  private takeJobs(): Job[] {
    const jobs: Job[] = [];
    let rows = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (jobs.length > 0 && rows + next.rows > this.options.maxBatch) break;
      jobs.push(next);
      rows += next.rows;
      this.queue.shift();
    }
    this.setQueuedRows(this.queuedRows - rows);
    return jobs;
  }

  private async run(jobs: Job[]): Promise<void> {
    const rows = jobs.reduce((sum, job) => sum + job.rows, 0);
    this.options.onBatch?.(rows);
    let output: Float32Array;
    try {
      output = await this.classifier.predictBatch(concatenate(jobs.map((job) => job.input)), rows);
    } catch (error) {
      if (jobs.length === 1) jobs[0].reject(error);
      else await this.runAlone(jobs);
      return;
    }
    const valuesPerRow = output.length / rows;
    let row = 0;
    for (const job of jobs) {
      // slice, not subarray: each caller owns its rows and may keep them after the batch buffer is gone.
      job.resolve(output.slice(row * valuesPerRow, (row + job.rows) * valuesPerRow));
      row += job.rows;
    }
  }

  /**
   * After a merged run failed, each job runs by itself, so only the request that caused the failure
   * gets the error and its neighbours in the batch are answered as if it had never been there.
   */
  private async runAlone(jobs: Job[]): Promise<void> {
    for (const job of jobs) {
      try {
        job.resolve(await this.classifier.predictBatch(job.input, job.rows));
      } catch (error) {
        job.reject(error);
      }
    }
  }

  private setQueuedRows(rows: number): void {
    this.queuedRows = rows;
    this.options.onQueueDepth?.(rows);
  }
}

function concatenate(parts: Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0];
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const result = new Float32Array(total);
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}
