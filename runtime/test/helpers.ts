import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { seededRandom } from './fixtures/models.ts';

import { useSoftwareWebGpu } from './webgpu.ts';

/** The devices the suites run on in Node: onnxruntime-node's CPU and WebGPU (SwiftShader here), onnxruntime-web's WebAssembly. */
export const DEVICES = ['cpu', 'wasm', 'webgpu'] as const;
useSoftwareWebGpu();

/** What each device reports as its execution provider and package. */
export const RUNS_ON = {
  cpu: { executionProvider: 'cpu', runtime: 'onnxruntime-node' },
  wasm: { executionProvider: 'wasm', runtime: 'onnxruntime-web' },
  webgpu: { executionProvider: 'webgpu', runtime: 'onnxruntime-node' },
} as const;

export function randomFloats(length: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length }, () => random());
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i += 1) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

export function argmaxRows(values: ArrayLike<number>, classCount: number): number[] {
  const rows: number[] = [];
  for (let start = 0; start < values.length; start += classCount) {
    let best = 0;
    for (let c = 1; c < classCount; c += 1) if (values[start + c]! > values[start + best]!) best = c;
    rows.push(best);
  }
  return rows;
}

/** Runs `fn`, expecting it to reject with `type` whose message matches `message`. */
export async function expectError(fn: () => Promise<unknown>, type: new (...args: never[]) => Error, message: RegExp): Promise<Error> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected an error').toBeInstanceOf(type);
  expect((caught as Error).message).toMatch(message);
  return caught as Error;
}

/** A fresh temporary directory, removed after the test file finishes. */
export function tempDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'tfjs-onnx-runtime-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}
