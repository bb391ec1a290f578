/**
 * Adapts an onnxruntime InferenceSession (node or web; both implement onnxruntime-common's
 * interface) to our InferenceEngine, so the two backends differ only in how they create it.
 */
import type { InferenceSession, Tensor, TypedTensor } from 'onnxruntime-web';
import { describeError, InferenceError, UnsupportedModelError } from '../errors.js';
import type { Backend, ExecutionDevice, LoadOptions } from '../types.js';
import type { EngineOutput, InferenceEngine, TensorInfo } from './engine.js';

type TensorConstructor = new (type: 'float32', data: Float32Array, dims: readonly number[]) => TypedTensor<'float32'>;

function describe(metadata: readonly InferenceSession.ValueMetadata[]): TensorInfo[] {
  return metadata.map((m) =>
    m.isTensor
      ? { name: m.name, type: m.type, shape: m.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : null)) }
      : { name: m.name, type: undefined, shape: [] },
  );
}

export function sessionEngine(
  session: InferenceSession,
  TensorClass: TensorConstructor,
  backend: Backend,
  device: ExecutionDevice,
): InferenceEngine {
  return {
    backend,
    device,
    inputs: describe(session.inputMetadata),
    outputs: describe(session.outputMetadata),
    async run(inputName, data, dims, outputName): Promise<EngineOutput> {
      const feeds = { [inputName]: new TensorClass('float32', data, dims) };
      let result: InferenceSession.ReturnType;
      try {
        result = await session.run(feeds, [outputName]);
      } catch (error) {
        throw new InferenceError(`onnxruntime (${backend}/${device}) failed to run the model on input [${dims.join(', ')}]: ${describeError(error)}`, {
          cause: error,
        });
      }
      const output = result[outputName] as Tensor | undefined;
      if (!output || output.type !== 'float32') {
        throw new UnsupportedModelError(`the model returned ${output ? output.type : 'no'} output '${outputName}'; expected float32 probabilities`);
      }
      return { data: output.data as Float32Array, dims: output.dims };
    },
    release: () => session.release(),
  };
}

/** The SessionOptions shared by both backends. */
export function commonSessionOptions(options: LoadOptions): InferenceSession.SessionOptions {
  const sessionOptions: InferenceSession.SessionOptions = {};
  if (options.intraOpThreads !== undefined) sessionOptions.intraOpNumThreads = options.intraOpThreads;
  if (options.interOpThreads !== undefined) sessionOptions.interOpNumThreads = options.interOpThreads;
  if (options.graphOptimizationLevel !== undefined) sessionOptions.graphOptimizationLevel = options.graphOptimizationLevel;
  return sessionOptions;
}
