/**
 * The server's options and their defaults: the one place both the library (startServer) and the
 * CLI (tfjs-onnx serve) read them from, so the two can never disagree.
 */
import type { Backend as RuntimeBackend, Device as RuntimeDevice } from '@tfjs-onnx/runtime';

export type Backend = RuntimeBackend;
export type Device = RuntimeDevice;

export interface ServeOptions {
  /** ONNX files to serve, one model each. */
  modelPaths?: string[];
  /** A directory whose *.onnx files are all served. */
  modelDir?: string;
  /** Name for the model when exactly one is served; otherwise names are file names without extension. */
  name?: string;
  host?: string;
  /** 0 lets the OS pick a free port. */
  port?: number;
  backend?: Backend;
  device?: Device;
  intraOpThreads?: number;
  /** Rows merged into one predictBatch run at most; 1 turns dynamic batching off. */
  maxBatch?: number;
  /** How long the first queued request waits for company before its batch runs. */
  maxDelayMs?: number;
  /** Largest request body in bytes; larger bodies are refused with 413 before they are parsed. */
  bodyLimit?: number;
  /** Called with each startup line (URL, routes); the CLI prints them, tests keep them quiet. */
  log?: (line: string) => void;
}

export const SERVE_DEFAULTS = {
  host: '127.0.0.1',
  port: 8000,
  backend: 'native' as Backend,
  device: 'cpu' as Device,
  maxBatch: 64,
  maxDelayMs: 2,
  bodyLimit: 8 * 1024 * 1024,
} as const;

/**
 * The sane range of each numeric option, for the library's checks and the CLI's flags alike
 * (beyond them a server hangs at start, allocates without bound or never answers).
 */
export const SERVE_LIMITS = {
  port: { min: 0, max: 65_535 },
  intraOpThreads: { min: 1, max: 256 },
  maxBatch: { min: 1, max: 4096 },
  maxDelayMs: { min: 0, max: 10_000 },
  bodyLimit: { min: 1, max: 1024 * 1024 * 1024 },
} as const;

/** Triton's max_batch_size written by export-triton unless told otherwise. */
export const DEFAULT_MAX_BATCH_SIZE = 64;
/** Triton reads max_batch_size as an int32. */
export const MAX_BATCH_SIZE_LIMITS = { min: 0, max: 2 ** 31 - 1 } as const;

/** Version reported by GET /v2 and used as every model's only version. */
export const SERVER_NAME = 'tfjs-onnx';
export const SERVER_VERSION = '0.1.0';
export const MODEL_VERSION = '1';
