/**
 * Keeps track of a model's runs. onnxruntime-web's session cannot run two `run` calls at once, so
 * its runs go one at a time, in call order; onnxruntime-node's runs already execute one after
 * another on the main thread, so they start at once (a queue would only add a promise hop).
 * Either way `idle()` tells when every run started so far has settled, which dispose() waits for.
 * A failed run does not stop the ones after it.
 */
export class RunQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly serial: boolean) {}

  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.serial) {
      const result = this.tail.then(task);
      this.tail = result.catch(() => undefined);
      return result;
    }
    const result = task();
    const settled = result.catch(() => undefined);
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
    return result;
  }

  /** Resolves once every task started so far has settled. */
  async idle(): Promise<void> {
    await this.tail;
    await Promise.all(this.inFlight);
  }
}
