/**
 * onnxruntime-node: the CPU, WebGPU (Dawn, bundled), CUDA (an opt-in install), DirectML and CoreML
 * providers. Imported only by the Node entry point, so browser bundles never see onnxruntime-node.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BackendUnavailableError, RuntimeOptionError, CudaUnavailableError, describeError, ModelLoadError } from '../errors.js';
import { deviceUnavailable } from '../devices/placement.js';
import { providerName } from '../devices/providers.js';
import { DEFAULT_LOG_LEVEL } from '../options.js';
import type { InferenceSession } from 'onnxruntime-node';
import type { EngineFactory } from './engine.js';
import { providersFor, sessionEngine, sessionOptionsFor } from './session.js';

type OrtNode = typeof import('onnxruntime-node');

export const CUDA_INSTALL_HINT =
  'install the CUDA 12 provider libraries with `node node_modules/onnxruntime-node/script/install --onnxruntime-node-install=cuda12` ' +
  '(needs an NVIDIA driver for CUDA 12, and cuDNN 9), or load with device: "cpu"';

/** What to do when Dawn finds no adapter, per platform. */
export const NO_WEBGPU_ADAPTER =
  process.platform === 'linux'
    ? 'no adapter (install a GPU driver, or set VK_ICD_FILENAMES to a Vulkan driver manifest)'
    : 'no adapter (install or update the GPU driver)';

/** onnxruntime-node's messages when the CUDA provider library or the GPU cannot be used. */
const CUDA_FAILURE = /cuda|cudnn|providers_shared|providers_cuda/i;
/** onnxruntime-node's messages when Dawn cannot get an adapter or a device. */
const WEBGPU_FAILURE = /WebGPU adapter|No supported adapters|requestDevice|webgpu_context/i;

let ortNode: Promise<OrtNode> | undefined;

/**
 * onnxruntime-node, loaded once, after two process-wide settings that must precede its first session:
 * - ORT_DISABLE_TELEMETRY: onnxruntime-node 1.30's Linux build starts Microsoft's 1DS telemetry SDK,
 *   which matches /proc/self/cmdline with a backtracking std::regex whose recursion depth grows with
 *   the command line: past ~28 KB of arguments it overflows the 8 MB main-thread stack (SIGSEGV).
 *   Turning it off also keeps the process from collecting device ids for upload. A value the user
 *   set is left alone.
 * - env.logLevel: onnxruntime's process-wide logger prints coloured warnings to stderr by default.
 */
export function loadOnnxruntimeNode(): Promise<OrtNode> {
  ortNode ??= (async () => {
    process.env.ORT_DISABLE_TELEMETRY ??= '1';
    const ort = await import('onnxruntime-node');
    if (ort.env.logLevel === 'warning') ort.env.logLevel = DEFAULT_LOG_LEVEL;
    return ort;
  })();
  return ortNode;
}

/** The providers this onnxruntime-node build offers ('cpu', 'webgpu', 'cuda', 'dml', 'coreml', ...), installed or not. */
export async function nodeProviders(): Promise<string[]> {
  const ort = await loadOnnxruntimeNode();
  return ort.listSupportedBackends().map((backend) => backend.name);
}

export const createNativeEngine: EngineFactory = async ({ bytes, options, device, modelName }) => {
  const wasmOption = options.numThreads !== undefined ? 'numThreads' : options.wasmPaths !== undefined ? 'wasmPaths' : undefined;
  if (wasmOption)
    throw new RuntimeOptionError(
      `${wasmOption} is an option of device 'wasm' (onnxruntime-web); onnxruntime-node's devices take intraOpThreads`,
    );
  const ort = await loadOnnxruntimeNode();
  const providers = providersFor(device, options);
  const sessionOptions = sessionOptionsFor(options, providers);
  // A CUDA attempt of 'gpu'/'auto' is expected to fail on machines without it: keep onnxruntime's own log quiet.
  if (device === 'cuda' && options.logLevel === undefined && options.sessionOptions?.logSeverityLevel === undefined)
    sessionOptions.logSeverityLevel = 4;
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, sessionOptions);
  } catch (error) {
    throw sessionFailure(device, modelName, error);
  }
  // onnxruntime-node runs each call synchronously inside a setImmediate, so runs never overlap anyway.
  return sessionEngine({
    session,
    Tensor: ort.Tensor as never,
    runtime: 'onnxruntime-node',
    device,
    executionProvider: providerName(providers[0]!),
    serialRuns: false,
    modelName,
  });
};

/** A device that cannot start is the device's problem (BackendUnavailableError), anything else the model's. */
function sessionFailure(device: string, modelName: string, error: unknown): Error {
  const message = describeError(error);
  if (device === 'cuda' && CUDA_FAILURE.test(message)) {
    return deviceUnavailable('cuda', `onnxruntime-node cannot use CUDA (${message}); ${CUDA_INSTALL_HINT}`, CudaUnavailableError, error);
  }
  if (device === 'webgpu' && WEBGPU_FAILURE.test(message)) {
    const reason = /No supported adapters/.test(message) ? NO_WEBGPU_ADAPTER : `Dawn could not start (${message})`;
    return deviceUnavailable('webgpu', reason, BackendUnavailableError, error);
  }
  return new ModelLoadError(`onnxruntime-node could not load ${modelName}: ${message}`, { cause: error });
}

/**
 * onnxruntime-node loads the CUDA provider from its own bin folder, where its install script puts it.
 * Checking for the file first gives a precise message and spares users onnxruntime's native error log.
 * Returns the missing file's path, or undefined when it is present or the platform is not one we know.
 */
export function missingCudaProvider(): string | undefined {
  const library =
    process.platform === 'linux'
      ? 'libonnxruntime_providers_cuda.so'
      : process.platform === 'win32'
        ? 'onnxruntime_providers_cuda.dll'
        : undefined;
  if (!library) return undefined;
  const packageDir = dirname(dirname(createRequire(import.meta.url).resolve('onnxruntime-node')));
  const file = join(packageDir, 'bin', 'napi-v6', process.platform, process.arch, library);
  return existsSync(file) ? undefined : file;
}
