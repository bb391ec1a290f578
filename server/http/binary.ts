/**
 * The binary tensor data extension's byte layout: a body is a JSON header of
 * `Inference-Header-Content-Length` bytes followed by the raw tensors, each little-endian, row
 * major, in the order of the inputs (or outputs) that carry `parameters.binary_data_size`. BYTES
 * elements are each a 4-byte little-endian length followed by that many bytes. Every length is
 * checked against what is really there before anything is copied.
 */
import { InvalidRequestError } from '../errors.ts';
import { bytesOfValues, valuesFromBytes, type Datatype, type TensorValues } from '../core/datatypes.ts';
import type { PlannedInput } from '../core/inference.ts';
import { formatShape } from '../core/tensors.ts';
import { parseExactJson } from './json.ts';

export const HEADER_LENGTH = 'inference-header-content-length';

/** Splits a body into its JSON header (parsed) and the binary part after it. */
export function splitBinaryBody(body: Buffer, headerLength: string): { header: unknown; binary: Buffer } {
  if (!/^\d{1,15}$/.test(headerLength.trim())) throw new InvalidRequestError(`Inference-Header-Content-Length must be a whole number of bytes, got ${JSON.stringify(headerLength.slice(0, 40))}`);
  const length = Number(headerLength.trim());
  if (length > body.length) {
    throw new InvalidRequestError(`Inference-Header-Content-Length is ${length}, but the body has only ${body.length} bytes`);
  }
  return { header: parseJson(body.subarray(0, length), 'the JSON header of the binary request'), binary: body.subarray(length) };
}

/** Triton's JSON: NaN and ±Infinity literals read as numbers, integers past 2^53 exactly (as bigints). */
export function parseJson(bytes: Buffer, what: string): unknown {
  try {
    return parseExactJson(bytes.toString('utf8'));
  } catch (error) {
    throw new InvalidRequestError(`malformed JSON in ${what}: ${(error as Error).message}`);
  }
}

/** Cuts the binary part into one chunk per size, in order; the sizes must account for every byte. */
export function cutBinaryChunks(binary: Buffer, sizes: { name: string; size: number }[]): Buffer[] {
  let offset = 0;
  const chunks = sizes.map(({ name, size }) => {
    if (offset + size > binary.length) {
      throw new InvalidRequestError(`input '${name}' has binary_data_size ${size}, but only ${binary.length - offset} bytes of binary data are left in the body`);
    }
    const chunk = binary.subarray(offset, offset + size);
    offset += size;
    return chunk;
  });
  if (offset !== binary.length) {
    throw new InvalidRequestError(`the body has ${binary.length - offset} bytes of binary data after the last tensor; binary_data_size must account for all of it`);
  }
  return chunks;
}

/** A planned input's values from its binary chunk, which must hold exactly its shape × datatype. */
export function valuesFromBinary(input: PlannedInput, chunk: Buffer): TensorValues {
  if (input.datatype === 'BYTES') return readByteStrings(input, chunk);
  if (chunk.length !== input.byteSize) {
    throw new InvalidRequestError(
      `input '${input.name}' has binary_data_size ${chunk.length}, but shape ${formatShape(input.shape)} of ${input.datatype} needs ${input.byteSize} bytes`,
    );
  }
  return valuesFromBytes(input.datatype, chunk);
}

const utf8 = new TextDecoder('utf-8');

/** `count` length-prefixed elements that must fill the chunk exactly. */
function readByteStrings(input: PlannedInput, chunk: Buffer): string[] {
  const values: string[] = [];
  let offset = 0;
  for (let index = 0; index < input.count; index++) {
    if (offset + 4 > chunk.length) {
      throw new InvalidRequestError(`input '${input.name}' binary data ends after ${index} of its ${input.count} BYTES elements`);
    }
    const length = chunk.readUInt32LE(offset);
    offset += 4;
    if (offset + length > chunk.length) {
      throw new InvalidRequestError(`input '${input.name}' BYTES element ${index} declares ${length} bytes, but only ${chunk.length - offset} are left`);
    }
    values.push(utf8.decode(chunk.subarray(offset, offset + length)));
    offset += length;
  }
  if (offset !== chunk.length) {
    throw new InvalidRequestError(`input '${input.name}' has ${chunk.length - offset} bytes after its ${input.count} BYTES elements`);
  }
  return values;
}

/** A tensor's values in the binary layout (BYTES with their length prefixes). */
export function valuesToBinary(datatype: Datatype, values: TensorValues): Uint8Array {
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
