/**
 * Symmetric int8 quantization of a weight tensor, as onnxruntime's quantizer does for weights
 * (QInt8, zero point 0, values in [−127, 127] so that negation never overflows): one scale per
 * slice along an axis (per channel) or one for the whole tensor.
 */

export interface Int8Weights {
  values: Int8Array;
  /** One scale per slice along the axis (length 1 when per tensor). */
  scales: Float32Array;
}

const INT8_LIMIT = 127;

/**
 * Quantizes `values` (row-major, shape `dims`) with one scale per index of `axis`, or a single
 * scale when `axis` is undefined: scale = max |w| / 127 over the slice, q = round(w / scale).
 */
export function quantizeInt8(values: Float32Array, dims: readonly number[], axis: number | undefined): Int8Weights {
  const channels = axis === undefined ? 1 : dims[axis];
  const inner = axis === undefined ? values.length : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number) => (axis === undefined ? 0 : Math.floor(i / inner) % channels);
  const maxima = new Float32Array(channels);
  for (let i = 0; i < values.length; i++) maxima[channelOf(i)] = Math.max(maxima[channelOf(i)], Math.abs(values[i]));
  // A slice of zeros gets scale 1: any scale represents it exactly, and 0 would divide by zero.
  const scales = Float32Array.from(maxima, (max) => (max > 0 ? max / INT8_LIMIT : 1));
  const quantized = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    quantized[i] = Math.max(-INT8_LIMIT, Math.min(INT8_LIMIT, Math.round(values[i] / scales[channelOf(i)])));
  }
  return { values: quantized, scales };
}

/** The float values the int8 weights stand for (q × scale), for checking the quantization error. */
export function dequantizeInt8(weights: Int8Weights, dims: readonly number[], axis: number | undefined): Float32Array {
  const channels = weights.scales.length;
  const inner = axis === undefined ? weights.values.length : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  return Float32Array.from(weights.values, (q, i) => q * weights.scales[axis === undefined ? 0 : Math.floor(i / inner) % channels]);
}

/** Transposes a row-major [rows, columns] matrix (Gemm's transB weights into MatMul's [K, N]). */
export function transposeMatrix(values: Float32Array, rows: number, columns: number): Float32Array {
  const result = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) result[c * rows + r] = values[r * columns + c];
  return result;
}
