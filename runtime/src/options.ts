/**
 * Load options: the one place their values are checked, their defaults live, and `backend` and
 * `device` are resolved into the backend package to load and the device to ask it for. Both entry
 * points and both backends read them from here, so an option means the same everywhere.
 */
import { ClassifierOptionError } from './errors.js';
import type { Backend, Device, LoadOptions, LogLevel, ModelDtype } from './types.js';

export const BACKENDS: readonly Backend[] = ['native', 'wasm'];
export const DEVICES: readonly Device[] = ['cpu', 'cuda', 'webgpu', 'wasm', 'auto'];
export const DTYPES: readonly ModelDtype[] = ['fp32', 'fp16', 'q8'];
export const LOG_LEVELS: readonly LogLevel[] = ['verbose', 'info', 'warning', 'error', 'fatal'];
const OPTIMIZATION_LEVELS = ['disabled', 'basic', 'extended', 'all'];

export const DEFAULT_DEVICE: Device = 'cpu';
/** onnxruntime's warnings (unused initializers, provider placement) are not the caller's to act on. */
export const DEFAULT_LOG_LEVEL: LogLevel = 'error';
/** Largest thread count accepted: onnxruntime-web and -node both fail obscurely (or hang) far above it. */
export const MAX_THREADS = 256;

/** Which backend package runs the model and which device it is asked for. */
export interface Target {
  backend: Backend;
  device: Device;
}

/** Devices that only one backend has. */
const DEVICE_BACKEND: Partial<Record<Device, Backend>> = { cuda: 'native', wasm: 'wasm', webgpu: 'wasm' };

/** Checks every option's value (not whether it is available here: the backends say that). */
export function checkLoadOptions(options: unknown): LoadOptions {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) throw new ClassifierOptionError(`options must be an object, got ${describe(options)}`);
  const o = options as LoadOptions;
  oneOf('backend', o.backend, BACKENDS);
  oneOf('device', o.device, DEVICES);
  oneOf('dtype', o.dtype, DTYPES);
  oneOf('logLevel', o.logLevel, LOG_LEVELS);
  oneOf('graphOptimizationLevel', o.graphOptimizationLevel, OPTIMIZATION_LEVELS);
  for (const key of ['intraOpThreads', 'interOpThreads'] as const) threadCount(key, o[key], 0, '0 lets onnxruntime choose');
  threadCount('numThreads', o.numThreads, 1, '1 is single-threaded');
  if (o.wasmPaths !== undefined && typeof o.wasmPaths !== 'string' && !isStringRecord(o.wasmPaths)) {
    throw new ClassifierOptionError(`wasmPaths must be a URL prefix string or an object of file name → URL strings, got ${describe(o.wasmPaths)}`);
  }
  if (o.executionProviders !== undefined) {
    const list = o.executionProviders as unknown;
    if (!Array.isArray(list) || list.length === 0 || !list.every(isProviderConfig)) {
      throw new ClassifierOptionError(`executionProviders must be a non-empty array of provider names or { name, ... } objects, got ${describe(list)}`);
    }
    if (o.device !== undefined) throw new ClassifierOptionError('give either device or executionProviders, not both: executionProviders replaces what device would pick');
  }
  if (o.sessionOptions !== undefined && (typeof o.sessionOptions !== 'object' || o.sessionOptions === null || Array.isArray(o.sessionOptions))) {
    throw new ClassifierOptionError(`sessionOptions must be an onnxruntime SessionOptions object, got ${describe(o.sessionOptions)}`);
  }
  return o;
}

/**
 * The backend to load and the device to ask it for. A device only one backend has picks that
 * backend; asking for it together with the other backend is a contradiction, not a fallback.
 */
export function resolveTarget(options: LoadOptions, defaultBackend: Backend): Target {
  const device = options.device ?? DEFAULT_DEVICE;
  const implied = DEVICE_BACKEND[device];
  if (implied && options.backend !== undefined && options.backend !== implied) {
    throw new ClassifierOptionError(`device '${device}' needs the ${implied} backend (${packageOf(implied)}), but backend '${options.backend}' was given`);
  }
  const backend = options.backend ?? implied ?? defaultBackend;
  const wasmOption = options.numThreads !== undefined ? 'numThreads' : options.wasmPaths !== undefined ? 'wasmPaths' : undefined;
  if (backend === 'native' && wasmOption) {
    throw new ClassifierOptionError(`${wasmOption} is an option of the wasm backend (onnxruntime-web); the native backend takes intraOpThreads`);
  }
  return { backend, device };
}

export function packageOf(backend: Backend): string {
  return backend === 'native' ? 'onnxruntime-node' : 'onnxruntime-web';
}

/** onnxruntime's numeric log severity (0 verbose … 4 fatal). */
export function logSeverity(level: LogLevel): 0 | 1 | 2 | 3 | 4 {
  return LOG_LEVELS.indexOf(level) as 0 | 1 | 2 | 3 | 4;
}

function oneOf<T>(key: string, value: unknown, allowed: readonly T[]): void {
  if (value !== undefined && !allowed.includes(value as T)) {
    throw new ClassifierOptionError(`${key} must be ${listChoices(allowed)}, got ${describe(value)}`);
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
    throw new ClassifierOptionError(`${key} must be an integer from ${min} to ${MAX_THREADS} (${hint}), got ${describe(value)}`);
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
