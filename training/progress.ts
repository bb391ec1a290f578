/**
 * Keras-style training output: "Epoch 1/5", a progress bar per epoch with step/steps, loss,
 * accuracy and ETA, then the epoch's figures. On a terminal the bar redraws in place; when the
 * output is a log file (not a TTY) each epoch prints one summary line instead.
 *
 * The running loss and accuracy live on the tfjs backend; the bar asks for them (one read-back)
 * only when it is about to redraw, about ten times a second, never once per step.
 */
import cliProgress from 'cli-progress';

export interface RunningFigures {
  loss: number;
  accuracy: number;
}

/** An epoch as it ends: training figures, the test set's, and the held-out validation part's when there is one. */
export interface EpochFigures extends RunningFigures {
  val_loss?: number;
  val_accuracy?: number;
  test_loss: number;
  test_accuracy: number;
  seconds: number;
}

export interface TrainingReporter {
  startEpoch(epoch: number, epochs: number, steps: number): void;
  /** Step `step` is done; `running` reads the epoch's figures so far (call it only to show them). */
  step(step: number, running: () => RunningFigures): void;
  endEpoch(figures: EpochFigures): void;
  line(text: string): void;
}

/** How often the bar redraws (cli-progress's default of 10 frames a second). */
const REFRESH_MS = 100;

export function createReporter(options: { quiet: boolean; stream?: NodeJS.WriteStream }): TrainingReporter {
  const stream = options.stream ?? process.stdout;
  if (options.quiet) return { startEpoch() {}, step() {}, endEpoch() {}, line() {} };
  return stream.isTTY ? new BarReporter(stream) : new LineReporter(stream);
}

const format = (value: number) => value.toFixed(4);

class BarReporter implements TrainingReporter {
  private bar?: cliProgress.SingleBar;
  private steps = 0;
  private lastRefresh = 0;
  constructor(private readonly stream: NodeJS.WriteStream) {}

  startEpoch(epoch: number, epochs: number, steps: number): void {
    this.steps = steps;
    this.lastRefresh = performance.now();
    this.stream.write(`Epoch ${epoch}/${epochs}\n`);
    this.bar = new cliProgress.SingleBar(
      {
        stream: this.stream,
        format: '{value}/{total} [{bar}] - ETA: {eta_formatted} - loss: {loss} - accuracy: {accuracy}',
        barCompleteChar: '=',
        barIncompleteChar: '.',
        barsize: 30,
        hideCursor: true,
        clearOnComplete: true,
        fps: 1000 / REFRESH_MS,
        etaBuffer: 50,
      },
      cliProgress.Presets.legacy,
    );
    this.bar.start(steps, 0, { loss: '-', accuracy: '-' });
  }

  step(step: number, running: () => RunningFigures): void {
    const now = performance.now();
    if (now - this.lastRefresh < REFRESH_MS && step < this.steps) return;
    this.lastRefresh = now;
    const { loss, accuracy } = running();
    this.bar?.update(step, { loss: format(loss), accuracy: format(accuracy) });
  }

  endEpoch(figures: EpochFigures): void {
    this.bar?.stop();
    this.stream.write(`${epochSummary(this.steps, figures)}\n`);
  }

  line(text: string): void {
    this.stream.write(`${text}\n`);
  }
}

class LineReporter implements TrainingReporter {
  private steps = 0;
  private epochLabel = '';
  constructor(private readonly stream: NodeJS.WriteStream) {}
  startEpoch(epoch: number, epochs: number, steps: number): void {
    this.steps = steps;
    this.epochLabel = `Epoch ${epoch}/${epochs}`;
  }
  step(): void {}
  endEpoch(figures: EpochFigures): void {
    this.stream.write(`${this.epochLabel}\n${epochSummary(this.steps, figures)}\n`);
  }
  line(text: string): void {
    this.stream.write(`${text}\n`);
  }
}

/** The line Keras prints when an epoch ends; the test set's figures are named as what they are. */
export function epochSummary(steps: number, f: EpochFigures): string {
  const perStep = steps > 0 ? ` ${Math.round((f.seconds * 1000) / steps)}ms/step` : '';
  const bar = '='.repeat(30);
  const validation =
    f.val_loss !== undefined && f.val_accuracy !== undefined
      ? ` - val_loss: ${format(f.val_loss)} - val_accuracy: ${format(f.val_accuracy)}`
      : '';
  return (
    `${steps}/${steps} [${bar}] - ${Math.round(f.seconds)}s${perStep} - loss: ${format(f.loss)} - accuracy: ${format(f.accuracy)}` +
    `${validation} - test_loss: ${format(f.test_loss)} - test_accuracy: ${format(f.test_accuracy)}`
  );
}
