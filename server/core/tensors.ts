/**
 * Tensor checks and conversions every front end shares: shapes, element counts against the
 * server's limit, and the JSON form of tensor data (the binary and gRPC forms are in their front
 * ends). Everything here runs before a buffer sized by the request is allocated.
 */
import { formatShape } from '@tfjs-onnx/runtime/constants';
import { InvalidRequestError } from '../errors.ts';
import { DATATYPE_INFO, allocateValues, type Datatype, type TensorValues } from './datatypes.ts';
import { fromHalfBits, toHalfBits } from './fp16.ts';

/** Which tensor a message is about: `input 'x'` or `output 'y'`. */
export type TensorRole = 'input' | 'output';

/**
 * A shape as the request states it, checked to be a list of whole numbers ≥ 0 that JavaScript can
 * hold exactly (2^53 and 1e300 are refused here, not multiplied).
 */
export function checkShape(name: string, shape: unknown): number[] {
  if (!Array.isArray(shape)) throw new InvalidRequestError(`input '${name}' has no shape list`);
  if (shape.length > 32) throw new InvalidRequestError(`input '${name}' has ${shape.length} dimensions; at most 32 are accepted`);
  for (const [axis, size] of shape.entries()) {
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      throw new InvalidRequestError(`input '${name}' shape[${axis}] is ${describe(size)}; dimensions are whole numbers ≥ 0`);
    }
  }
  return shape as number[];
}

/** shape's element count, refused (without ever overflowing) once it passes `maxElements`. */
export function elementCount(name: string, shape: readonly number[], maxElements: number): number {
  let count = 1;
  for (const size of shape) {
    count *= size;
    if (count > maxElements) {
      throw new InvalidRequestError(
        `input '${name}' has shape ${formatShape(shape)}, more than the ${maxElements} elements per tensor this server accepts (--max-tensor-elements)`,
      );
    }
  }
  return count;
}

/** Bytes `count` elements of a fixed-size datatype take in the binary layout. */
export function fixedByteSize(datatype: Datatype, count: number): number {
  return DATATYPE_INFO[datatype].byteSize * count;
}

// ---- JSON tensor data ------------------------------------------------------------------------

/**
 * Reads JSON `data` (flat or nested row-major, as the protocol allows) into the typed array of
 * `datatype`, checking each element. The element count is compared with the shape before the
 * array is allocated: a flat list by its length, a nested one by counting its leaves first.
 */
export function valuesFromJson(
  input: { name: string; datatype: Datatype; shape: readonly number[]; count: number },
  data: unknown,
): TensorValues {
  if (!Array.isArray(data)) throw dataError(input.name, 'is not a list');
  const nested = data.length > 0 && Array.isArray(data[0]);
  const found = nested ? countLeaves(data, 0, input) : data.length;
  if (found !== input.count)
    throw dataError(input.name, `has ${found} elements but its shape ${formatShape(input.shape)} holds ${input.count}`);
  const values = allocateValues(input.datatype, input.count);
  const write = elementWriter(input.datatype, values, input.name);
  if (!nested) {
    for (let i = 0; i < data.length; i++) write(i, data[i]);
    return values;
  }
  let index = 0;
  const visit = (items: unknown[]): void => {
    for (const item of items) {
      if (Array.isArray(item)) visit(item);
      else write(index++, item);
    }
  };
  visit(data);
  return values;
}

/** Leaves of nested `data`, refusing nesting deeper than the tensor's rank (so depth stays bounded). */
function countLeaves(items: unknown[], depth: number, input: { name: string; shape: readonly number[] }): number {
  let count = 0;
  for (const item of items) {
    if (Array.isArray(item)) {
      if (depth + 1 >= Math.max(1, input.shape.length))
        throw dataError(input.name, `nests deeper than its ${input.shape.length} dimensions`);
      count += countLeaves(item, depth + 1, input);
    } else {
      count++;
    }
  }
  return count;
}

type ElementWriter = (index: number, item: unknown) => void;
/** Refuses element `index` of the input: `item` is not `expected`. */
type Refuse = (index: number, item: unknown, expected: string) => never;
/** Builds the checked writer of one datatype over the array the values go to. */
type WriterFactory = (values: TensorValues, refuse: Refuse) => ElementWriter;

function elementWriter(datatype: Datatype, values: TensorValues, name: string): ElementWriter {
  const refuse: Refuse = (index, item, expected) => {
    throw dataError(name, `element ${index} is ${describe(item)}, not ${expected}`);
  };
  return ELEMENT_WRITERS[datatype](values, refuse);
}

function integers(min: number, max: number, label: string): WriterFactory {
  return (values, refuse) => {
    const target = values as Exclude<TensorValues, string[] | BigInt64Array | BigUint64Array>;
    return (index, item) => {
      if (typeof item !== 'number' || !Number.isInteger(item) || item < min || item > max) refuse(index, item, label);
      target[index] = item as number;
    };
  };
}

function bigIntegers(min: bigint, max: bigint, label: string): WriterFactory {
  return (values, refuse) => {
    const target = values as BigInt64Array | BigUint64Array;
    // The JSON reader hands integers past 2^53 over as bigints, exactly as written; numbers are exact below that.
    return (index, item) => {
      const exact = typeof item === 'bigint' ? item : typeof item === 'number' && Number.isSafeInteger(item) ? BigInt(item) : undefined;
      if (exact === undefined || exact < min || exact > max) refuse(index, item, label);
      target[index] = exact as bigint;
    };
  };
}

/**
 * A float datatype: `accepts` tells a number the datatype holds, `store` writes it. A float written
 * as a long integer literal (1e20 as 100000000000000000000) reads as a bigint; it is still that float.
 */
function floats(
  accepts: (item: number) => boolean,
  label: string,
  store: (values: TensorValues, index: number, item: number) => void,
): WriterFactory {
  return (values, refuse) => (index, raw) => {
    const item = typeof raw === 'bigint' ? Number(raw) : raw;
    if (typeof item !== 'number' || !accepts(item)) refuse(index, item, label);
    store(values, index, item as number);
  };
}

/** How each datatype's JSON elements are checked and stored. */
const ELEMENT_WRITERS: Record<Datatype, WriterFactory> = {
  BOOL: (values, refuse) => (index, item) => {
    if (typeof item !== 'boolean') refuse(index, item, 'true or false');
    (values as Uint8Array)[index] = item ? 1 : 0;
  },
  UINT8: integers(0, 0xff, 'a UINT8 integer 0–255'),
  UINT16: integers(0, 0xffff, 'a UINT16 integer'),
  UINT32: integers(0, 0xffffffff, 'a UINT32 integer'),
  INT8: integers(-0x80, 0x7f, 'an INT8 integer'),
  INT16: integers(-0x8000, 0x7fff, 'an INT16 integer'),
  INT32: integers(-0x80000000, 0x7fffffff, 'an INT32 integer'),
  INT64: bigIntegers(-(2n ** 63n), 2n ** 63n - 1n, 'an INT64 integer'),
  UINT64: bigIntegers(0n, 2n ** 64n - 1n, 'a UINT64 integer'),
  // NaN and ±Infinity are FP16 values; a finite number past 65504 is not.
  FP16: floats(
    (item) => !Number.isFinite(item) || Math.abs(item) <= 65504,
    'an FP16 number (|x| ≤ 65504, NaN or ±Infinity)',
    (values, index, item) => {
      (values as Uint16Array)[index] = toHalfBits(item);
    },
  ),
  // NaN and ±Infinity arrive as Triton's literals; a finite number past FP32's range (1e39) would silently become Infinity.
  FP32: floats(
    (item) => !Number.isFinite(item) || Number.isFinite(Math.fround(item)),
    'an FP32 number (finite within FP32, NaN or ±Infinity)',
    (values, index, item) => {
      (values as Float32Array)[index] = item;
    },
  ),
  FP64: floats(
    () => true,
    'a number',
    (values, index, item) => {
      (values as Float64Array)[index] = item;
    },
  ),
  BYTES: (values, refuse) => (index, item) => {
    if (typeof item !== 'string') refuse(index, item, 'a string');
    (values as string[])[index] = item as string;
  },
};

/**
 * Tensor values as the JSON text of a flat array, as Triton writes them: every number joined
 * natively (Array.prototype.join), which spells NaN, Infinity and -Infinity as Triton's literals and
 * writes INT64/UINT64 digit for digit; booleans as true/false; BYTES as JSON strings.
 */
export function valuesToJsonText(datatype: Datatype, values: TensorValues): string {
  if (datatype === 'BYTES') return JSON.stringify(values);
  if (datatype === 'BOOL') return `[${Array.from(values as Uint8Array, (value) => value !== 0).join(',')}]`;
  if (datatype === 'FP16') return floatsJson(Array.from(values as Uint16Array, fromHalfBits));
  if (datatype === 'FP32' || datatype === 'FP64') return floatsJson(values as Float32Array | Float64Array);
  return `[${Array.prototype.join.call(values, ',')}]`;
}

/** Floats joined; a negative zero keeps its sign ("-0", as Triton writes -0.0), which toString drops. */
function floatsJson(values: ArrayLike<number>): string {
  const negativeZero = (value: number) => value === 0 && 1 / value < 0;
  if (!Array.prototype.some.call(values, negativeZero)) return `[${Array.prototype.join.call(values, ',')}]`;
  return `[${Array.from(values, (value) => (negativeZero(value) ? '-0' : String(value))).join(',')}]`;
}

function dataError(name: string, problem: string): InvalidRequestError {
  return new InvalidRequestError(`input '${name}' data ${problem}`);
}

function describe(item: unknown): string {
  if (item === null) return 'null';
  if (typeof item === 'string') return `the string ${JSON.stringify(item.slice(0, 20))}`;
  if (typeof item === 'number' || typeof item === 'boolean' || typeof item === 'bigint') return String(item);
  if (Array.isArray(item)) return 'a list';
  return `a ${typeof item}`;
}
