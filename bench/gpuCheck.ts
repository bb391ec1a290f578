/**
 * `npm run gpu-check`: every execution provider onnxruntime offers on this machine, and on each one
 * the runtime can drive, the lecture's MLP, the CNN and two real GraphModels: agreement with the
 * CPU, images/s at batch 1, 32 and 256, and the first run's milliseconds (session creation and
 * shader compilation included). A user with a GPU runs it to see the GPU work.
 *
 *   npm run gpu-check [-- --batches 1,32,256] [--max-call-seconds 5] [--json file]
 *
 * On Linux without any Vulkan driver it points Dawn at SwiftShader's (Debian's chromium ships one),
 * so the WebGPU path still runs and the table says the adapter is software: those rows show that it
 * runs and agrees, not GPU speed. A call slower than --max-call-seconds ends that model's larger
 * batches on that provider (a software adapter takes seconds per CNN batch of 256).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { NODE_DEVICE_PACKAGES, type ResolvedDevice } from '@tfjs-onnx/runtime/constants';
import { BackendUnavailableError, describePlacement, loadModel, type Model, type TensorData } from '@tfjs-onnx/runtime';
import { InvalidOptionError, describeError } from '../common/errors.ts';
import { writeJsonAtomic } from '../common/files.ts';
import { convertLayersModelToFile, convertModelToFile } from '../export/index.ts';
import { normalizeImages } from '../pipeline/parity.ts';
import { loadDataset } from '../training/data/datasets.ts';
import { createRandom } from '../training/random.ts';
import { train } from '../training/train.ts';
import { NPM_GRAPH_MODELS, npmGraphModelPath } from './models/npmGraphModels.ts';
import { renderText, type Table } from './report/table.ts';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
/** GraphModels checked by default: two small ones of @vladmandic/human (a devDependency). */
const GRAPH_MODELS = ['emotion', 'iris'];
/** Samples compared with the CPU: MNIST test digits for the classifiers, seeded inputs for the (larger) GraphModels. */
const AGREEMENT_SAMPLES = { classifier: 64, graphModel: 4 };

export interface GpuCheckOptions {
  batches?: number[];
  /** A call slower than this ends the larger batches of that model on that provider. */
  maxCallSeconds?: number;
  /** Which models to check (default all four: mlp, cnn and the GraphModels). */
  models?: string[];
  log?: (line: string) => void;
}

export interface ProviderStatus {
  provider: string;
  runtime: string;
  device?: ResolvedDevice;
  /** 'ok', or in short why the runtime cannot use it here. */
  status: string;
  /** The whole reason (with the library's path and the command that installs it). */
  detail?: string;
  adapter?: string;
}

export interface GpuCheckRow {
  device: ResolvedDevice;
  runtime: string;
  /** The WebGPU adapter ('SwiftShader driver 5.0.0 (software)'), where there is one. */
  adapter?: string;
  model: string;
  /** Largest |Δ| against the CPU over every output, each scaled by max(1, max |cpu|). */
  maxScaledDiff: number;
  /** Top-1 agreement with the CPU, for the classifiers. */
  top1Agreement?: number;
  imagesPerSecond: Record<number, number | string>;
  firstRunMs: number;
}

export interface GpuCheckResult {
  providers: ProviderStatus[];
  rows: GpuCheckRow[];
  notes: string[];
}

interface CheckModel {
  name: string;
  path: string;
  /** Inputs for `count` samples. */
  feeds(model: Model, count: number, seed: number): Record<string, TensorData>;
  classifier: boolean;
}

export async function checkGpus(options: GpuCheckOptions = {}): Promise<GpuCheckResult> {
  const batches = options.batches ?? [1, 32, 256];
  const log = options.log ?? (() => {});
  const notes: string[] = [];
  const software = useSwiftShaderWithoutDriver();
  if (software)
    notes.push(
      `No Vulkan driver was found, so WebGPU ran on SwiftShader (${SWIFTSHADER_ICD}), a software adapter: its rows show the WebGPU path runs and agrees, not GPU speed.`,
    );
  const work = mkdtempSync(path.join(os.tmpdir(), 'tfjs-onnx-gpu-check-'));
  try {
    const models = (await prepareModels(work, options.models, log, notes)).filter(
      (model) => !options.models || options.models.includes(model.name),
    );
    const providers = await listProviders(models[0]!.path);
    const rows: GpuCheckRow[] = [];
    for (const provider of providers.filter((p) => p.status === 'ok' && p.device !== undefined)) {
      for (const model of models) {
        log(`gpu-check: ${model.name} on ${provider.device}`);
        rows.push(await checkModel(model, provider.device!, batches, options.maxCallSeconds ?? 5));
      }
    }
    return { providers, rows, notes };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Linux without a Vulkan driver manifest: SwiftShader's, when Chromium's is installed. Must run before the first WebGPU use. */
function useSwiftShaderWithoutDriver(): boolean {
  if (process.platform !== 'linux' || process.env.VK_ICD_FILENAMES || !existsSync(SWIFTSHADER_ICD)) return false;
  const folders = [
    '/etc/vulkan/icd.d',
    '/usr/share/vulkan/icd.d',
    '/usr/local/share/vulkan/icd.d',
    path.join(os.homedir(), '.local/share/vulkan/icd.d'),
  ];
  if (folders.some((folder) => existsSync(folder) && readdirSync(folder).some((file) => file.endsWith('.json')))) return false;
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  process.env.XDG_RUNTIME_DIR ??= mkdtempSync(path.join(os.tmpdir(), 'tfjs-onnx-xdg-'));
  return true;
}

/** Every provider onnxruntime-node lists and onnxruntime-web's wasm, with what the runtime makes of each here. */
async function listProviders(probeModel: string): Promise<ProviderStatus[]> {
  const ort = await import('onnxruntime-node');
  const devices = Object.keys(NODE_DEVICE_PACKAGES) as ResolvedDevice[];
  const offered = [
    ...ort.listSupportedBackends().map((backend) => ({ provider: backend.name, runtime: 'onnxruntime-node' })),
    { provider: 'wasm', runtime: 'onnxruntime-web' },
  ];
  const statuses: ProviderStatus[] = [];
  for (const { provider, runtime } of offered) {
    const device = devices.find((candidate) => candidate === provider);
    if (!device) {
      statuses.push({ provider, runtime, status: 'no device of the runtime runs it: experts name it in executionProviders' });
      continue;
    }
    try {
      const model = await loadModel(probeModel, { device });
      statuses.push({
        provider,
        runtime,
        device,
        status: 'ok',
        ...(model.placement.adapter ? { adapter: describePlacement(model.placement) } : {}),
      });
      await model.dispose();
    } catch (error) {
      if (!(error instanceof BackendUnavailableError)) throw error;
      // The reason up to its details (a library's path, the command that installs it), which stay in `detail`.
      statuses.push({ provider, runtime, device, status: describeError(error).split(/ \(|; /)[0]!, detail: describeError(error) });
    }
  }
  return statuses;
}

/** The MLP and CNN, trained briefly on MNIST and converted, and the GraphModels, converted. */
async function prepareModels(
  work: string,
  only: string[] | undefined,
  log: (line: string) => void,
  notes: string[],
): Promise<CheckModel[]> {
  const { test } = await loadDataset({ dataset: 'mnist' });
  const digits = normalizeImages(test, 1 / 255, 0);
  const models: CheckModel[] = [];
  for (const name of ['mlp', 'cnn'] as const) {
    if (only && !only.includes(name)) continue;
    log(`gpu-check: training the ${name} briefly`);
    const { modelJsonPath } = await train({ model: name, limit: 2000, epochs: 1, quiet: true, out: path.join(work, name) });
    const onnxPath = path.join(work, `${name}.onnx`);
    await convertLayersModelToFile(modelJsonPath, onnxPath);
    models.push({
      name,
      path: onnxPath,
      classifier: true,
      feeds: (model, count) => ({
        [model.inputs[0]!.name]: { type: 'float32', dims: [count, 28, 28, 1], data: digits.slice(0, count * 784) },
      }),
    });
  }
  for (const name of GRAPH_MODELS) {
    if (only && !only.includes(name)) continue;
    let modelJson: string;
    try {
      modelJson = npmGraphModelPath(name);
    } catch {
      notes.push(`GraphModel ${name} not checked: @vladmandic/human (a devDependency) is not installed.`);
      continue;
    }
    const onnxPath = path.join(work, `${name}.onnx`);
    await convertModelToFile(modelJson, onnxPath);
    const range = NPM_GRAPH_MODELS.find((model) => model.name === name)!.inputRange;
    models.push({ name, path: onnxPath, classifier: false, feeds: (model, count, seed) => seededFeeds(model, count, seed, range) });
  }
  return models;
}

/** Seeded inputs of the model's declared shapes, `count` samples on an open batch axis, uniform in the model's input range. */
export function seededFeeds(model: Model, count: number, seed: number, [low, high]: [number, number]): Record<string, TensorData> {
  const random = createRandom(seed);
  return Object.fromEntries(
    model.inputs.map((input) => {
      const dims = input.shape.map((size, axis) => size ?? (axis === 0 ? count : 1));
      const values = Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => low + (high - low) * random());
      return [
        input.name,
        {
          type: input.type,
          dims,
          data: input.type === 'int32' ? Int32Array.from(values, Math.floor) : Float32Array.from(values),
        } as TensorData,
      ];
    }),
  );
}

async function checkModel(check: CheckModel, device: ResolvedDevice, batches: number[], maxCallSeconds: number): Promise<GpuCheckRow> {
  const started = performance.now();
  const model = await loadModel(check.path, { device });
  try {
    const fixedBatch = model.inputs[0]!.shape[0];
    const samples = fixedBatch ?? (check.classifier ? AGREEMENT_SAMPLES.classifier : AGREEMENT_SAMPLES.graphModel);
    await model.run(check.feeds(model, fixedBatch ?? 1, 1));
    const firstRunMs = performance.now() - started;
    const agreement = await agreementWithCpu(check, model, samples);
    const imagesPerSecond: Record<number, number | string> = {};
    let tooSlow = false;
    for (const batch of batches) {
      if (fixedBatch !== null && fixedBatch !== batch) imagesPerSecond[batch] = `batch fixed at ${fixedBatch}`;
      else if (tooSlow) imagesPerSecond[batch] = '— (too slow)';
      else ({ rate: imagesPerSecond[batch], tooSlow } = await measure(model, check.feeds(model, batch, 2), batch, maxCallSeconds));
    }
    const { runtime, adapter } = model.placement;
    return {
      device,
      runtime,
      ...(adapter ? { adapter: `${adapter.name}${adapter.software ? ' (software)' : ''}` } : {}),
      model: check.name,
      ...agreement,
      imagesPerSecond,
      firstRunMs,
    };
  } finally {
    await model.dispose();
  }
}

async function agreementWithCpu(
  check: CheckModel,
  model: Model,
  samples: number,
): Promise<{ maxScaledDiff: number; top1Agreement?: number }> {
  const cpu = await loadModel(check.path, { device: 'cpu' });
  try {
    const feeds = check.feeds(model, samples, 3);
    const [expected, actual] = [await cpu.run(feeds), await model.run(feeds)];
    const maxScaledDiff = maxScaledDifference(expected, actual);
    if (!check.classifier) return { maxScaledDiff };
    const [a, b] = [Object.values(expected)[0]!.data as Float32Array, Object.values(actual)[0]!.data as Float32Array];
    const classes = a.length / samples;
    let agree = 0;
    for (let row = 0; row < samples; row++) if (argmax(a, row * classes, classes) === argmax(b, row * classes, classes)) agree++;
    return { maxScaledDiff, top1Agreement: agree / samples };
  } finally {
    await cpu.dispose();
  }
}

/** Largest |actual − expected| over every output, each scaled by max(1, max |expected|); Infinity when an output's length differs. */
export function maxScaledDifference(expected: Record<string, TensorData>, actual: Record<string, TensorData>): number {
  let worst = 0;
  for (const [name, tensor] of Object.entries(expected)) {
    const a = tensor.data as ArrayLike<number>;
    const b = actual[name]?.data as ArrayLike<number> | undefined;
    if (!b || b.length !== a.length) return Infinity;
    let scale = 1;
    let diff = 0;
    for (let i = 0; i < a.length; i++) {
      scale = Math.max(scale, Math.abs(Number(a[i])));
      diff = Math.max(diff, Math.abs(Number(a[i]) - Number(b[i])));
    }
    worst = Math.max(worst, diff / scale);
  }
  return worst;
}

function argmax(values: Float32Array, offset: number, length: number): number {
  let best = 0;
  for (let k = 1; k < length; k++) if (values[offset + k]! > values[offset + best]!) best = k;
  return best;
}

/** One warm-up call, then calls until at least 3 and 0.3 s; one call over the limit ends it. */
async function measure(
  model: Model,
  feeds: Record<string, TensorData>,
  batch: number,
  maxCallSeconds: number,
): Promise<{ rate: number; tooSlow: boolean }> {
  const warm = performance.now();
  await model.run(feeds);
  if ((performance.now() - warm) / 1000 > maxCallSeconds) return { rate: (batch * 1000) / (performance.now() - warm), tooSlow: true };
  let calls = 0;
  const started = performance.now();
  while (calls < 3 || performance.now() - started < 300) {
    await model.run(feeds);
    calls++;
  }
  return { rate: (batch * calls * 1000) / (performance.now() - started), tooSlow: false };
}

export function gpuCheckTables(result: GpuCheckResult, batches: number[]): Table[] {
  const providers: Table = {
    title: 'Execution providers onnxruntime offers here',
    header: ['provider', 'package', 'device', 'status'],
    rows: [],
    notes: [],
  };
  for (const p of result.providers)
    providers.rows.push([p.provider, p.runtime, p.device ?? '—', p.status === 'ok' ? `ok${p.adapter ? `: ${p.adapter}` : ''}` : p.status]);
  const table: Table = {
    title: 'Models on each usable provider',
    header: [
      'provider',
      'package',
      'adapter or GPU',
      'model',
      'agreement with cpu',
      ...batches.map((batch) => `img/s b${batch}`),
      'first run ms',
    ],
    rows: [],
    notes: [
      ...result.notes,
      '— (too slow): a smaller batch of that model took more than --max-call-seconds per call there.',
      `Agreement: top-1 on ${AGREEMENT_SAMPLES.classifier} MNIST test digits (classifiers), and max |Δ| over every output scaled by max(1, max |cpu|), on ${AGREEMENT_SAMPLES.graphModel} seeded inputs for the GraphModels. First run: session creation and the first batch-1 run (shader compilation on WebGPU).`,
    ],
  };
  for (const row of result.rows) {
    const agreement = `${row.top1Agreement !== undefined ? `top-1 ${(row.top1Agreement * 100).toFixed(1)}%, ` : ''}max |Δ| ${row.maxScaledDiff.toExponential(1)}`;
    const rates = batches.map((batch) => {
      const rate = row.imagesPerSecond[batch];
      return typeof rate === 'number' ? Math.round(rate).toLocaleString('en-US') : (rate ?? '—');
    });
    table.rows.push([
      row.device,
      row.runtime,
      row.adapter ?? '—',
      row.model,
      agreement,
      ...rates,
      Math.round(row.firstRunMs).toLocaleString('en-US'),
    ]);
  }
  return [providers, table];
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      batches: { type: 'string', default: '1,32,256' },
      'max-call-seconds': { type: 'string', default: '5' },
      json: { type: 'string' },
    },
  });
  const batches = values.batches.split(',').map(Number);
  if (batches.some((batch) => !Number.isInteger(batch) || batch < 1 || batch > 4096))
    throw new InvalidOptionError(`--batches must be whole numbers from 1 to 4096, got ${values.batches}`);
  const maxCallSeconds = Number(values['max-call-seconds']);
  if (!(maxCallSeconds > 0))
    throw new InvalidOptionError(`--max-call-seconds must be a positive number, got ${values['max-call-seconds']}`);
  const result = await checkGpus({ batches, maxCallSeconds, log: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`${renderText(gpuCheckTables(result, batches))}\n`);
  if (values.json) await writeJsonAtomic(values.json, result);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`error: ${describeError(error)}\n`);
    process.exitCode = 1;
  });
}
