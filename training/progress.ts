/**
 * Keras-style training output: "Epoch 1/5", a progress bar per epoch with step/steps, loss,
 * accuracy and ETA, then the validation figures. On a terminal the bar redraws in place; when
 * the output is a log file (not a TTY) each epoch prints one summary line instead.
 */
import cliProgress from 'cli-progress';

export interface EpochFigures {
  loss: number;
  accuracy: number;
  val_loss: number;
  val_accuracy: number;
  seconds: number;
}

export interface TrainingReporter {
  startEpoch(epoch: number, epochs: number, steps: number): void;
  step(step: number, loss: number, accuracy: number): void;
  endEpoch(figures: EpochFigures): void;
  line(text: string): void;
}

export function createReporter(options: { quiet: boolean; stream?: NodeJS.WriteStream }): TrainingReporter {
  const stream = options.stream ?? process.stdout;
  if (options.quiet) return { startEpoch() {}, step() {}, endEpoch() {}, line() {} };
  return stream.isTTY ? new BarReporter(stream) : new LineReporter(stream);
}

const format = (value: number) => value.toFixed(4);

class BarReporter implements TrainingReporter {
  private bar?: cliProgress.SingleBar;
  private steps = 0;
  constructor(private readonly stream: NodeJS.WriteStream) {}

  startEpoch(epoch: number, epochs: number, steps: number): void {
    this.steps = steps;
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
        etaBuffer: 50,
      },
      cliProgress.Presets.legacy,
    );
    this.bar.start(steps, 0, { loss: '-', accuracy: '-' });
  }

  step(step: number, loss: number, accuracy: number): void {
    this.bar?.update(step, { loss: format(loss), accuracy: format(accuracy) });
  }

  endEpoch(figures: EpochFigures): void {
    this.bar?.stop();
    this.stream.write(epochSummary(this.steps, figures) + '\n');
  }

  line(text: string): void {
    this.stream.write(text + '\n');
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
    this.stream.write(text + '\n');
  }
}

/** The line Keras prints when an epoch ends. */
function epochSummary(steps: number, f: EpochFigures): string {
  const perStep = steps > 0 ? `${Math.round((f.seconds * 1000) / steps)}ms/step` : '';
  const bar = '='.repeat(30);
  return (
    `${steps}/${steps} [${bar}] - ${Math.round(f.seconds)}s ${perStep} - loss: ${format(f.loss)} - accuracy: ${format(f.accuracy)}` +
    ` - val_loss: ${format(f.val_loss)} - val_accuracy: ${format(f.val_accuracy)}`
  );
}
