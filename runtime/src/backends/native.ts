/**
 * The native backend: onnxruntime-node, CPU or CUDA. Imported only by the Node entry point,
 * so browser bundles never see onnxruntime-node.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { ClassifierOptionError, CudaUnavailableError, describeError, ModelLoadError } from '../errors.js';
import type { LoadOptions } from '../types.js';
import type { EngineFactory, InferenceEngine } from './engine.js';
import { commonSessionOptions, sessionEngine } from './session.js';

export const CUDA_INSTALL_HINT =
  'install the CUDA 12 provider libraries with `node node_modules/onnxruntime-node/script/install --onnxruntime-node-install=cuda12` ' +
  '(needs a CUDA 12 driver and cuDNN 9), or load with device: "cpu"';

/** onnxruntime-node's messages when the CUDA provider library or the GPU cannot be used. */
const CUDA_FAILURE = /cuda|cudnn|providers_shared|providers_cuda/i;

export const createNativeEngine: EngineFactory = async (model, options, modelName) => {
  const device = options.device ?? 'cpu';
  switch (device) {
    case 'cpu':
      return createSession(model, options, 'cpu', modelName);
    case 'cuda':
      return createSession(model, options, 'cuda', modelName);
    case 'auto':
      try {
        return await createSession(model, options, 'cuda', modelName);
      } catch (error) {
        if (!(error instanceof CudaUnavailableError)) throw error;
        console.warn(`@tfjs-onnx/runtime: CUDA is not available, running on CPU (${describeError(error.cause)})`);
        return createSession(model, options, 'cpu', modelName);
      }
    default:
      throw new ClassifierOptionError(`device must be 'cpu', 'cuda' or 'auto' for the native backend, got '${String(device)}'`);
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

async function createSession(model: Uint8Array, options: LoadOptions, device: 'cpu' | 'cuda', modelName: string): Promise<InferenceEngine> {
  const missing = device === 'cuda' ? missingCudaProvider() : undefined;
  if (missing) {
    throw new CudaUnavailableError(`CUDA was requested but onnxruntime-node's CUDA provider is not installed (${missing} is missing); ${CUDA_INSTALL_HINT}`, {
      cause: new Error(`${missing} is missing`),
    });
  }
  const sessionOptions = {
    ...commonSessionOptions(options),
    // Listing only 'cuda' makes a missing provider fail loudly instead of silently running on CPU;
    // onnxruntime still places ops CUDA cannot run on the CPU provider by itself.
    executionProviders: [device],
    // The CUDA attempt of device 'auto' is expected to fail on CPU machines: keep onnxruntime's own log quiet.
    logSeverityLevel: device === 'cuda' ? 4 : 2,
  } as const;
  try {
    const session = await ort.InferenceSession.create(model, sessionOptions);
    return sessionEngine(session, ort.Tensor, 'native', device);
  } catch (error) {
    if (device === 'cuda' && CUDA_FAILURE.test(describeError(error))) {
      throw new CudaUnavailableError(`CUDA was requested but onnxruntime-node cannot use it (${describeError(error)}); ${CUDA_INSTALL_HINT}`, {
        cause: error,
      });
    }
    throw new ModelLoadError(`onnxruntime-node could not load ${modelName}: ${describeError(error)}`, { cause: error });
  }
}
