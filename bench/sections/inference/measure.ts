/**
 * Inference on the trained MLP and CNN at batch 1, 32 and 256: tfjs predict on the backend the
 * model was trained on, and the runtime package on devices cpu (onnxruntime-node) and wasm
 * (onnxruntime-web), plus webgpu where an adapter works (labelled with the adapter's name; on a
 * software adapter those rows say the path runs, not how fast a GPU is). Each repetition times all
 * side by side, so a speed-up over tfjs is a ratio of figures taken moments apart.
 *
 * images/s of the runtime comes from measureClassifier() (classifierSpeed.ts: predictBatch in ~20 ms
 * blocks, median per-call time). It keeps no per-call samples, so p50/p99 latency comes from a
 * latency round per path here: one timed call after another, each call's time kept. tfjs predict
 * has no such helper; its images/s is the calls × batch ÷ time of that same round.
 */
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError, describePlacement, loadClassifier, type ResolvedDevice } from '@tfjs-onnx/runtime';
import { pairedRatio, percentile, spread, type Spread } from '../../../common/stats.ts';
import { fileSystemLoader } from '../../../common/tfjsModelFiles.ts';
import { normalizeImages } from '../../../pipeline/parity.ts';
import { selectBackend } from '../../../training/backends/select.ts';
import { loadDataset, type ImageSplit } from '../../../training/data/datasets.ts';
import { PIXEL_SCALE } from '../../../training/train.ts';
import { describeMachine } from '../../machine.ts';
import type { BenchSettings, ModelName } from '../../settings.ts';
import { timeCalls } from '../../timing.ts';
import type { PreparedModel, SectionContext } from '../definition.ts';
import { measureBundles, type BundleSize } from './bundles.ts';
import { measureClassifier } from './classifierSpeed.ts';

/** tfjs predict, or the runtime on a device (webgpu where an adapter works). */
export type InferencePath = 'tfjs' | 'cpu' | 'wasm' | 'webgpu';

export interface InferenceRow {
  model: ModelName;
  path: InferencePath;
  /** What actually ran, e.g. "tfjs predict (wasm)" or "runtime cpu (onnxruntime-node, ...)". */
  engine: string;
  batch: number;
  imagesPerSecond: Spread;
  /** Per-call latency: p50 and p99 of each repetition's calls, then their spread over repetitions. */
  latencyMs: { p50: Spread; p99: Spread; callsPerRepetition: Spread };
  /** images/s ÷ tfjs predict's images/s at the same batch, paired per repetition. */
  speedupOverTfjs: Spread;
  /** For the runtime: a bare onnxruntime InferenceSession.run on the same input (measureClassifier's raw figure). */
  rawOnnxruntimeImagesPerSecond?: Spread;
  /**
   * For the runtime: time per call of predictBatch() and of Model.run() ÷ a bare session.run of the
   * same session on the same input (1.05 = 5% overhead), paired per round, median per repetition.
   */
  overBareOnnxruntime?: { predictBatch: Spread; run: Spread };
  /** For the MLP on device cpu: achieved GFLOP/s and its share of the machine's fp32 peak. */
  gflops?: Spread;
  fractionOfPeak?: Spread;
}

export interface InferenceData {
  batchSizes: number[];
  mlpFlopsPerImage: number;
  fp32PeakGflops: number;
  rows: InferenceRow[];
  /** Vite builds of a page loading a classifier through each browser entry of the runtime. */
  bundles?: BundleSize[];
  /** Why there are no webgpu rows (no adapter here), when there are none. */
  webgpuSkipped?: string;
}

const RUNTIME_DEVICES: ResolvedDevice[] = ['cpu', 'wasm'];

/** Raw figures of one path at one batch size, one entry per repetition. */
interface Samples {
  engine: string;
  imagesPerSecond: number[];
  p50: number[];
  p99: number[];
  calls: number[];
  raw: number[];
  /** predictBatch() and Model.run() time ÷ the bare session.run time, per repetition (each already paired per round). */
  overPredictBatch: number[];
  overRun: number[];
}

export async function measureInference(context: SectionContext): Promise<InferenceData> {
  const { models, settings } = context;
  if (!models) throw new Error('the inference section needs the prepared models');
  const peakGflops = describeMachine().fp32Peak.gflops;
  const images = await testImages(Math.max(...settings.inference.batchSizes));
  const rows: InferenceRow[] = [];
  let mlpFlopsPerImage = 0;
  const webgpu = await webgpuHere(await readFile(models.mlp.onnx));
  const devices: ResolvedDevice[] = webgpu === true ? [...RUNTIME_DEVICES, 'webgpu'] : RUNTIME_DEVICES;
  for (const model of [models.mlp, models.cnn]) {
    const measured = await measureModel(model, images, settings.inference, devices);
    if (model.name === 'mlp') mlpFlopsPerImage = measured.denseFlopsPerImage;
    rows.push(
      ...toRows(
        model,
        measured.samples,
        settings.inference.batchSizes,
        devices,
        model.name === 'mlp' ? { flopsPerImage: measured.denseFlopsPerImage, peakGflops } : undefined,
      ),
    );
  }
  return {
    batchSizes: settings.inference.batchSizes,
    mlpFlopsPerImage,
    fp32PeakGflops: peakGflops,
    rows,
    bundles: await measureBundles(),
    ...(webgpu === true ? {} : { webgpuSkipped: webgpu }),
  };
}

/** true where a model loads on device 'webgpu' here, else why not. */
async function webgpuHere(onnx: Uint8Array): Promise<true | string> {
  try {
    await (await loadClassifier(onnx, { device: 'webgpu' })).dispose();
    return true;
  } catch (error) {
    if (error instanceof BackendUnavailableError) return error.message;
    throw error;
  }
}

/** The first MNIST test digits as normalized float input (pixel × 1/255, as training saw them). */
async function testImages(count: number): Promise<Float32Array> {
  const { test, height, width, channels } = await loadDataset({});
  const pixels = height * width * channels;
  const first: ImageSplit = { images: test.images.subarray(0, count * pixels), labels: test.labels.subarray(0, count), count };
  return normalizeImages(first, PIXEL_SCALE, 0);
}

async function measureModel(model: PreparedModel, images: Float32Array, settings: BenchSettings['inference'], devices: ResolvedDevice[]) {
  const backend = await selectBackend(model.tfjsBackend);
  const tfjsModel = await tf.loadLayersModel(fileSystemLoader(model.tfjs));
  const onnxBytes = new Uint8Array(await readFile(model.onnx));
  const imageShape = tfjsModel.inputs[0]!.shape.slice(1) as number[];
  const flopsPerImage = denseFlopsPerImage(tfjsModel);
  const samples = new Map<string, Samples>();
  const record = (path: InferencePath, batch: number, engine: string) => {
    const key = `${path}/${batch}`;
    if (!samples.has(key))
      samples.set(key, { engine, imagesPerSecond: [], p50: [], p99: [], calls: [], raw: [], overPredictBatch: [], overRun: [] });
    return samples.get(key)!;
  };
  try {
    const tfjsEngine = `tfjs predict (${backend}${await tfjsThreads(backend)})`;
    for (let repetition = 0; repetition < settings.repetitions; repetition++) {
      for (const batch of settings.batchSizes) {
        const times = await timeCalls(() => predictWithTfjs(tfjsModel, images, batch, imageShape), settings.latencyRound);
        addRound(record('tfjs', batch, tfjsEngine), times, batch, true);
      }
      for (const device of devices) {
        const classifier = await loadClassifier(onnxBytes, { device });
        try {
          const engine = `runtime ${describePlacement(classifier.placement).replace(/\)$/, `, ${await runtimeThreads(device)})`)}`;
          for (const batch of settings.batchSizes) {
            const input = images.subarray(0, batch * perImage(imageShape));
            addRound(
              record(device as InferencePath, batch, engine),
              await timeCalls(() => classifier.predictBatch(input, batch), settings.latencyRound),
              batch,
              false,
            );
          }
        } finally {
          await classifier.dispose();
        }
      }
      const throughput = await measureClassifier(onnxBytes, {
        devices,
        batchSizes: settings.batchSizes,
        repetitions: settings.classifierRepetitions,
        warmup: settings.classifierWarmup,
      });
      for (const row of throughput.rows) {
        const target = record(row.device as InferencePath, row.batch, '');
        target.imagesPerSecond.push(row.apiImagesPerSecond);
        target.raw.push(row.rawImagesPerSecond);
        target.overPredictBatch.push(1 + row.overheadPercent / 100);
        target.overRun.push(1 + row.runOverheadPercent / 100);
      }
      process.stderr.write(`inference: ${model.name} repetition ${repetition + 1}/${settings.repetitions} done\n`);
    }
  } finally {
    tfjsModel.dispose();
  }
  return { samples, denseFlopsPerImage: flopsPerImage };
}

/**
 * Thread counts go into the engine names, so the table says whether the wasm paths compare at equal
 * threads: tfjs's wasm backend runs one thread in Node (it turns WebAssembly threads off there).
 */
async function tfjsThreads(backend: string): Promise<string> {
  if (backend !== 'wasm') return '';
  const { getThreadsCount } = await import('@tensorflow/tfjs-backend-wasm');
  return `, ${threadCount(getThreadsCount())}`;
}

/** The runtime's loaded classifier has started onnxruntime-web, which records the count it settled on. */
async function runtimeThreads(device: ResolvedDevice): Promise<string> {
  if (device === 'webgpu') return 'shaders on the adapter';
  if (device !== 'wasm') return "onnxruntime's default intra-op threads";
  const { env } = await import('onnxruntime-web');
  return threadCount(env.wasm.numThreads ?? 1);
}

function threadCount(count: number): string {
  return `${count} thread${count === 1 ? '' : 's'}`;
}

/** Input, predict, read back and free, per call: what a user of tfjs does with a Float32Array of pixels. */
async function predictWithTfjs(model: tf.LayersModel, images: Float32Array, batch: number, imageShape: number[]): Promise<void> {
  const input = tf.tensor(images.subarray(0, batch * perImage(imageShape)), [batch, ...imageShape]);
  const output = model.predict(input) as tf.Tensor;
  await output.data();
  tf.dispose([input, output]);
}

function addRound(target: Samples, times: number[], batch: number, countsThroughput: boolean): void {
  target.p50.push(percentile(times, 50));
  target.p99.push(percentile(times, 99));
  target.calls.push(times.length);
  if (countsThroughput) target.imagesPerSecond.push((batch * times.length * 1000) / times.reduce((a, b) => a + b, 0));
}

function toRows(
  model: PreparedModel,
  samples: Map<string, Samples>,
  batchSizes: number[],
  devices: ResolvedDevice[],
  peak?: { flopsPerImage: number; peakGflops: number },
): InferenceRow[] {
  const rows: InferenceRow[] = [];
  for (const path of ['tfjs', ...devices] as InferencePath[]) {
    for (const batch of batchSizes) {
      const figures = samples.get(`${path}/${batch}`)!;
      const tfjs = samples.get(`tfjs/${batch}`)!;
      const row: InferenceRow = {
        model: model.name,
        path,
        engine: figures.engine,
        batch,
        imagesPerSecond: spread(figures.imagesPerSecond),
        latencyMs: { p50: spread(figures.p50), p99: spread(figures.p99), callsPerRepetition: spread(figures.calls) },
        speedupOverTfjs: pairedRatio(figures.imagesPerSecond, tfjs.imagesPerSecond),
      };
      if (path !== 'tfjs') {
        row.rawOnnxruntimeImagesPerSecond = spread(figures.raw);
        row.overBareOnnxruntime = { predictBatch: spread(figures.overPredictBatch), run: spread(figures.overRun) };
      }
      if (path === 'cpu' && peak) {
        const gflops = figures.imagesPerSecond.map((ips) => (ips * peak.flopsPerImage) / 1e9);
        row.gflops = spread(gflops);
        row.fractionOfPeak = spread(gflops.map((g) => g / peak.peakGflops));
      }
      rows.push(row);
    }
  }
  return rows;
}

/**
 * Multiply-adds of the Dense layers, 2 × inputs × units each (biases and activations left out):
 * for the MLP 2 × (784×128 + 128×10) FLOPs per image. Read from the model, not assumed.
 */
function denseFlopsPerImage(model: tf.LayersModel): number {
  return model.layers
    .filter((layer) => layer.getClassName() === 'Dense')
    .reduce((sum, layer) => {
      const [inputs, units] = layer.getWeights()[0]!.shape;
      return sum + 2 * inputs! * units!;
    }, 0);
}

function perImage(imageShape: number[]): number {
  return imageShape.reduce((a, b) => a * b, 1);
}
