/**
 * The native backend: onnxruntime-node, CPU or CUDA. Imported only by the Node entry point,
 * so browser bundles never see onnxruntime-node.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ClassifierOptionError, CudaUnavailableError, describeError, ModelLoadError } from '../errors.js';
import { DEFAULT_LOG_LEVEL } from '../options.js';
import type { LoadOptions } from '../types.js';
import type { EngineFactory, InferenceEngine } from './engine.js';
import { firstProviderName, sessionEngine, sessionOptionsFor } from './session.js';

type OrtNode = typeof import('onnxruntime-node');

export const CUDA_INSTALL_HINT =
  'install the CUDA 12 provider libraries with `node node_modules/onnxruntime-node/script/install --onnxruntime-node-install=cuda12` ' +
  '(needs a CUDA 12 driver and cuDNN 9), or load with device: "cpu"';

/** onnxruntime-node's messages when the CUDA provider library or the GPU cannot be used. */
const CUDA_FAILURE = /cuda|cudnn|providers_shared|providers_cuda/i;

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

export const createNativeEngine: EngineFactory = async (model, options, device, modelName) => {
  const ort = await loadOnnxruntimeNode();
  if (options.executionProviders) return createSession(ort, model, options, firstProviderName(options)!, modelName);
  switch (device) {
    case 'cpu':
    case 'cuda':
      return createSession(ort, model, options, device, modelName);
    case 'auto':
      try {
        return await createSession(ort, model, options, 'cuda', modelName);
      } catch (error) {
        if (!(error instanceof CudaUnavailableError)) throw error;
        console.warn(`@tfjs-onnx/runtime: CUDA is not available, running on CPU (${describeError(error.cause)})`);
        return createSession(ort, model, options, 'cpu', modelName);
      }
    default:
      throw new ClassifierOptionError(`device '${device}' is not one of the native backend's (cpu, cuda, auto)`);
  }
};

/**
 * onnxruntime-node loads the CUDA provider from its own bin folder, where its install script puts it.
 * Checking for the file first gives a precise message and spares users onnxruntime's native error log.
 * Returns the missing file's path, or undefined when it is present or the platform is not one we know.
 */
export function missingCudaProvider(): string | undefined {
  const library = process.platform === 'linux' ? 'libonnxruntime_providers_cuda.so' : process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : undefined;
  if (!library) return undefined;
  const packageDir = dirname(dirname(createRequire(import.meta.url).resolve('onnxruntime-node')));
  const file = join(packageDir, 'bin', 'napi-v6', process.platform, process.arch, library);
  return existsSync(file) ? undefined : file;
}

async function createSession(ort: OrtNode, model: Uint8Array, options: LoadOptions, device: string, modelName: string): Promise<InferenceEngine> {
  const missing = device === 'cuda' ? missingCudaProvider() : undefined;
  if (missing) {
    throw new CudaUnavailableError(`CUDA was requested but onnxruntime-node's CUDA provider is not installed (${missing} is missing); ${CUDA_INSTALL_HINT}`, {
      cause: new Error(`${missing} is missing`),
    });
  }
  // Listing only 'cuda' makes a missing provider fail loudly instead of silently running on CPU;
  // onnxruntime still places ops CUDA cannot run on the CPU provider by itself.
  const sessionOptions = sessionOptionsFor(options, [device]);
  // The CUDA attempt of device 'auto' is expected to fail on CPU machines: keep onnxruntime's own log quiet.
  if (device === 'cuda' && options.logLevel === undefined && options.sessionOptions?.logSeverityLevel === undefined) sessionOptions.logSeverityLevel = 4;
  let session;
  try {
    session = await ort.InferenceSession.create(model, sessionOptions);
  } catch (error) {
    if (device === 'cuda' && CUDA_FAILURE.test(describeError(error))) {
      throw new CudaUnavailableError(`CUDA was requested but onnxruntime-node cannot use it (${describeError(error)}); ${CUDA_INSTALL_HINT}`, { cause: error });
    }
    throw new ModelLoadError(`onnxruntime-node could not load ${modelName}: ${describeError(error)}`, { cause: error });
  }
  // onnxruntime-node runs each call synchronously inside a setImmediate, so runs never overlap anyway.
  return sessionEngine({ session, Tensor: ort.Tensor as never, backend: 'native', device, serialRuns: false, modelName });
}
