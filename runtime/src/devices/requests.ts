/**
 * What the core asks of a platform and an engine factory about a device, as types only: the check
 * before a session is tried, and the request a session is created from. Kept apart from
 * placement.ts so the platform and the engines can name them without importing placement's logic.
 */
import type { ResolvedDevice } from '../constants.js';
import type { BackendUnavailableError } from '../errors.js';
import type { GpuAdapterInfo, LoadOptions } from '../types.js';

/** What a platform knows about a device before creating a session on it. */
export type DeviceCheck =
  | {
      ok: true;
      adapter?: GpuAdapterInfo /** The adapter object to hand to onnxruntime, where it takes one (browsers). */;
      handle?: unknown;
    }
  | {
      ok: false /** Short, for 'gpu'/'auto' to list. */;
      reason: string /** What to do, added when the device was asked for by name. */;
      hint?: string;
      error?: UnavailableClass;
    };

export interface DeviceRequest {
  /** 'gpu'/'auto': refuse software adapters and anything that would only work with a warning. */
  strict: boolean;
  options: LoadOptions;
  /** Why the model needs float16 shaders at run time ("float16 input 'x'"), or undefined; computed on demand. */
  float16Use: () => string | undefined;
}

export interface EngineRequest {
  bytes: Uint8Array;
  options: LoadOptions;
  device: ResolvedDevice;
  modelName: string;
  check: Extract<DeviceCheck, { ok: true }>;
}

/** The error class a failed check asks for (a subclass of BackendUnavailableError). */
export type UnavailableClass = new (message: string, options?: ErrorOptions) => BackendUnavailableError;
