/**
 * Load options: the one place their values are checked and their defaults live. Both entry points
 * and every device read them from here, so an option means the same everywhere. Where a device
 * runs is decided in devices/ (placement.ts), from `device`.
 */
import { DEVICES, DTYPES, WEBGPU_LAYOUTS, WEBGPU_POWER_PREFERENCES } from './constants.js';
import { RuntimeOptionError } from './errors.js';
import type { LoadOptions, LogLevel } from './types.js';

export const LOG_LEVELS: readonly LogLevel[] = ['verbose', 'info', 'warning', 'error', 'fatal'];
const OPTIMIZATION_LEVELS = ['disabled', 'basic', 'extended', 'all'];

/** onnxruntime's warnings (unused initializers, provider placement) are not the caller's to act on. */
export const DEFAULT_LOG_LEVEL: LogLevel = 'error';
/** Largest thread count accepted: onnxruntime-web and -node both fail obscurely (or hang) far above it. */
export const MAX_THREADS = 256;

/** Checks every option's value (not whether it is available here: the devices say that). */
export function checkLoadOptions(options: unknown): LoadOptions {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options))
    throw new RuntimeOptionError(`options must be an object, got ${describe(options)}`);
  const o = options as LoadOptions;
  if ('backend' in o && (o as { backend?: unknown }).backend !== undefined) {
    throw new RuntimeOptionError(
      `the backend option is gone: device picks the package (device 'cpu' runs onnxruntime-node, 'wasm' onnxruntime-web), got backend ${describe((o as { backend?: unknown }).backend)}`,
    );
  }
  oneOf('device', o.device, DEVICES);
  oneOf('dtype', o.dtype, DTYPES);
  oneOf('logLevel', o.logLevel, LOG_LEVELS);
  oneOf('graphOptimizationLevel', o.graphOptimizationLevel, OPTIMIZATION_LEVELS);
  for (const key of ['intraOpThreads', 'interOpThreads'] as const) threadCount(key, o[key], 0, '0 lets onnxruntime choose');
  threadCount('numThreads', o.numThreads, 1, '1 is single-threaded');
  if (o.wasmPaths !== undefined && typeof o.wasmPaths !== 'string' && !isStringRecord(o.wasmPaths)) {
    throw new RuntimeOptionError(
      `wasmPaths must be a URL prefix string or an object of file name → URL strings, got ${describe(o.wasmPaths)}`,
    );
  }
  checkProviderOptions(o);
  if (o.executionProviders !== undefined) {
    const list = o.executionProviders as unknown;
    if (!Array.isArray(list) || list.length === 0 || !list.every(isProviderConfig)) {
      throw new RuntimeOptionError(
        `executionProviders must be a non-empty array of provider names or { name, ... } objects, got ${describe(list)}`,
      );
    }
    if (o.device === 'gpu' || o.device === 'auto') {
      throw new RuntimeOptionError(
        `executionProviders replaces the provider device '${o.device}' would choose; give a device that names a package ('cpu' for onnxruntime-node, 'wasm' for onnxruntime-web) or leave device out`,
      );
    }
  }
  if (
    o.sessionOptions !== undefined &&
    (typeof o.sessionOptions !== 'object' || o.sessionOptions === null || Array.isArray(o.sessionOptions))
  ) {
    throw new RuntimeOptionError(`sessionOptions must be an onnxruntime SessionOptions object, got ${describe(o.sessionOptions)}`);
  }
  return o;
}

/** The `webgpu` and `cuda` option objects. */
function checkProviderOptions(o: LoadOptions): void {
  for (const key of ['webgpu', 'cuda'] as const) {
    const value = o[key] as unknown;
    if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new RuntimeOptionError(`${key} must be an object of ${key} provider options, got ${describe(value)}`);
    }
  }
  oneOf('webgpu.preferredLayout', o.webgpu?.preferredLayout, WEBGPU_LAYOUTS);
  oneOf('webgpu.powerPreference', o.webgpu?.powerPreference, WEBGPU_POWER_PREFERENCES);
  const deviceId = o.cuda?.deviceId as unknown;
  if (deviceId !== undefined && (typeof deviceId !== 'number' || !Number.isInteger(deviceId) || deviceId < 0 || deviceId > 255)) {
    throw new RuntimeOptionError(`cuda.deviceId must be a GPU ordinal from 0 to 255, got ${describe(deviceId)}`);
  }
}

/** onnxruntime's numeric log severity (0 verbose … 4 fatal). */
export function logSeverity(level: LogLevel): 0 | 1 | 2 | 3 | 4 {
  return LOG_LEVELS.indexOf(level) as 0 | 1 | 2 | 3 | 4;
}

function oneOf<T>(key: string, value: unknown, allowed: readonly T[]): void {
  if (value !== undefined && !allowed.includes(value as T)) {
    throw new RuntimeOptionError(`${key} must be ${listChoices(allowed)}, got ${describe(value)}`);
  }
}

/** 'a', 'b' or 'c'. */
export function listChoices(choices: readonly unknown[]): string {
  const quoted = choices.map((c) => `'${String(c)}'`);
  return quoted.length < 2 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

function threadCount(key: string, value: unknown, min: number, hint: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_THREADS) {
    throw new RuntimeOptionError(`${key} must be an integer from ${min} to ${MAX_THREADS} (${hint}), got ${describe(value)}`);
  }
}

function isStringRecord(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}

function isProviderConfig(value: unknown): boolean {
  if (typeof value === 'string') return value.length > 0;
  return typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string';
}

/** A value as a message shows it: strings quoted, numbers as they are, objects by kind. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value === undefined) return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return `${typeof value === 'function' ? 'a function' : `an object (${(value as object).constructor?.name ?? 'Object'})`}`;
}
