/**
 * Runs async tasks one at a time, in call order. onnxruntime-web's session cannot run two `run`
 * calls at once, and onnxruntime-node runs on the main thread anyway, so every classifier
 * serializes its runs here. A failed task does not stop the ones after it.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every task queued so far has settled. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
