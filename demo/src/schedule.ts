/** Timing helpers that keep classification responsive without queueing up stale work. */

/**
 * Runs an async job at most once at a time. Requests made while it runs collapse into one rerun
 * afterwards: the job reads the newest drawing when it starts, so intermediate requests add nothing.
 */
export function latestOnly(job: () => Promise<void>): () => void {
  let running = false;
  let rerun = false;
  const run = async (): Promise<void> => {
    running = true;
    try {
      do {
        rerun = false;
        await job();
      } while (rerun);
    } finally {
      running = false;
    }
  };
  return () => {
    if (running) rerun = true;
    else void run();
  };
}

/** Calls `action` at most once per `intervalMs` while `schedule` keeps being called; `flush` runs it now. */
export function throttle(action: () => void, intervalMs: number): { schedule(): void; flush(): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const cancel = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  return {
    schedule() {
      timer ??= setTimeout(() => {
        timer = undefined;
        action();
      }, intervalMs);
    },
    flush() {
      cancel();
      action();
    },
    cancel,
  };
}
