/**
 * Which ops the fp16 variant computes in float16, and why the others stay float32.
 *
 * onnxruntime's CPU provider (onnxruntime-node) and its WebAssembly build (onnxruntime-web) have
 * float16 kernels for data movement and a handful of ops only. For any other op with float16
 * inputs onnxruntime inserts a Cast to float32 before it and a Cast back after it, at run time on
 * every call: slower than float32 throughout and no more accurate. Those ops are kept in float32
 * here (their float16 weights are cast once, which onnxruntime folds at load), so the fp16 variant
 * halves the file without slowing the model down. test/export/backend/precision/float16Kernels.test.ts
 * checks both lists against the installed onnxruntime-node and onnxruntime-web from their
 * profiles (which kernel ran on which element type), so an onnxruntime upgrade that adds kernels
 * shows up as a failing test rather than a silently slow model.
 */

const NO_KERNEL = 'no float16 kernel in onnxruntime CPU/wasm (it would insert Casts to float32 and back around it on every run)';
const OVERFLOW = 'float16 overflows above 65504: exponentials and powers of ordinary activations exceed it';
const ACCUMULATION = 'float16 sums lose precision over many terms (11-bit mantissa)';

/** Ops that may compute in float16, with what makes that safe; verified to run in float16 on both backends. */
export const FLOAT16_OPS: Readonly<Record<string, string>> = {
  Identity: 'data movement',
  Reshape: 'data movement',
  Flatten: 'data movement',
  Transpose: 'data movement',
  Squeeze: 'data movement',
  Unsqueeze: 'data movement',
  Concat: 'data movement',
  Split: 'data movement',
  Slice: 'data movement',
  Gather: 'data movement',
  Expand: 'data movement',
  Cast: 'type conversion',
  Min: 'exact in float16',
  Max: 'exact in float16',
  Clip: 'exact in float16',
  LayerNormalization: 'float16 kernel that accumulates its statistics in float32 (stash_type 1)',
};

/** Ops kept in float32, each with its reasons. Ops on neither list also stay float32 (not verified). */
export const FLOAT32_OPS: Readonly<Record<string, readonly string[]>> = {
  Add: [NO_KERNEL],
  Sub: [NO_KERNEL],
  Mul: [NO_KERNEL],
  Div: [NO_KERNEL],
  Pow: [NO_KERNEL, OVERFLOW],
  Sqrt: [NO_KERNEL],
  Sum: [NO_KERNEL, ACCUMULATION],
  Mean: [NO_KERNEL, ACCUMULATION],
  Abs: [NO_KERNEL],
  Neg: [NO_KERNEL],
  Exp: [NO_KERNEL, OVERFLOW],
  Log: [NO_KERNEL],
  Erf: [NO_KERNEL],
  Relu: [NO_KERNEL],
  LeakyRelu: [NO_KERNEL],
  PRelu: [NO_KERNEL],
  Elu: [NO_KERNEL],
  Selu: [NO_KERNEL],
  ThresholdedRelu: [NO_KERNEL],
  Sigmoid: [NO_KERNEL],
  HardSigmoid: [NO_KERNEL],
  Tanh: [NO_KERNEL],
  Softplus: [NO_KERNEL, OVERFLOW],
  Softsign: [NO_KERNEL],
  Softmax: [NO_KERNEL, OVERFLOW, ACCUMULATION],
  LogSoftmax: [NO_KERNEL, OVERFLOW, ACCUMULATION],
  MatMul: [NO_KERNEL, ACCUMULATION],
  Gemm: [NO_KERNEL, ACCUMULATION],
  Conv: [NO_KERNEL, ACCUMULATION],
  ConvTranspose: [NO_KERNEL, ACCUMULATION],
  BatchNormalization: [NO_KERNEL],
  MaxPool: [NO_KERNEL],
  AveragePool: [NO_KERNEL, ACCUMULATION],
  GlobalAveragePool: [NO_KERNEL, ACCUMULATION],
  GlobalMaxPool: [NO_KERNEL],
  ReduceMean: [NO_KERNEL, ACCUMULATION],
  ReduceMax: [NO_KERNEL],
  ReduceSum: [NO_KERNEL, ACCUMULATION],
  Resize: [NO_KERNEL],
  Pad: [NO_KERNEL],
  Tile: [NO_KERNEL],
  DepthToSpace: [NO_KERNEL],
  Less: [NO_KERNEL],
  Where: [NO_KERNEL],
};

export const NO_FLOAT16_KERNEL = NO_KERNEL;

/** Inputs that are float32 whatever the op computes in (Resize's scales), by op and input index. */
export const FLOAT32_INPUTS: Readonly<Record<string, readonly number[]>> = {
  Resize: [2],
};

export function computesInFloat16(opType: string): boolean {
  return Object.hasOwn(FLOAT16_OPS, opType);
}

/** Why an op stays float32 in the fp16 variant. */
export function float32Reasons(opType: string): readonly string[] {
  if (computesInFloat16(opType)) return ['its inputs are float32 (computing it in float16 would only add Casts and rounding)'];
  return FLOAT32_OPS[opType] ?? ['not verified to have float16 kernels in onnxruntime CPU/wasm'];
}

export function isFloat32Input(opType: string, index: number): boolean {
  return FLOAT32_INPUTS[opType]?.includes(index) ?? false;
}
