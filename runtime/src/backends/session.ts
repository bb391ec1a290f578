/**
 * Adapts an onnxruntime InferenceSession (node or web; both implement onnxruntime-common's
 * interface) to our InferenceEngine, so the two backends differ only in how they create it.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-web';
import { describeError, InferenceError } from '../errors.js';
import { DEFAULT_LOG_LEVEL, logSeverity } from '../options.js';
import { specsFromMetadata, type OrtValueMetadata } from '../tensors.js';
import type { Backend, ExecutionDevice, LoadOptions, TensorArray, TensorData } from '../types.js';
import type { InferenceEngine } from './engine.js';

type TensorConstructor = new (type: TensorData['type'], data: TensorArray, dims: readonly number[]) => Tensor;

export interface EngineParts {
  session: InferenceSession;
  Tensor: TensorConstructor;
  backend: Backend;
  device: ExecutionDevice;
  serialRuns: boolean;
  modelName: string;
}

/** Wraps a created session; releases it if the model's signature is one we cannot carry. */
export async function sessionEngine({ session, Tensor, backend, device, serialRuns, modelName }: EngineParts): Promise<InferenceEngine> {
  let inputs;
  let outputs;
  try {
    inputs = specsFromMetadata(session.inputMetadata as readonly OrtValueMetadata[], 'input', modelName);
    outputs = specsFromMetadata(session.outputMetadata as readonly OrtValueMetadata[], 'output', modelName);
  } catch (error) {
    await session.release();
    throw error;
  }
  return {
    backend,
    device,
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
          throw new InferenceError(`onnxruntime (${backend}/${device}) failed to run the model on ${describeFeeds(feeds)}: ${describeError(error)}`, { cause: error });
        },
      );
    },
    release: () => session.release(),
  };
}

function describeFeeds(feeds: Record<string, TensorData>): string {
  const entries = Object.entries(feeds);
  if (entries.length === 1) return `input [${entries[0]![1].dims.join(', ')}]`;
  return `inputs ${entries.map(([name, t]) => `${name} [${t.dims.join(', ')}]`).join(', ')}`;
}

/** The SessionOptions both backends build from LoadOptions; `sessionOptions` (experts) is applied last. */
export function sessionOptionsFor(options: LoadOptions, executionProviders: InferenceSession.SessionOptions['executionProviders']): InferenceSession.SessionOptions {
  const sessionOptions: InferenceSession.SessionOptions = {
    executionProviders: (options.executionProviders as InferenceSession.SessionOptions['executionProviders']) ?? executionProviders,
    logSeverityLevel: logSeverity(options.logLevel ?? DEFAULT_LOG_LEVEL),
  };
  if (options.intraOpThreads !== undefined) sessionOptions.intraOpNumThreads = options.intraOpThreads;
  if (options.interOpThreads !== undefined) sessionOptions.interOpNumThreads = options.interOpThreads;
  if (options.graphOptimizationLevel !== undefined) sessionOptions.graphOptimizationLevel = options.graphOptimizationLevel;
  return { ...sessionOptions, ...(options.sessionOptions as InferenceSession.SessionOptions | undefined) };
}

/** What `device` reports for an expert's provider list: the first provider's name. */
export function firstProviderName(options: LoadOptions): string | undefined {
  const first = options.executionProviders?.[0];
  return first === undefined ? undefined : typeof first === 'string' ? first : first.name;
}
