/**
 * The protocol's tensor datatypes (KServe v2 / Triton names) and how each maps to onnxruntime's
 * element type (the runtime's ElementType) and to a typed array. One table, so the JSON, binary and gRPC front ends and the
 * metadata routes can never disagree on what FP16 or BOOL means.
 */
import type { ElementType } from '@tfjs-onnx/runtime/constants';

export const DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
] as const;
export type Datatype = (typeof DATATYPES)[number];

/** Element storage: what run() takes for each datatype (FP16 travels as its 16-bit patterns, BOOL as 0/1 bytes). */
export type TensorValues =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | string[];

type NumericArrayConstructor =
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

interface DatatypeInfo {
  elementType: ElementType;
  /** Bytes per element in the binary (little-endian) layout; 0 for BYTES, whose elements vary. */
  byteSize: number;
  /** Typed array for the values; undefined for BYTES (strings). */
  array?: NumericArrayConstructor;
  /** Triton config.pbtxt's name for it. */
  configType: string;
}

export const DATATYPE_INFO: Record<Datatype, DatatypeInfo> = {
  BOOL: { elementType: 'bool', byteSize: 1, array: Uint8Array, configType: 'TYPE_BOOL' },
  UINT8: { elementType: 'uint8', byteSize: 1, array: Uint8Array, configType: 'TYPE_UINT8' },
  UINT16: { elementType: 'uint16', byteSize: 2, array: Uint16Array, configType: 'TYPE_UINT16' },
  UINT32: { elementType: 'uint32', byteSize: 4, array: Uint32Array, configType: 'TYPE_UINT32' },
  UINT64: { elementType: 'uint64', byteSize: 8, array: BigUint64Array, configType: 'TYPE_UINT64' },
  INT8: { elementType: 'int8', byteSize: 1, array: Int8Array, configType: 'TYPE_INT8' },
  INT16: { elementType: 'int16', byteSize: 2, array: Int16Array, configType: 'TYPE_INT16' },
  INT32: { elementType: 'int32', byteSize: 4, array: Int32Array, configType: 'TYPE_INT32' },
  INT64: { elementType: 'int64', byteSize: 8, array: BigInt64Array, configType: 'TYPE_INT64' },
  FP16: { elementType: 'float16', byteSize: 2, array: Uint16Array, configType: 'TYPE_FP16' },
  FP32: { elementType: 'float32', byteSize: 4, array: Float32Array, configType: 'TYPE_FP32' },
  FP64: { elementType: 'float64', byteSize: 8, array: Float64Array, configType: 'TYPE_FP64' },
  BYTES: { elementType: 'string', byteSize: 0, configType: 'TYPE_STRING' },
};

const BY_ELEMENT_TYPE = new Map<ElementType, Datatype>(DATATYPES.map((datatype) => [DATATYPE_INFO[datatype].elementType, datatype]));
const BY_CONFIG_TYPE = new Map<string, Datatype>(DATATYPES.map((datatype) => [DATATYPE_INFO[datatype].configType, datatype]));

export function isDatatype(value: unknown): value is Datatype {
  return typeof value === 'string' && (DATATYPES as readonly string[]).includes(value);
}

export function datatypeOf(elementType: ElementType): Datatype {
  const datatype = BY_ELEMENT_TYPE.get(elementType);
  if (datatype === undefined) throw new Error(`no protocol datatype for element type '${elementType}'`);
  return datatype;
}

/** TYPE_FP32 → FP32; undefined for config types this server cannot serve (TYPE_BF16). */
export function datatypeFromConfig(configType: string): Datatype | undefined {
  return BY_CONFIG_TYPE.get(configType);
}

/** An empty typed array (or string list) of `count` elements for `datatype`. */
export function allocateValues(datatype: Datatype, count: number): TensorValues {
  const array = DATATYPE_INFO[datatype].array;
  return array ? new array(count) : new Array<string>(count).fill('');
}

/**
 * Copies little-endian bytes into a fresh typed array of `datatype`. The copy is needed anyway:
 * a view into a request body is not aligned for 4- and 8-byte types and must not outlive it.
 */
export function valuesFromBytes(datatype: Exclude<Datatype, 'BYTES'>, bytes: Uint8Array): TensorValues {
  const { array, byteSize } = DATATYPE_INFO[datatype];
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  // Typed arrays use the platform's byte order; every platform Node supports here is little-endian.
  return new array!(copy.buffer, 0, bytes.length / byteSize);
}

/** The little-endian bytes of a numeric tensor (a view, no copy). */
export function bytesOfValues(values: Exclude<TensorValues, string[]>): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}
