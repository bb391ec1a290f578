/**
 * Shared test machinery for the export stage, for both front ends: temporary folders, tfjs's cpu
 * backend as the reference, seeded random tensors, the official ONNX checker, onnxruntime-node
 * runs, and the bound a converted model's outputs are held to. Building and converting models is
 * each front end's own harness (layersModel/harness.ts, graphModel/harness.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import type { ConversionSummary } from '../../export/index.ts';
import { createRandom } from '../../training/random.ts';

const run = promisify(execFile);

export async function useCpuBackend(): Promise<void> {
  // The cpu backend computes in plain float32, the reference onnxruntime is compared with.
  await tf.setBackend('cpu');
  await tf.ready();
}

const temporaryDirectories: string[] = [];

export async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'tfjs-onnx-export-'));
  temporaryDirectories.push(directory);
  return directory;
}

export async function removeTemporaryDirectories(): Promise<void> {
  await Promise.all(temporaryDirectories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
}

/** A deterministic pseudo-random stream (the training stage's seeded generator), so failures reproduce. */
export const seededRandom = createRandom;

/** A float tensor of seeded uniform values in [low, high). */
export function randomTensor(shape: number[], seed: number, low = -1, high = 1): tf.Tensor {
  const random = seededRandom(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => low + (high - low) * random()),
    shape,
  );
}

/** An int32 tensor of seeded uniform integers in [low, high). */
export function randomIntTensor(shape: number[], seed: number, low: number, high: number): tf.Tensor {
  const random = seededRandom(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Int32Array.from({ length: size }, () => low + Math.floor((high - low) * random())),
    shape,
    'int32',
  );
}

/** A converted model: the ONNX file and the converter's summary of it. */
export interface ConvertedModel {
  onnxPath: string;
  summary: ConversionSummary & { fileBytes: number };
}

const CHECKER_SCRIPT = [
  'import onnx, sys, json',
  'errors = []',
  'for path in sys.argv[1:]:',
  '    try:',
  '        onnx.checker.check_model(onnx.load(path), full_check=True)',
  "        errors.append('')",
  '    except Exception as error:',
  '        errors.append(str(error))',
  'print(json.dumps(errors))',
].join('\n');

/**
 * Runs onnx.checker.check_model(full_check=True) (Python onnx) on many files in one Python
 * process (each start costs ~0.3 s); returns each file's error, or '' where it passed.
 */
export async function checkOnnxModels(files: readonly string[]): Promise<string[]> {
  const { stdout } = await run('/usr/bin/python3', ['-c', CHECKER_SCRIPT, ...files], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as string[];
}

/** Checks one file; fails with the checker's message. */
export async function checkOnnxModel(onnxPath: string): Promise<void> {
  const [error] = await checkOnnxModels([onnxPath]);
  if (error) throw new Error(`onnx.checker rejected ${onnxPath}:\n${error}`);
}

/** Collects the files a test file converts, to check them all in one checker run at its end. */
export class CheckerBatch {
  private readonly paths: string[] = [];

  add(onnxPath: string): void {
    this.paths.push(onnxPath);
  }

  get size(): number {
    return this.paths.length;
  }

  /** Checks every collected model; fails naming each rejected file with the checker's message. */
  async checkAll(): Promise<void> {
    const paths = this.paths.splice(0);
    const errors = await checkOnnxModels(paths);
    const failed = paths.flatMap((file, i) => (errors[i] ? [`${file}: ${errors[i]}`] : []));
    if (failed.length > 0) throw new Error(`onnx.checker rejected:\n${failed.join('\n')}`);
  }
}

export function toOrtTensor(tensor: tf.Tensor): ort.Tensor {
  const data = tensor.dataSync();
  if (tensor.dtype === 'bool') return new ort.Tensor('bool', Uint8Array.from(data as Uint8Array), tensor.shape);
  if (tensor.dtype === 'int32') return new ort.Tensor('int32', data as Int32Array, tensor.shape);
  return new ort.Tensor('float32', data as Float32Array, tensor.shape);
}

/** Opens a session on a model file for `use`, released afterwards. */
export async function withSession<T>(onnxPath: string, use: (session: ort.InferenceSession) => Promise<T>): Promise<T> {
  const session = await ort.InferenceSession.create(new Uint8Array(await readFile(onnxPath)));
  try {
    return await use(session);
  } finally {
    await session.release();
  }
}

/** Runs a converted model on onnxruntime-node with inputs by name; its outputs by name. */
export async function runOnnx(onnxPath: string, feeds: Record<string, tf.Tensor>): Promise<Record<string, ort.Tensor>> {
  return withSession(onnxPath, (session) =>
    session.run(Object.fromEntries(Object.entries(feeds).map(([name, tensor]) => [name, toOrtTensor(tensor)]))),
  );
}

/** Runs a converted model with its inputs in order; its outputs in order, with their names. */
export async function runOnnxInOrder(onnxPath: string, inputs: tf.Tensor[]): Promise<{ names: string[]; outputs: ort.Tensor[] }> {
  return withSession(onnxPath, async (session) => {
    const result = await session.run(Object.fromEntries(session.inputNames.map((name, i) => [name, toOrtTensor(inputs[i])])));
    return { names: [...session.outputNames], outputs: session.outputNames.map((name) => result[name]) };
  });
}

/** max |a − b|; NaN where both are NaN agrees, NaN on one side only is an infinite difference. */
export function maxAbsDifference(a: ArrayLike<number | bigint | boolean>, b: ArrayLike<number | bigint | boolean>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [Number(a[i]), Number(b[i])];
    const d = Math.abs(x - y);
    max = Number.isNaN(d) ? (Number.isNaN(x) && Number.isNaN(y) ? max : Infinity) : Math.max(max, d);
  }
  return max;
}

/** max |values|, the scale the tolerance is relative to. */
export function largestMagnitude(values: ArrayLike<number | bigint | boolean>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(Number(values[i])));
  return max;
}

/** The converters' bound: same shape, and max |onnx − tfjs| ≤ relative · max(1, max |tfjs|). */
export function expectClose(actual: ort.Tensor, expected: tf.Tensor, label: string, relative = 1e-4): void {
  expect([...actual.dims], `shape of ${label}`).toEqual(expected.shape);
  const want = expected.dataSync();
  const scale = Math.max(1, largestMagnitude(want));
  const difference = maxAbsDifference(actual.data as ArrayLike<number | bigint | boolean>, want);
  expect(difference, `max |onnx − tfjs| of ${label} (bound ${relative} × ${scale.toPrecision(3)})`).toBeLessThanOrEqual(relative * scale);
}

/** The converted graph's nodes (op type, inputs, outputs), read back from the file. */
export async function onnxNodes(onnxPath: string): Promise<{ opType: string; inputs: string[]; outputs: string[] }[]> {
  const model = onnxProto.onnx.ModelProto.decode(await readFile(onnxPath));
  return (model.graph?.node ?? []).map((node) => ({
    opType: node.opType ?? '',
    inputs: [...(node.input ?? [])],
    outputs: [...(node.output ?? [])],
  }));
}
