/**
 * The binary tensor data extension's byte layout: a body is a JSON header of
 * `Inference-Header-Content-Length` bytes followed by the raw tensors, each little-endian, row
 * major, in the order of the inputs (or outputs) that carry `parameters.binary_data_size`. BYTES
 * elements are each a 4-byte little-endian length followed by that many bytes (core/rawTensors.ts,
 * shared with gRPC's raw contents and shared memory). Every length is checked against what is
 * really there before anything is copied.
 */
import { InvalidRequestError } from '../errors.ts';
import { parseExactJson } from './json.ts';

export const HEADER_LENGTH = 'inference-header-content-length';

/** Splits a body into its JSON header (parsed) and the binary part after it. */
export function splitBinaryBody(body: Buffer, headerLength: string): { header: unknown; binary: Buffer } {
  if (!/^\d{1,15}$/.test(headerLength.trim()))
    throw new InvalidRequestError(
      `Inference-Header-Content-Length must be a whole number of bytes, got ${JSON.stringify(headerLength.slice(0, 40))}`,
    );
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
      throw new InvalidRequestError(
        `input '${name}' has binary_data_size ${size}, but only ${binary.length - offset} bytes of binary data are left in the body`,
      );
    }
    const chunk = binary.subarray(offset, offset + size);
    offset += size;
    return chunk;
  });
  if (offset !== binary.length) {
    throw new InvalidRequestError(
      `the body has ${binary.length - offset} bytes of binary data after the last tensor; binary_data_size must account for all of it`,
    );
  }
  return chunks;
}
