/**
 * Kernels written in JavaScript for the two tfjs backends whose tensor memory JavaScript can
 * address: `wasm` (tensors live in the WebAssembly heap) and `cpu` (tensors are typed arrays).
 * A fused kernel reads its inputs and writes its outputs in place there, in one pass, instead of
 * running a dozen backend kernels that each allocate a tensor.
 */
import * as tf from '@tensorflow/tfjs';

export const JS_MEMORY_BACKENDS = ['wasm', 'cpu'] as const;
type JsMemoryBackend = (typeof JS_MEMORY_BACKENDS)[number];

export type Values = Float32Array | Int32Array;
export interface OutputSpec {
  shape: number[];
  dtype: 'float32' | 'int32';
}

/** What a JavaScript kernel computes: outputs from inputs, as typed arrays of the backend's own memory. */
export type JsKernelBody<Attrs> = (inputs: Values[], outputs: Values[], attrs: Attrs, infos: tf.TensorInfo[]) => void;

interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Values;
}
interface CpuBackend {
  data: { get(dataId: tf.DataId): { values: Values } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Values): tf.TensorInfo;
}

/**
 * Registers `body` as kernel `name` on both JavaScript-memory backends. Inputs are taken in
 * `inputNames` order; the outputs are allocated (uninitialised: the body writes every element).
 */
export function registerJsKernel<Attrs>(
  name: string,
  inputNames: readonly string[],
  outputsFor: (inputs: tf.TensorInfo[], attrs: Attrs) => OutputSpec[],
  body: JsKernelBody<Attrs>,
): void {
  for (const backendName of JS_MEMORY_BACKENDS) {
    if (tf.getKernel(name, backendName)) continue;
    tf.registerKernel({ kernelName: name, backendName, kernelFunc: jsKernelFunc(backendName, inputNames, outputsFor, body) });
  }
}

/** A tfjs kernel function for one JavaScript-memory backend that runs `body` on its tensors' memory. */
export function jsKernelFunc<Attrs>(
  backendName: JsMemoryBackend,
  inputNames: readonly string[],
  outputsFor: (inputs: tf.TensorInfo[], attrs: Attrs) => OutputSpec[],
  body: JsKernelBody<Attrs>,
): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const infos = inputNames.map((inputName) => inputs[inputName] as tf.TensorInfo);
    const typedAttrs = attrs as unknown as Attrs;
    const outputs = runJsKernel(backendName, backend, infos, outputsFor(infos, typedAttrs), (i, o) => body(i, o, typedAttrs, infos));
    return outputs.length === 1 ? outputs[0] : outputs;
  };
}

function runJsKernel(
  backendName: JsMemoryBackend,
  backend: unknown,
  inputs: tf.TensorInfo[],
  outputs: OutputSpec[],
  body: (inputs: Values[], outputs: Values[]) => void,
): tf.TensorInfo[] {
  if (backendName === 'wasm') {
    const wasm = backend as WasmBackend;
    // Allocate first: malloc may grow the heap, which detaches every view taken before it.
    const infos = outputs.map(({ shape, dtype }) => wasm.makeOutput(shape, dtype));
    body(
      inputs.map((info) => wasm.typedArrayFromHeap(info)),
      infos.map((info) => wasm.typedArrayFromHeap(info)),
    );
    return infos;
  }
  const cpu = backend as CpuBackend;
  const values = outputs.map(({ shape, dtype }) => (dtype === 'int32' ? new Int32Array(size(shape)) : new Float32Array(size(shape))));
  body(
    inputs.map((info) => cpu.data.get(info.dataId).values),
    values,
  );
  return outputs.map(({ shape, dtype }, i) => cpu.makeTensorInfo(shape, dtype, values[i]));
}

/** How a fused op runs: 'kernel', its JavaScript kernel (wasm, cpu); 'ops', the same formula as standard tfjs ops (any backend, e.g. tfjs-node). */
export type Implementation = 'kernel' | 'ops';

/** The kernel where the active backend has it, else standard ops. */
export function implementationOf(kernelName: string): Implementation {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined ? 'kernel' : 'ops';
}

export function size(shape: readonly number[]): number {
  return shape.reduce((product, extent) => product * extent, 1);
}
