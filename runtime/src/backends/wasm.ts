/**
 * The WebAssembly backend: onnxruntime-web. In Node its package entry ('node' condition) loads the
 * .wasm from the installed package; in browsers the bundled entry references the .wasm through
 * `new URL(..., import.meta.url)`, which bundlers such as Vite emit as an asset. Nothing is ever
 * fetched from a CDN. Which onnxruntime-web build is used is the entry point's choice: the full one
 * (WebAssembly + WebGPU) or `onnxruntime-web/wasm` (WebAssembly only, half the .wasm).
 */
import type * as OrtWeb from 'onnxruntime-web';
import { RuntimeOptionError, describeError, ModelLoadError } from '../errors.js';
import { providerName } from '../devices/providers.js';
import { DEFAULT_LOG_LEVEL } from '../options.js';
import type { LoadOptions } from '../types.js';
import type { EngineFactory, InferenceEngine } from './engine.js';
import { providersFor, sessionEngine, sessionOptionsFor } from './session.js';

type OrtWebModule = typeof OrtWeb;

export interface WasmBuild {
  /** Loads the onnxruntime-web module of this build. */
  load(): Promise<OrtWebModule>;
  /** Whether the build has the WebGPU provider. */
  webgpu: boolean;
  /** What to import for WebGPU when this build lacks it (for the message). */
  name: string;
  /** The thread count when the caller names none; without it, onnxruntime-web's own default. */
  defaultThreads?: () => number;
}

/**
 * The settings onnxruntime-web reads once, when its WebAssembly module starts (at the first
 * session), per module instance. Later loads that ask for other values cannot get them.
 */
const started = new WeakMap<object, { numThreads: number | undefined; wasmPaths: string }>();
/** onnxruntime-web modules whose WebGPU backend was handed an adapter (it reads env.webgpu.adapter once). */
const adapterGiven = new WeakSet<object>();

export function wasmEngineFactory(build: WasmBuild): EngineFactory {
  return async ({ bytes, options, device, modelName, check }) => {
    const ort = await build.load();
    configureWasm(ort, options, build.defaultThreads);
    // The adapter the platform checked (browsers), so onnxruntime-web runs on the one it named.
    if (device === 'webgpu' && check.handle && !adapterGiven.has(ort.env)) {
      ort.env.webgpu.adapter = check.handle as OrtWebModule['env']['webgpu']['adapter'];
      adapterGiven.add(ort.env);
    }
    return createSession(ort, bytes, options, device, modelName);
  };
}

/**
 * numThreads (or, as before it existed, intraOpThreads) and wasmPaths go to onnxruntime-web's global
 * `env.wasm`, which it reads when its first session starts. A later load asking for different
 * values fails rather than silently running with the first ones. With neither, the build's default
 * applies (Node's: one thread per core, see index.node.ts).
 */
function configureWasm(ort: OrtWebModule, options: LoadOptions, defaultThreads?: () => number): void {
  const before = started.get(ort.env);
  const threads = options.numThreads ?? (options.intraOpThreads ? options.intraOpThreads : defaultThreads?.());
  if (before) {
    const current = ort.env.wasm.numThreads ?? before.numThreads;
    if (options.numThreads !== undefined && options.numThreads !== current) {
      throw new RuntimeOptionError(
        `numThreads ${options.numThreads} cannot apply: onnxruntime-web already started with ${current ?? 'its default number of'} thread(s) in this process, and reads the count only once`,
      );
    }
    if (options.wasmPaths !== undefined && JSON.stringify(options.wasmPaths) !== before.wasmPaths) {
      throw new RuntimeOptionError('wasmPaths cannot change: onnxruntime-web already loaded its .wasm in this process');
    }
    return;
  }
  if (threads !== undefined) ort.env.wasm.numThreads = threads;
  if (options.wasmPaths !== undefined) ort.env.wasm.wasmPaths = options.wasmPaths as OrtWebModule['env']['wasm']['wasmPaths'];
  if (ort.env.logLevel === 'warning') ort.env.logLevel = DEFAULT_LOG_LEVEL;
}

async function createSession(
  ort: OrtWebModule,
  model: Uint8Array,
  options: LoadOptions,
  device: 'wasm' | 'webgpu' | (string & {}),
  modelName: string,
): Promise<InferenceEngine> {
  const providers = providersFor(device === 'webgpu' ? 'webgpu' : 'wasm', options);
  let session: OrtWeb.InferenceSession;
  try {
    session = await ort.InferenceSession.create(model, sessionOptionsFor(options, providers));
  } catch (error) {
    throw new ModelLoadError(`onnxruntime-web could not load ${modelName}: ${describeError(error)}`, { cause: error });
  } finally {
    // onnxruntime-web writes the thread count it settled on back to env.wasm.numThreads.
    if (!started.has(ort.env)) started.set(ort.env, { numThreads: ort.env.wasm.numThreads, wasmPaths: JSON.stringify(options.wasmPaths) });
  }
  return sessionEngine({
    session,
    Tensor: ort.Tensor as never,
    runtime: 'onnxruntime-web',
    device: device === 'webgpu' ? 'webgpu' : 'wasm',
    executionProvider: providerName(providers[0]!),
    serialRuns: true,
    modelName,
  });
}
