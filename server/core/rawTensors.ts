/**
 * The protocol's raw tensor layout, which the binary tensor data extension, gRPC's raw contents and
 * shared-memory regions all use: elements little-endian, row major, no padding; BYTES elements each
 * a 4-byte little-endian length followed by that many bytes. Every length is checked against the
 * bytes really there before anything is copied.
 */
import { formatShape } from '@tfjs-onnx/runtime/constants';
import { InvalidRequestError } from '../errors.ts';
import { bytesOfValues, valuesFromBytes, type Datatype, type TensorValues } from './datatypes.ts';
import type { PlannedInput } from './requests.ts';

/**
 * A planned input's values from its raw bytes, which must hold exactly its shape × datatype.
 * `sizeName` names, in messages, the field that gave the byte count (binary_data_size, ...).
 */
export function valuesFromRaw(input: PlannedInput, chunk: Uint8Array, sizeName = 'binary_data_size'): TensorValues {
  if (input.datatype === 'BYTES') return readByteStrings(input, chunk);
  if (chunk.length !== input.byteSize) {
    throw new InvalidRequestError(
      `input '${input.name}' has ${sizeName} ${chunk.length}, but shape ${formatShape(input.shape)} of ${input.datatype} needs ${input.byteSize} bytes`,
    );
  }
  return valuesFromBytes(input.datatype, chunk);
}

const utf8 = new TextDecoder('utf-8');

/** `count` length-prefixed elements that must fill the chunk exactly. */
function readByteStrings(input: PlannedInput, chunk: Uint8Array): string[] {
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const values: string[] = [];
  let offset = 0;
  for (let index = 0; index < input.count; index++) {
    if (offset + 4 > chunk.length) {
      throw new InvalidRequestError(`input '${input.name}' binary data ends after ${index} of its ${input.count} BYTES elements`);
    }
    const length = view.getUint32(offset, true);
    offset += 4;
    if (offset + length > chunk.length) {
      throw new InvalidRequestError(
        `input '${input.name}' BYTES element ${index} declares ${length} bytes, but only ${chunk.length - offset} are left`,
      );
    }
    values.push(utf8.decode(chunk.subarray(offset, offset + length)));
    offset += length;
  }
  if (offset !== chunk.length) {
    throw new InvalidRequestError(`input '${input.name}' has ${chunk.length - offset} bytes after its ${input.count} BYTES elements`);
  }
  return values;
}

/** A tensor's values in the raw layout (BYTES with their length prefixes); numeric tensors are a view, not a copy. */
export function valuesToRaw(datatype: Datatype, values: TensorValues): Uint8Array {
  if (datatype !== 'BYTES') return bytesOfValues(values as Exclude<TensorValues, string[]>);
  const encoded = (values as string[]).map((value) => Buffer.from(value, 'utf8'));
  const result = Buffer.alloc(encoded.reduce((sum, bytes) => sum + 4 + bytes.length, 0));
  let offset = 0;
  for (const bytes of encoded) {
    result.writeUInt32LE(bytes.length, offset);
    bytes.copy(result, offset + 4);
    offset += 4 + bytes.length;
  }
  return result;
}
