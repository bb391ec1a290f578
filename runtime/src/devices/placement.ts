/**
 * Where a model runs: the one place a requested `device` becomes a session on a concrete device.
 * A concrete device is checked (its libraries, its adapter) and created, or refused with what to
 * do; 'gpu' tries each GPU device the package offers here, in GPU_DEVICES order, and 'auto' falls
 * back to the CPU after them. What each candidate said is kept, so the model can tell why it runs
 * where it does. The checks themselves are the platform's (Node and browsers look for different things).
 */
import type { InferenceEngine } from '../backends/engine.js';
import { DEFAULT_DEVICE, type Device, type GpuDevice, type ResolvedDevice } from '../constants.js';
import { BackendUnavailableError, describeError } from '../errors.js';
import type { Platform } from '../platform.js';
import type { Placement } from '../types.js';
import type { DeviceRequest, EngineRequest, UnavailableClass } from './requests.js';

export interface PlacedEngine {
  engine: InferenceEngine;
  placement: Placement;
}

export async function placeModel(
  platform: Platform,
  request: Omit<EngineRequest, 'device' | 'check'>,
  float16Use: () => string | undefined,
): Promise<PlacedEngine> {
  const requested: Device = request.options.device ?? DEFAULT_DEVICE;
  if (requested !== 'gpu' && requested !== 'auto') {
    const device = requested === 'cpu' ? platform.cpuDevice : requested;
    const engine = await createOn(platform, device, request, { strict: false, options: request.options, float16Use }, requested);
    const reason = request.options.executionProviders
      ? `executionProviders were given (${engine.engine.executionProvider} first)`
      : `device '${requested}' was asked for${device !== requested ? ` (${device} here)` : ''}`;
    return { engine: engine.engine, placement: placementOf(requested, device, engine, reason) };
  }
  const tried: string[] = [];
  for (const device of await platform.gpuDevices()) {
    try {
      const engine = await createOn(platform, device, request, { strict: true, options: request.options, float16Use }, requested);
      tried.push(`chose ${device}${engine.check.adapter ? ` (${engine.check.adapter.name})` : ''}`);
      return { engine: engine.engine, placement: placementOf(requested, device, engine, `${requested}: ${tried.join('; ')}`) };
    } catch (error) {
      if (!(error instanceof BackendUnavailableError)) throw error;
      tried.push(`${device}: ${(error as UnavailableDevice).reasonOnly ?? describeError(error)}`);
    }
  }
  const none = tried.length === 0 ? `onnxruntime offers no GPU provider in ${platform.entry}` : tried.join('; ');
  if (requested === 'gpu') {
    throw new BackendUnavailableError(
      `device 'gpu': no GPU provider works here (${none}); load with device '${platform.cpuDevice}', or 'auto' to fall back to it`,
    );
  }
  const device = platform.cpuDevice;
  const engine = await createOn(platform, device, request, { strict: false, options: request.options, float16Use }, requested);
  return { engine: engine.engine, placement: placementOf(requested, device, engine, `auto: ${none}; fell back to ${device}`) };
}

/** A BackendUnavailableError that also carries the bare reason, for 'gpu'/'auto' to list. */
interface UnavailableDevice extends BackendUnavailableError {
  reasonOnly?: string;
}

/** The error a device that cannot run here throws: "device 'webgpu' cannot run here: <reason>; <hint>". */
export function deviceUnavailable(
  device: ResolvedDevice,
  reason: string,
  ErrorClass: UnavailableClass = BackendUnavailableError,
  cause?: unknown,
  hint?: string,
): BackendUnavailableError {
  const error: UnavailableDevice = new ErrorClass(
    `device '${device}' cannot run here: ${reason}${hint ? `; ${hint}` : ''}`,
    cause === undefined ? undefined : { cause },
  );
  error.reasonOnly = reason;
  return error;
}

/**
 * Loads the package a requested device runs on ('gpu' and 'auto': the CPU device's, which they
 * fall back to or share), so a missing package is reported before anything about the model.
 */
export async function loadRuntimeFor(platform: Platform, requested: Device): Promise<void> {
  const device = requested === 'gpu' || requested === 'auto' || requested === 'cpu' ? platform.cpuDevice : requested;
  await runtimeOf(platform, device, requested).load();
}

function runtimeOf(platform: Platform, device: ResolvedDevice, requested: Device) {
  const runtime = platform.devicePackages[device];
  const load = runtime && platform.runtimes[runtime];
  if (!runtime || !load) {
    const available = Object.keys(platform.devicePackages).join(', ');
    throw new BackendUnavailableError(
      `device '${requested}' is not available in ${platform.entry}; available: ${available}${platform.cpuDevice === 'wasm' ? ', gpu, auto (and cpu, which is wasm here)' : ', gpu, auto'}`,
    );
  }
  return { runtime, load };
}

async function createOn(
  platform: Platform,
  device: ResolvedDevice,
  request: Omit<EngineRequest, 'device' | 'check'>,
  deviceRequest: DeviceRequest,
  requested: Device,
) {
  const { runtime, load } = runtimeOf(platform, device, requested);
  const createEngine = await load();
  const check = await platform.checkDevice(device, deviceRequest);
  if (!check.ok) throw deviceUnavailable(device, check.reason, check.error, undefined, check.hint);
  const engine = await createEngine({ ...request, device, check });
  return { engine, check, runtime };
}

function placementOf(requested: Device, device: ResolvedDevice, created: Awaited<ReturnType<typeof createOn>>, reason: string): Placement {
  return {
    requested,
    device,
    executionProvider: created.engine.executionProvider,
    runtime: created.runtime,
    ...(created.check.adapter ? { adapter: created.check.adapter } : {}),
    reason,
  };
}

/** Devices of GPU_DEVICES that a package offers, in that order. */
export function offeredGpuDevices(names: readonly string[], order: readonly GpuDevice[]): GpuDevice[] {
  return order.filter((device) => names.includes(device));
}
