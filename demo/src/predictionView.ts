/**
 * Shows what the model said: the top classes with probability bars, and the model's 28×28 input.
 * The section's data attributes carry the state and the full probability vector, so tests (and
 * curious users in devtools) can read exactly what the page computed.
 */
import type { Classification } from '@tfjs-onnx/runtime';
import type { DigitInput } from './preprocess.ts';

export type PredictionStatus = 'waiting' | 'busy' | 'done' | 'empty' | 'error';

export class PredictionView {
  private readonly list: HTMLOListElement;
  private readonly message: HTMLElement;
  private readonly inputCanvas: HTMLCanvasElement;

  constructor(private readonly section: HTMLElement) {
    this.list = required(section, 'ol.top-classes');
    this.message = required(section, '.prediction-message');
    this.inputCanvas = required(document, 'canvas#model-input');
  }

  /** Sizes the model-input preview to the model's own input size. */
  setInputSize(width: number, height: number): void {
    this.inputCanvas.width = width;
    this.inputCanvas.height = height;
  }

  showBusy(): void {
    this.section.dataset.status = 'busy' satisfies PredictionStatus;
    this.section.setAttribute('aria-busy', 'true');
  }

  showWaiting(text: string): void {
    this.reset('waiting', text);
  }

  showEmpty(): void {
    this.reset('empty', 'Draw a digit, or open an image.');
  }

  showError(text: string): void {
    this.reset('error', text);
    this.message.classList.add('error');
  }

  /** `final` is false for a result that the input has already moved past: shown, but still marked busy. */
  showPrediction(source: string, input: DigitInput, result: Classification, { final }: { final: boolean }): void {
    this.drawInput(input);
    this.list.replaceChildren(...result.top.map(({ label, probability }, rank) => predictionRow(label, probability, rank)));
    this.message.textContent = '';
    this.message.classList.remove('error');
    Object.assign(this.section.dataset, {
      status: (final ? 'done' : 'busy') satisfies PredictionStatus,
      source,
      topLabel: result.top[0]?.label ?? '',
      probabilities: JSON.stringify(Array.from(result.probabilities)),
    });
    this.section.setAttribute('aria-busy', String(!final));
  }

  private reset(status: PredictionStatus, text: string): void {
    this.list.replaceChildren();
    this.message.textContent = text;
    this.message.classList.remove('error');
    this.clearInput();
    for (const key of ['source', 'topLabel', 'probabilities']) delete this.section.dataset[key];
    this.section.dataset.status = status;
    this.section.setAttribute('aria-busy', 'false');
  }

  /** The model's gray input, white on black, one canvas pixel per model pixel (CSS scales it up, pixelated). */
  private drawInput(input: DigitInput): void {
    const context = this.inputCanvas.getContext('2d');
    if (!context) return;
    const image = context.createImageData(input.width, input.height);
    input.pixels.forEach((value, p) => {
      image.data.set([value, value, value, 255], p * 4);
    });
    context.putImageData(image, 0, 0);
  }

  private clearInput(): void {
    const context = this.inputCanvas.getContext('2d');
    if (!context) return;
    context.fillStyle = '#000000';
    context.fillRect(0, 0, this.inputCanvas.width, this.inputCanvas.height);
  }
}

function predictionRow(label: string, probability: number, rank: number): HTMLLIElement {
  const row = document.createElement('li');
  row.className = rank === 0 ? 'top-class best' : 'top-class';
  const name = document.createElement('span');
  name.className = 'class-label';
  name.textContent = label;
  const track = document.createElement('span');
  track.className = 'bar';
  // The percentage next to the bar says the same to screen readers.
  track.setAttribute('aria-hidden', 'true');
  const fill = document.createElement('span');
  fill.className = 'bar-fill';
  fill.style.width = `${(probability * 100).toFixed(1)}%`;
  track.append(fill);
  const value = document.createElement('span');
  value.className = 'probability';
  value.textContent = formatPercent(probability);
  row.append(name, track, value);
  return row;
}

/** One decimal, without claiming certainty that rounding would fake ("100%", "0%"). */
function formatPercent(probability: number): string {
  const percent = probability * 100;
  if (percent < 0.05) return '<0.1%';
  if (percent >= 99.95) return '>99.9%';
  return `${percent.toFixed(1)}%`;
}

function required<T extends Element>(root: ParentNode, selector: string): T {
  const element = root.querySelector<T>(selector);
  if (!element) throw new Error(`the page is missing ${selector}`);
  return element;
}
