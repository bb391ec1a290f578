/**
 * The demo page: draw a digit (or open an image) and onnxruntime-web classifies it in the browser,
 * through @tfjs-onnx/runtime's browser entry. No server does inference; the page only fetches the
 * model file and onnxruntime-web's .wasm from its own origin.
 */
import { loadClassifier, type Classifier } from '@tfjs-onnx/runtime';
import { DEFAULT_TOP_K, DEVICES, VARIANT_FILES, type Device } from '@tfjs-onnx/runtime/constants';
import { DrawingPad } from './drawingPad.ts';
import { readPictureFile, type Picture } from './pictureFile.ts';
import { PredictionView } from './predictionView.ts';
import { pictureToDigitInput, toChannels, type DigitInput } from './preprocess.ts';
import { latestOnly, throttle } from './schedule.ts';
import './style.css';

/** How often predictions refresh while a stroke is being drawn. */
const REFRESH_WHILE_DRAWING_MS = 50;

/** What the prediction is about: the drawing on the pad, or a picture from the file picker. */
type InputSource = { kind: 'drawing' } | { kind: 'picture'; picture: Picture };

const elements = {
  modelStatus: element<HTMLElement>('#model-status'),
  loadError: element<HTMLElement>('#load-error'),
  pad: element<HTMLCanvasElement>('#pad'),
  clearButton: element<HTMLButtonElement>('#clear'),
  fileInput: element<HTMLInputElement>('#file'),
  prediction: new PredictionView(element<HTMLElement>('#prediction')),
};

/** The model URL: `?model=` when given, relative to the page like any link; else ./model.onnx next to the page (build.ts puts it there). */
function modelUrl(): URL {
  return new URL(new URLSearchParams(location.search).get('model') || `./${VARIANT_FILES.fp32}`, location.href);
}

/**
 * Where to run: `?device=` (wasm, webgpu, gpu or auto) when given, else 'auto': WebGPU on a
 * hardware adapter, else WebAssembly. `?device=webgpu` takes whatever adapter the browser has, a
 * software one (SwiftShader) included.
 */
function requestedDevice(): Device {
  const asked = new URLSearchParams(location.search).get('device');
  return asked && (DEVICES as readonly string[]).includes(asked) ? (asked as Device) : 'auto';
}

async function start(): Promise<void> {
  const url = modelUrl();
  elements.modelStatus.textContent = `Loading the model from ${url.href}…`;
  elements.prediction.showWaiting('Loading the model…');
  let classifier: Classifier;
  try {
    // WebGPU when the browser has it; WebAssembly threads when the page is cross-origin isolated
    // (our server sends COOP/COEP), else one thread, which is all a non-isolated page can have.
    classifier = await loadClassifier(url.href, { device: requestedDevice(), numThreads: wasmThreads() });
  } catch (error) {
    showLoadError(url, error);
    return;
  }
  describeModel(classifier, url, await threadsInUse());
  wireControls(classifier);
}

/** Up to 4 WebAssembly threads on a cross-origin-isolated page (at least 2, so it really is multi-threaded). */
function wasmThreads(): number {
  return self.crossOriginIsolated ? Math.max(2, Math.min(4, navigator.hardwareConcurrency || 2)) : 1;
}

/** The thread count onnxruntime-web settled on (the same module instance the runtime loaded). */
async function threadsInUse(): Promise<number> {
  const { env } = await import('onnxruntime-web');
  return env.wasm.numThreads ?? 1;
}

function showLoadError(url: URL, error: unknown): void {
  const reason = error instanceof Error ? error.message : String(error);
  elements.modelStatus.textContent = 'No model loaded.';
  elements.modelStatus.dataset.state = 'error';
  const heading = document.createElement('strong');
  heading.textContent = 'Could not load the model.';
  const detail = document.createElement('p');
  // The runtime's messages usually name the URL already; say it once either way.
  detail.textContent = reason.includes(url.href) ? reason : `${url.href}: ${reason}`;
  const hint = document.createElement('p');
  hint.textContent = `The page loads ./${VARIANT_FILES.fp32} next to it, or the URL in ?model=. \`npm run demo\` serves artifacts/${VARIANT_FILES.fp32}, which \`npm run pipeline\` makes.`;
  elements.loadError.replaceChildren(heading, detail, hint);
  elements.loadError.hidden = false;
  elements.prediction.showError('Nothing to classify with: the model did not load.');
}

function describeModel(classifier: Classifier, url: URL, threads: number): void {
  const { width, height } = classifier.imageSize;
  const adapter = classifier.placement.adapter;
  const device =
    classifier.device === 'webgpu'
      ? `WebGPU${adapter ? ` (${adapter.name}${adapter.software ? ', a software adapter' : ''})` : ''}`
      : threads > 1
        ? `WebAssembly, multi-threaded (${threads} threads: the page is cross-origin isolated)`
        : 'WebAssembly, single-threaded (the page is not cross-origin isolated)';
  const fileName = decodeURIComponent(url.pathname.split('/').pop() || url.href);
  elements.modelStatus.textContent = `${fileName}: ${classifier.classCount} classes (${summarizeLabels(classifier.labels)}), ${width}×${height} input — running on ${device} in this browser.`;
  elements.modelStatus.dataset.state = 'ready';
  elements.modelStatus.dataset.device = classifier.device;
  elements.modelStatus.dataset.placement = classifier.placement.reason;
  elements.modelStatus.dataset.threads = String(threads);
  elements.modelStatus.dataset.labels = JSON.stringify(classifier.labels);
  elements.prediction.setInputSize(width, height);
  elements.prediction.showEmpty();
}

function summarizeLabels(labels: string[]): string {
  return labels.length <= 10 ? labels.join(', ') : `${labels.slice(0, 3).join(', ')}, …, ${labels.at(-1)}`;
}

/**
 * What the page is classifying and how often it changed. A classification that started before the
 * latest change still updates the bars (the page stays lively while drawing) but does not mark the
 * prediction final: the rerun that follows does, so nobody reads a half-drawn digit's result as the answer.
 */
interface PageInput {
  source: InputSource;
  changes: number;
}

function wireControls(classifier: Classifier): void {
  const input: PageInput = { source: { kind: 'drawing' }, changes: 0 };
  const markChanged = () => {
    input.changes += 1;
    elements.prediction.showBusy();
  };
  const pad = new DrawingPad(elements.pad, {
    onDrawingStart: () => (input.source = { kind: 'drawing' }),
    onStroke: () => {
      markChanged();
      refresh.schedule();
    },
    onStrokeEnd: () => {
      markChanged();
      refresh.flush();
    },
  });
  const classifyLatest = latestOnly(() => classifyInput(classifier, pad, input));
  const refresh = throttle(classifyLatest, REFRESH_WHILE_DRAWING_MS);

  elements.clearButton.addEventListener('click', () => {
    refresh.cancel();
    input.source = { kind: 'drawing' };
    pad.clear();
    markChanged();
    classifyLatest();
  });
  elements.fileInput.addEventListener('change', async () => {
    const file = elements.fileInput.files?.[0];
    if (!file) return;
    refresh.cancel();
    await openPicture(file, pad, input, markChanged, classifyLatest);
  });

  for (const control of [elements.clearButton, elements.fileInput]) control.disabled = false;
  elements.pad.removeAttribute('aria-disabled');
}

/** Classifies what the page shows now and displays it, unless the input changed while it ran. */
async function classifyInput(classifier: Classifier, pad: DrawingPad, input: PageInput): Promise<void> {
  const current = input.source;
  const answering = input.changes;
  try {
    const digit = currentInput(current, pad, classifier);
    if (!digit) {
      if (answering === input.changes) elements.prediction.showEmpty();
      return;
    }
    const [result] = await classifier.classify(toChannels(digit.pixels, classifier.imageSize.channels), { topK: DEFAULT_TOP_K });
    // A newer picture or a cleared pad replaced this input while it ran: the rerun will show that one.
    if (current !== input.source) return;
    const label = current.kind === 'drawing' ? 'drawing' : current.picture.name;
    elements.prediction.showPrediction(label, digit, result!, { final: answering === input.changes });
  } catch (error) {
    elements.prediction.showError(`Classification failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The file picker's choice becomes the input: shown on the pad and classified. */
async function openPicture(file: File, pad: DrawingPad, input: PageInput, markChanged: () => void, classify: () => void): Promise<void> {
  markChanged();
  try {
    const picture = await readPictureFile(file);
    input.source = { kind: 'picture', picture };
    pad.showPicture(picture.canvas, picture.width, picture.height);
    classify();
  } catch (error) {
    elements.prediction.showError(error instanceof Error ? error.message : String(error));
  } finally {
    // Picking the same file again should load it again.
    elements.fileInput.value = '';
  }
}

function currentInput(source: InputSource, pad: DrawingPad, classifier: Classifier): DigitInput | null {
  const target = { width: classifier.imageSize.width, height: classifier.imageSize.height };
  if (source.kind === 'picture') return pictureToDigitInput(source.picture.rgba, source.picture.width, source.picture.height, target);
  const drawing = pad.pixels();
  return pictureToDigitInput(drawing.data, drawing.width, drawing.height, target);
}

function element<T extends Element>(selector: string): T {
  const found = document.querySelector<T>(selector);
  if (!found) throw new Error(`the page is missing ${selector}`);
  return found;
}

void start();
