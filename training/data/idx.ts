/**
 * A reader for the IDX format the MNIST family of datasets ships in:
 * a 4-byte magic number (two zero bytes, an element type code, the number of dimensions), the
 * dimensions as big-endian uint32, then the values, row-major. Gzipped files are read too.
 */
import { promises as fs } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { formatShape, type ElementType } from '@tfjs-onnx/runtime/constants';
import { InvalidInputError, describeError } from '../../common/errors.ts';
import { formatBytes } from '../../common/format.ts';

/** The element types IDX files can hold. */
export type IdxElementType = Extract<ElementType, 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64'>;

export interface IdxArray {
  elementType: IdxElementType;
  dims: number[];
  /** The values; for uint8 a view on the file's bytes (the common, fast case). */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** IDX's element type codes (the magic number's third byte). */
const ELEMENT_TYPES: Record<number, { elementType: IdxElementType; bytes: number }> = {
  8: { elementType: 'uint8', bytes: 1 },
  9: { elementType: 'int8', bytes: 1 },
  11: { elementType: 'int16', bytes: 2 },
  12: { elementType: 'int32', bytes: 4 },
  13: { elementType: 'float32', bytes: 4 },
  14: { elementType: 'float64', bytes: 8 },
};

/** Parses IDX bytes; `source` names the file in error messages. */
export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  if (bytes.byteLength < 4) throw new InvalidInputError(`${source} is not an IDX file: only ${bytes.byteLength} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0) !== 0) {
    throw new InvalidInputError(`${source} is not an IDX file: bad magic number 0x${view.getUint32(0).toString(16).padStart(8, '0')}`);
  }
  const typeCode = view.getUint8(2);
  const typeInfo = ELEMENT_TYPES[typeCode];
  if (!typeInfo) throw new InvalidInputError(`${source}: unknown IDX data type code 0x${typeCode.toString(16)}`);
  const rank = view.getUint8(3);
  const headerBytes = 4 + 4 * rank;
  if (rank === 0 || bytes.byteLength < headerBytes) {
    throw new InvalidInputError(`${source}: IDX header declares ${rank} dimensions but the file is too short to hold them`);
  }
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const count = dims.reduce((product, size) => product * size, 1);
  const expectedBytes = headerBytes + count * typeInfo.bytes;
  // Checked against the bytes at hand before anything of the declared size is allocated.
  if (bytes.byteLength !== expectedBytes) {
    const problem = bytes.byteLength < expectedBytes ? 'is truncated' : 'has trailing bytes';
    throw new InvalidInputError(
      `${source} ${problem}: dimensions ${formatShape(dims)} of ${typeInfo.elementType} need ${Number.isSafeInteger(expectedBytes) ? expectedBytes : 'more than 2^53'} bytes, the file has ${bytes.byteLength}`,
    );
  }
  return { elementType: typeInfo.elementType, dims, data: readValues(view, headerBytes, count, typeInfo.elementType) };
}

function readValues(view: DataView, offset: number, count: number, elementType: IdxElementType): IdxArray['data'] {
  const bytes = new Uint8Array(view.buffer, view.byteOffset + offset, count * BYTES_BY_ELEMENT_TYPE[elementType]);
  if (elementType === 'uint8') return bytes;
  if (elementType === 'int8') return new Int8Array(bytes.buffer, bytes.byteOffset, count);
  // Wider types are big-endian in IDX, so they are read value by value.
  const read = {
    int16: (i: number) => view.getInt16(offset + 2 * i),
    int32: (i: number) => view.getInt32(offset + 4 * i),
    float32: (i: number) => view.getFloat32(offset + 4 * i),
    float64: (i: number) => view.getFloat64(offset + 8 * i),
  }[elementType];
  const Target = { int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array }[elementType];
  const values = new Target(count);
  for (let i = 0; i < count; i++) values[i] = read(i);
  return values;
}

const BYTES_BY_ELEMENT_TYPE = Object.fromEntries(
  Object.values(ELEMENT_TYPES).map(({ elementType, bytes }) => [elementType, bytes]),
) as Record<IdxElementType, number>;

/**
 * The most bytes a gzipped IDX file may expand to (MNIST's training images are 47 MB): a few
 * hundred bytes of gzip can claim gigabytes, and decompression stops here instead.
 */
export const MAX_DECOMPRESSED_BYTES = 1024 ** 3;

/** Reads an IDX file from disk, gunzipping it first when it is gzip-compressed (by content, not by name). */
export async function readIdxFile(filePath: string): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(filePath);
  } catch (error) {
    throw new InvalidInputError(`cannot read data file ${filePath}: ${describeError(error)}`);
  }
  return decodeIdxFile(bytes, filePath);
}

/** The contents of an IDX file, gzipped or not; `source` names it in error messages. */
export function decodeIdxFile(bytes: Uint8Array, source: string, maxDecompressedBytes = MAX_DECOMPRESSED_BYTES): IdxArray {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: maxDecompressedBytes });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new InvalidInputError(
          `${source} expands to more than ${formatBytes(maxDecompressedBytes)} when gunzipped, more than any IDX dataset this tool reads`,
        );
      }
      throw new InvalidInputError(`${source} is a damaged gzip file: ${describeError(error)}`);
    }
  }
  return parseIdx(bytes, source);
}

/** Encodes values as IDX bytes: the inverse of parseIdx, used to write test fixtures and subsets. */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setUint8(2, 0x08);
  header.setUint8(3, dims.length);
  dims.forEach((size, i) => {
    header.setUint32(4 + 4 * i, size);
  });
  const result = new Uint8Array(header.byteLength + data.byteLength);
  result.set(new Uint8Array(header.buffer), 0);
  result.set(data, header.byteLength);
  return result;
}
