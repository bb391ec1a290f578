import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createReporter, epochSummary } from '../../training/progress.ts';

/** A stream that says it is a terminal (as process.stdout does on one) and keeps what was written. */
function terminal(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 120 }) as unknown as NodeJS.WriteStream & PassThrough;
  let text = '';
  stream.on('data', (chunk) => (text += chunk));
  return { stream, text: () => text };
}

describe('training progress', () => {
  it('reads the running loss and accuracy from the backend only when the bar redraws, not once per step', () => {
    const { stream, text } = terminal(true);
    const reporter = createReporter({ quiet: false, stream });
    const steps = 20_000;
    let reads = 0;
    const started = performance.now();
    reporter.startEpoch(1, 1, steps);
    for (let step = 1; step <= steps; step++) {
      reporter.step(step, () => {
        reads++;
        return { loss: 0.5, accuracy: 0.75 };
      });
    }
    const elapsedMs = performance.now() - started;
    reporter.endEpoch({ loss: 0.5, accuracy: 0.75, test_loss: 0.4, test_accuracy: 0.8, seconds: 1 });
    // At most one read per 100 ms refresh, plus the last step's.
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(reads).toBeLessThanOrEqual(Math.ceil(elapsedMs / 100) + 1);
    expect(text()).toContain('Epoch 1/1\n');
    expect(text()).toContain(
      '20000/20000 [==============================] - 1s 0ms/step - loss: 0.5000 - accuracy: 0.7500 - test_loss: 0.4000 - test_accuracy: 0.8000\n',
    );
  });

  it('prints one summary line per epoch and reads nothing when the output is not a terminal', () => {
    const { stream, text } = terminal(false);
    const reporter = createReporter({ quiet: false, stream });
    reporter.startEpoch(2, 3, 10);
    for (let step = 1; step <= 10; step++) reporter.step(step, () => expect.unreachable('a log file shows no running figures'));
    reporter.endEpoch({ loss: 0.25, accuracy: 0.9, val_loss: 0.3, val_accuracy: 0.88, test_loss: 0.35, test_accuracy: 0.87, seconds: 2.4 });
    expect(text()).toBe(
      'Epoch 2/3\n10/10 [==============================] - 2s 240ms/step - loss: 0.2500 - accuracy: 0.9000 - val_loss: 0.3000 - val_accuracy: 0.8800 - test_loss: 0.3500 - test_accuracy: 0.8700\n',
    );
  });

  it('names the validation part and the test set apart, like Keras names validation_data', () => {
    const figures = { loss: 1, accuracy: 0.5, test_loss: 2, test_accuracy: 0.25, seconds: 0 };
    expect(epochSummary(4, figures)).not.toContain('val_');
    expect(epochSummary(4, { ...figures, val_loss: 3, val_accuracy: 0.125 })).toMatch(
      / - val_loss: 3\.0000 - val_accuracy: 0\.1250 - test_loss: 2\.0000/,
    );
  });
});
