/**
 * The shared_memory_region / shared_memory_offset / shared_memory_byte_size parameters by which a
 * request places a tensor in a registered region instead of its message, checked the same way for
 * HTTP and gRPC before any region is looked at.
 */
import { InvalidRequestError } from '../errors.ts';

/** A tensor's place in a region: what the shared_memory_* parameters say, checked. */
export interface SharedMemoryRef {
  region: string;
  offset: number;
  byteSize: number;
}

/** The shared_memory_* parameters as a request gives them (any JSON or gRPC value), before checking. */
export interface SharedMemoryParameters {
  region?: unknown;
  offset?: unknown;
  byteSize?: unknown;
}

/**
 * The shared_memory_* parameters of one tensor, checked: a region name (a string) with a byte size,
 * and an optional offset, each a whole number of bytes ≥ 0. Numbers too large to be exact are kept:
 * they pass the end of every region, which the lease then reports.
 */
export function checkSharedMemoryParameters(tensor: string, parameters: SharedMemoryParameters): SharedMemoryRef {
  const { region, offset, byteSize } = parameters;
  if (region === undefined && (offset !== undefined || byteSize !== undefined)) {
    const given = offset !== undefined ? 'shared_memory_offset' : 'shared_memory_byte_size';
    throw new InvalidRequestError(`'${given}' can not be specified without 'shared_memory_region' parameter for ${tensor}`);
  }
  if (typeof region !== 'string' || region === '')
    throw new InvalidRequestError(`'shared_memory_region' of ${tensor} must be a region name (a string), got ${describe(region)}`);
  if (byteSize === undefined)
    throw new InvalidRequestError(`'shared_memory_byte_size' must be specified along with 'shared_memory_region' parameter for ${tensor}`);
  return {
    region,
    offset: wholeBytes(offset ?? 0, `'shared_memory_offset' of ${tensor}`),
    byteSize: wholeBytes(byteSize, `'shared_memory_byte_size' of ${tensor}`),
  };
}

/** A byte count or offset as a request gives it (a registration's too), checked to be a whole number ≥ 0. */
export function wholeBytes(value: unknown, what: string): number {
  // Integers past 2^53 arrive exact, as bigints (Triton's uint64s): as numbers they lie past every region, which the lease reports.
  if (typeof value === 'bigint' && value >= 0n) return Number(value);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new InvalidRequestError(`${what} must be a whole number of bytes ≥ 0, got ${describe(value)}`);
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  if (typeof value === 'bigint') return String(value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'a list' : 'an object';
}
