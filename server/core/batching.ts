/**
 * Dynamic batching: requests that arrive close together are merged into one model run along the
 * batch (first) axis, because one onnxruntime run over 32 rows costs far less than 32 runs over
 * one row each (the per-run overhead dominates for small models).
 *
 * One run at a time per model. While it runs, new requests queue up, and as soon as it finishes
 * everything queued goes together: with the default delay of 0 nothing waits for company that is
 * not already there (Triton's default), so one client alone pays no delay. A positive `maxDelayMs`
 * lets the first request of an idle model wait that long for others. Each caller gets exactly the
 * rows of its own input, in order, and only requests whose inputs agree beyond the batch axis are
 * merged. `flush()` runs what is queued at once, for shutdown. This module is the queue and the
 * runs; stacking the inputs and cutting the outputs apart is batchAssembly.ts.
 */
import { concatenateFeeds, type Feeds, mergeKey, splitFeeds } from './batchAssembly.ts';

export type { Feeds } from './batchAssembly.ts';

export interface BatcherOptions {
  /** Rows merged into one run at most. 1 turns batching off: every request runs on its own, at once. */
  maxBatch: number;
  /** How long the first request of an idle model waits for others before its batch runs. */
  maxDelayMs: number;
  /** Told the number of queued rows whenever it changes, for the queue-depth gauge. */
  onQueueDepth?: (rows: number) => void;
}

export type RunModel = (feeds: Feeds) => Promise<Feeds>;

/** Where a request's time went, in nanoseconds, as Triton's statistics split it. */
export interface RunTiming {
  queueNs: number;
  computeInputNs: number;
  computeInferNs: number;
  computeOutputNs: number;
  /** Rows of the run this request was part of (its batch size). */
  batchRows: number;
  /** True for the one request of each run that reports the run (so executions are counted once). */
  reportsExecution: boolean;
}

export interface BatchResult {
  outputs: Feeds;
  timing: RunTiming;
}

interface Job {
  feeds: Feeds;
  /** Rejects the job if it is still queued when its timeout expires. */
  timer?: NodeJS.Timeout;
  rows: number;
  /** Inputs' dims after the batch axis, and types: only jobs with equal keys can be merged. */
  key: string;
  queuedAt: bigint;
  resolve: (result: BatchResult) => void;
  reject: (error: unknown) => void;
}

export class DynamicBatcher {
  private readonly queue: Job[] = [];
  private queuedRows = 0;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private flushing = false;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly runModel: RunModel,
    private readonly options: BatcherOptions,
  ) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1)
      throw new RangeError(`maxBatch must be an integer ≥ 1, got ${options.maxBatch}`);
    if (!(options.maxDelayMs >= 0) || !Number.isFinite(options.maxDelayMs))
      throw new RangeError(`maxDelayMs must be a finite number ≥ 0, got ${options.maxDelayMs}`);
  }

  /**
   * Runs `feeds` (whose first axis holds `rows` rows) alone or merged with other requests. With a
   * `timeoutUs`, a request still queued when it expires is refused by `onTimeout`'s error (Triton's
   * queue timeout); once its run has started it is answered whatever the time.
   */
  submit(feeds: Feeds, rows: number, options: { timeoutUs?: number; onTimeout?: () => Error } = {}): Promise<BatchResult> {
    return new Promise((resolve, reject) => {
      const job: Job = { feeds, rows, key: mergeKey(feeds), queuedAt: process.hrtime.bigint(), resolve, reject };
      const timeoutMs = (options.timeoutUs ?? 0) / 1000;
      // setTimeout holds at most 2^31-1 ms (24.8 days); a longer timeout never expires in practice.
      if (timeoutMs > 0 && timeoutMs < 2 ** 31 && options.onTimeout)
        job.timer = setTimeout(() => this.expire(job, options.onTimeout!()), timeoutMs);
      this.queue.push(job);
      this.setQueuedRows(this.queuedRows + rows);
      this.schedule();
    });
  }

  private expire(job: Job, error: Error): void {
    const index = this.queue.indexOf(job);
    if (index === -1) return;
    this.queue.splice(index, 1);
    this.setQueuedRows(this.queuedRows - job.rows);
    job.reject(error);
    this.notifyIdle();
  }

  /** Rows waiting for a run (not counting the run in progress). */
  get queueDepth(): number {
    return this.queuedRows;
  }

  /** From now on nothing waits for a delay: what is queued runs at once (shutdown). */
  flush(): void {
    this.flushing = true;
    if (!this.running && this.queue.length > 0) void this.runNextBatch();
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    // A running batch starts the next one itself when it finishes (see runNextBatch).
    if (this.running) return;
    if (this.options.maxBatch === 1 || this.flushing || this.queuedRows >= this.options.maxBatch) {
      void this.runNextBatch();
    } else if (this.timer === undefined && this.immediate === undefined) {
      // With no delay, still gather what arrives in this event-loop turn (setTimeout(0) would wait ~1 ms).
      if (this.options.maxDelayMs === 0) this.immediate = setImmediate(() => void this.runNextBatch());
      else this.timer = setTimeout(() => void this.runNextBatch(), this.options.maxDelayMs);
    }
  }

  private async runNextBatch(): Promise<void> {
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    if (this.running) return;
    const jobs = this.takeJobs();
    if (jobs.length === 0) return this.notifyIdle();
    this.running = true;
    try {
      await this.run(jobs);
    } finally {
      this.running = false;
      // What queued during the run has waited at least that long already: it goes now, not after another delay.
      if (this.queue.length > 0) void this.runNextBatch();
      else this.notifyIdle();
    }
  }

  /** The front job and every later one that can join it, up to maxBatch rows (a larger single job goes alone). */
  private takeJobs(): Job[] {
    if (this.queue.length === 0) return [];
    const first = this.queue[0];
    const jobs: Job[] = [];
    let rows = 0;
    for (let i = 0; i < this.queue.length && rows < this.options.maxBatch; ) {
      const job = this.queue[i];
      if (job.key !== first.key || (jobs.length > 0 && rows + job.rows > this.options.maxBatch)) {
        i++;
        continue;
      }
      jobs.push(job);
      rows += job.rows;
      clearTimeout(job.timer);
      this.queue.splice(i, 1);
    }
    this.setQueuedRows(this.queuedRows - rows);
    return jobs;
  }

  private async run(jobs: Job[]): Promise<void> {
    const started = process.hrtime.bigint();
    const rows = jobs.reduce((sum, job) => sum + job.rows, 0);
    let merged: Feeds;
    try {
      merged = jobs.length === 1 ? jobs[0].feeds : concatenateFeeds(jobs.map((job) => job.feeds));
    } catch (error) {
      for (const job of jobs) job.reject(error);
      return;
    }
    const inputsReady = process.hrtime.bigint();
    let outputs: Feeds;
    try {
      outputs = await this.runModel(merged);
    } catch (error) {
      if (jobs.length === 1) jobs[0].reject(error);
      else await this.runAlone(jobs);
      return;
    }
    const inferred = process.hrtime.bigint();
    const parts =
      jobs.length === 1
        ? [outputs]
        : splitFeeds(
            outputs,
            jobs.map((job) => job.rows),
            rows,
          );
    if (parts === undefined) {
      // An output without the batch axis cannot be split by rows: each request runs by itself instead.
      await this.runAlone(jobs);
      return;
    }
    const finished = process.hrtime.bigint();
    jobs.forEach((job, index) => {
      job.resolve({
        outputs: parts[index],
        timing: {
          queueNs: Number(started - job.queuedAt),
          computeInputNs: Number(inputsReady - started),
          computeInferNs: Number(inferred - inputsReady),
          computeOutputNs: Number(finished - inferred),
          batchRows: rows,
          reportsExecution: index === 0,
        },
      });
    });
  }

  /**
   * After a merged run failed, each job runs by itself, so only the request that caused the failure
   * gets the error and its neighbours in the batch are answered as if it had never been there.
   */
  private async runAlone(jobs: Job[]): Promise<void> {
    for (const job of jobs) {
      const started = process.hrtime.bigint();
      try {
        const outputs = await this.runModel(job.feeds);
        const inferred = process.hrtime.bigint();
        job.resolve({
          outputs,
          timing: {
            queueNs: Number(started - job.queuedAt),
            computeInputNs: 0,
            computeInferNs: Number(inferred - started),
            computeOutputNs: 0,
            batchRows: job.rows,
            reportsExecution: true,
          },
        });
      } catch (error) {
        job.reject(error);
      }
    }
  }

  private setQueuedRows(rows: number): void {
    this.queuedRows = rows;
    this.options.onQueueDepth?.(rows);
  }

  private notifyIdle(): void {
    if (this.running || this.queue.length > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
