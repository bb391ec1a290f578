/**
 * Real GraphModels (bench/models/npmGraphModels.ts, shipped in @vladmandic/human's tarball):
 * seconds for convertModel() (read, build, optimize, encode in memory; first conversion an untimed
 * warm-up), then images/s of tfjs-converter's execute() against onnxruntime-node and
 * onnxruntime-web sessions on the converted file, at batch 1 and 8. Each repetition times the three
 * paths one after another on the same seeded input, so the × tfjs ratios are paired. Models whose
 * graph fixes the batch at 1 are measured at batch 1 only.
 */
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { fileSystemLoader } from '../../../common/tfjsModelFiles.ts';
import { convertModel } from '../../../export/index.ts';
import { executeGraphModel, randomBatches, type DeclaredInput } from '../../../pipeline/randomParity.ts';
import { selectBackend } from '../../../training/backends/select.ts';
import { pairedRatio, spread, type Spread } from '../../../common/stats.ts';
import { NPM_GRAPH_MODELS, NPM_GRAPH_MODEL_PACKAGE, npmGraphModelPath } from '../../models/npmGraphModels.ts';
import type { BenchSettings } from '../../settings.ts';
import { timeCalls } from '../../timing.ts';
import type { SectionContext } from '../definition.ts';

export interface GraphModelThroughput {
  path: 'tfjs' | 'cpu' | 'wasm';
  engine: string;
  batch: number;
  imagesPerSecond: Spread;
  /** images/s ÷ tfjs-converter's images/s at the same batch, paired per repetition. */
  speedupOverTfjs: Spread;
}

export interface GraphModelRow {
  model: string;
  architecture: string;
  tfNodes: number;
  onnxNodes: number;
  onnxBytes: number;
  conversionSeconds: Spread;
  throughput: GraphModelThroughput[];
}

export interface GraphModelsData {
  source: string;
  tfjsBackend: string;
  batchSizes: number[];
  rows: GraphModelRow[];
}

type Settings = BenchSettings['graphModels'];
/** The runtime's devices, run here on bare onnxruntime sessions of each package. */
type RuntimePath = 'cpu' | 'wasm';

export async function measureGraphModels(context: SectionContext): Promise<GraphModelsData> {
  const settings = context.settings.graphModels;
  const backend = await selectBackend();
  const rows: GraphModelRow[] = [];
  for (const model of NPM_GRAPH_MODELS.filter((m) => settings.models.includes(m.name))) {
    const modelJson = npmGraphModelPath(model.name);
    const conversion = await timeConversion(modelJson, settings);
    const throughput = await measureThroughput(modelJson, conversion.bytes, settings, backend);
    rows.push({
      model: model.name,
      architecture: model.architecture,
      tfNodes: (JSON.parse(await readFile(modelJson, 'utf8')) as { modelTopology: { node: unknown[] } }).modelTopology.node.length,
      onnxNodes: conversion.nodes,
      onnxBytes: conversion.bytes.byteLength,
      conversionSeconds: spread(conversion.seconds),
      throughput,
    });
    process.stderr.write(`graph models: ${model.name}: conversion ${spread(conversion.seconds).median.toFixed(3)} s\n`);
  }
  return { source: `${NPM_GRAPH_MODEL_PACKAGE} models/`, tfjsBackend: backend, batchSizes: settings.batchSizes, rows };
}

async function timeConversion(modelJson: string, settings: Settings): Promise<{ seconds: number[]; bytes: Uint8Array; nodes: number }> {
  let last = await convertModel(modelJson);
  const seconds: number[] = [];
  for (let i = 0; i < settings.repetitions; i++) {
    const started = performance.now();
    last = await convertModel(modelJson);
    seconds.push((performance.now() - started) / 1000);
  }
  return { seconds, bytes: last.bytes, nodes: last.summary.nodeCount };
}

interface OrtSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown }>>;
  release(): Promise<void>;
}
interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: object): Promise<OrtSession> };
  Tensor: new (type: string, data: unknown, dims: readonly number[]) => unknown;
}

async function measureThroughput(
  modelJson: string,
  onnxBytes: Uint8Array,
  settings: Settings,
  backend: string,
): Promise<GraphModelThroughput[]> {
  const model: GraphModel = await loadGraphModel(fileSystemLoader(modelJson));
  const inputs: DeclaredInput[] = model.inputs.map((input) => ({
    name: input.name.replace(/:0$/, ''),
    elementType: (input.dtype ?? 'float32') as DeclaredInput['elementType'],
    shape: (input.shape ?? []).map((size) => (size === -1 ? null : size)),
  }));
  const fixedBatch = inputs[0]?.shape[0] ?? null;
  const sessions: Record<RuntimePath, OrtSession> = {
    cpu: await (ortNode as unknown as OrtModule).InferenceSession.create(onnxBytes),
    wasm: await (ortWeb as unknown as OrtModule).InferenceSession.create(onnxBytes),
  };
  const results: GraphModelThroughput[] = [];
  try {
    for (const batch of settings.batchSizes) {
      if (fixedBatch !== null && fixedBatch !== batch) continue;
      results.push(...(await measureBatch(model, inputs, sessions, batch, settings, backend)));
    }
  } finally {
    model.dispose();
    await Promise.all(Object.values(sessions).map((session) => session.release()));
  }
  return results;
}

/** tfjs-converter, onnxruntime-node and onnxruntime-web on one random batch, alternating, repetition by repetition. */
async function measureBatch(
  model: GraphModel,
  inputs: DeclaredInput[],
  sessions: Record<RuntimePath, OrtSession>,
  batch: number,
  settings: Settings,
  backend: string,
): Promise<GraphModelThroughput[]> {
  const outputNames = [...sessions.cpu.outputNames];
  const results: GraphModelThroughput[] = [];
  const [inputBatch] = randomBatches(inputs, batch, 1);
  const feeds = Object.fromEntries(inputs.map((input, i) => [input.name, inputBatch.tensors[i]]));
  const ortFeeds = (ort: OrtModule, session: OrtSession) =>
    Object.fromEntries(
      session.inputNames.map((name, i) => [
        name,
        new ort.Tensor(inputBatch.tensors[i].dtype, inputBatch.tensors[i].dataSync(), inputBatch.tensors[i].shape),
      ]),
    );
  const calls: Record<'tfjs' | RuntimePath, () => Promise<unknown>> = {
    tfjs: async () => {
      const outputs = await executeGraphModel(model, feeds, outputNames);
      await Promise.all(outputs.map((output) => output.data()));
      tf.dispose(outputs);
    },
    cpu: () => sessions.cpu.run(ortFeeds(ortNode as unknown as OrtModule, sessions.cpu)),
    wasm: () => sessions.wasm.run(ortFeeds(ortWeb as unknown as OrtModule, sessions.wasm)),
  };
  const rates: Record<'tfjs' | RuntimePath, number[]> = { tfjs: [], cpu: [], wasm: [] };
  for (let repetition = 0; repetition < settings.repetitions; repetition++) {
    for (const path of ['tfjs', 'cpu', 'wasm'] as const) {
      const times = await timeCalls(calls[path], settings.latencyRound);
      rates[path].push((batch * times.length * 1000) / times.reduce((a, b) => a + b, 0));
    }
  }
  const engines = { tfjs: `tfjs-converter execute (${backend})`, cpu: 'onnxruntime-node (cpu)', wasm: 'onnxruntime-web (wasm)' };
  for (const path of ['tfjs', 'cpu', 'wasm'] as const) {
    results.push({
      path,
      engine: engines[path],
      batch,
      imagesPerSecond: spread(rates[path]),
      speedupOverTfjs: pairedRatio(rates[path], rates.tfjs),
    });
  }
  tf.dispose(inputBatch.tensors);
  return results;
}
