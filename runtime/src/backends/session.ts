/**
 * Adapts an onnxruntime InferenceSession (node or web; both implement onnxruntime-common's
 * interface) to our InferenceEngine, so the two packages differ only in how they create it.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-web';
import { describeError, InferenceError } from '../errors.js';
import { DEFAULT_LOG_LEVEL, logSeverity } from '../options.js';
import { specsFromMetadata, type OrtValueMetadata } from '../tensors.js';
import { executionProvidersFor } from '../devices/providers.js';
import type {
  ExecutionProviderConfig,
  LoadOptions,
  ResolvedDevice,
  RuntimePackage,
  TensorArray,
  TensorData,
  TensorSpec,
} from '../types.js';
import type { InferenceEngine } from './engine.js';

type TensorConstructor = new (type: TensorData['type'], data: TensorArray, dims: readonly number[]) => Tensor;

export interface EngineParts {
  session: InferenceSession;
  Tensor: TensorConstructor;
  runtime: RuntimePackage;
  device: ResolvedDevice;
  executionProvider: string;
  serialRuns: boolean;
  modelName: string;
}

/** Wraps a created session; releases it if the model's signature is one we cannot carry. */
export async function sessionEngine({
  session,
  Tensor,
  runtime,
  device,
  executionProvider,
  serialRuns,
  modelName,
}: EngineParts): Promise<InferenceEngine> {
  let inputs: TensorSpec[];
  let outputs: TensorSpec[];
  try {
    inputs = specsFromMetadata(session.inputMetadata as readonly OrtValueMetadata[], 'input', modelName);
    outputs = specsFromMetadata(session.outputMetadata as readonly OrtValueMetadata[], 'output', modelName);
  } catch (error) {
    await session.release();
    throw error;
  }
  return {
    runtime,
    device,
    executionProvider,
    inputs,
    outputs,
    session,
    serialRuns,
    run(feeds, fetches) {
      const ortFeeds: Record<string, Tensor> = {};
      for (const name in feeds) {
        const { type, data, dims } = feeds[name]!;
        ortFeeds[name] = new Tensor(type, data, dims);
      }
      return session.run(ortFeeds, fetches).then(
        (result) => {
          const out: Record<string, TensorData> = {};
          for (const name of fetches) {
            const tensor = result[name]!;
            out[name] = { type: tensor.type as TensorData['type'], dims: tensor.dims, data: tensor.data as TensorArray };
          }
          return out;
        },
        (error: unknown) => {
          throw new InferenceError(
            `${runtime} (${executionProvider}) failed to run the model on ${describeFeeds(feeds)}: ${explainRunError(describeError(error))}`,
            { cause: error },
          );
        },
      );
    },
    release: () => session.release(),
  };
}

/**
 * onnxruntime's WebGPU provider places float16 nodes on an adapter without shader-f16 and fails at
 * the first run; the runtime refuses that at load when it can name the adapter, and says what it
 * means here when it could not.
 */
function explainRunError(message: string): string {
  if (!/requires f16 but the device does not support it/.test(message)) return message;
  return `the WebGPU adapter lacks shader-f16, and this model computes in float16 at run time; load it on the CPU, or use a model that computes in float32 (tfjs-onnx's fp16 variants do) (${message})`;
}

function describeFeeds(feeds: Record<string, TensorData>): string {
  const entries = Object.entries(feeds);
  if (entries.length === 1) return `input [${entries[0]![1].dims.join(', ')}]`;
  return `inputs ${entries.map(([name, t]) => `${name} [${t.dims.join(', ')}]`).join(', ')}`;
}

/** The providers a session gets: an expert's list as given, else the device's provider with its options. */
export function providersFor(device: ResolvedDevice, options: LoadOptions): ExecutionProviderConfig[] {
  return options.executionProviders ? [...options.executionProviders] : executionProvidersFor(device, options);
}

/** The SessionOptions both packages build from LoadOptions; `sessionOptions` (experts) is applied last. */
export function sessionOptionsFor(
  options: LoadOptions,
  executionProviders: readonly ExecutionProviderConfig[],
): InferenceSession.SessionOptions {
  const sessionOptions: InferenceSession.SessionOptions = {
    executionProviders: executionProviders as InferenceSession.SessionOptions['executionProviders'],
    logSeverityLevel: logSeverity(options.logLevel ?? DEFAULT_LOG_LEVEL),
  };
  if (options.intraOpThreads !== undefined) sessionOptions.intraOpNumThreads = options.intraOpThreads;
  if (options.interOpThreads !== undefined) sessionOptions.interOpNumThreads = options.interOpThreads;
  if (options.graphOptimizationLevel !== undefined) sessionOptions.graphOptimizationLevel = options.graphOptimizationLevel;
  return { ...sessionOptions, ...(options.sessionOptions as InferenceSession.SessionOptions | undefined) };
}
