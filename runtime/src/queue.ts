/**
 * Keeps track of a model's runs. onnxruntime-web's session cannot run two `run` calls at once, so
 * its runs go one at a time, in call order; onnxruntime-node's runs already execute one after
 * another on the main thread, so they start at once (a queue would only add promise hops to the
 * hot path). Either way `idle()` tells when every run started so far has settled, which dispose()
 * waits for. A failed run does not stop the ones after it.
 */
export class RunQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private active = 0;
  private whenIdle: (() => void) | undefined;
  private readonly settle = () => {
    this.active -= 1;
    if (this.active === 0 && this.whenIdle) {
      this.whenIdle();
      this.whenIdle = undefined;
    }
  };

  constructor(private readonly serial: boolean) {}

  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.serial) {
      const result = this.tail.then(task);
      this.tail = result.catch(() => undefined);
      return result;
    }
    let result: Promise<T>;
    try {
      result = task();
    } catch (error) {
      result = Promise.reject(error);
    }
    this.active += 1;
    result.then(this.settle, this.settle);
    return result;
  }

  /** Resolves once every task started so far has settled. */
  async idle(): Promise<void> {
    await this.tail;
    if (this.active > 0) await new Promise<void>((resolve) => (this.whenIdle = resolve));
  }
}
