/**
 * The request-level parameters Triton reserves (the parameters, schedule_policy and sequence
 * extensions), read once for every protocol, with Triton's types and Triton's treatment of a model
 * like ours — a dynamic batcher without priority levels and without a sequence batcher:
 *
 *   timeout         uint64 µs: the longest the request may wait in the model's queue; past it the
 *                   request is refused with "Request timeout expired" (503 / UNAVAILABLE), as
 *                   Triton's queue policy does (REJECT)
 *   priority        uint64: accepted; with no priority levels every request has the default level
 *                   (Triton maps any priority outside 1..priority_levels to the default)
 *   sequence_id     uint64 or string; sequence_start, sequence_end: bool. Accepted and without
 *                   effect: Triton passes them to a model without a sequence batcher, which runs
 *                   each request on its own
 *
 * A reserved parameter of the wrong type is refused (Triton: "Unable to parse '<name>'"). Other
 * parameters are custom ones for the model (parameters extension); an ONNX model has no use for
 * them, as under Triton's onnxruntime backend.
 */
import { InvalidRequestError } from '../errors.ts';

export interface SchedulingParameters {
  /** Queue timeout in microseconds; undefined or 0: none. */
  timeoutUs?: number;
  priority?: bigint;
  sequenceId?: bigint | string;
  sequenceStart?: boolean;
  sequenceEnd?: boolean;
}

/** Reads and checks the reserved parameters of a request (`parameters` as the front end decoded it). */
export function readSchedulingParameters(parameters: Record<string, unknown> | undefined): SchedulingParameters {
  if (parameters === undefined) return {};
  const result: SchedulingParameters = {};
  if ('timeout' in parameters) result.timeoutUs = Number(unsigned(parameters.timeout, 'timeout', 'microseconds'));
  if ('priority' in parameters) result.priority = unsigned(parameters.priority, 'priority', 'a priority level');
  if ('sequence_id' in parameters) {
    const id = parameters.sequence_id;
    result.sequenceId = typeof id === 'string' ? id : unsigned(id, 'sequence_id', 'a sequence id, or a string');
  }
  if ('sequence_start' in parameters) result.sequenceStart = boolean(parameters.sequence_start, 'sequence_start');
  if ('sequence_end' in parameters) result.sequenceEnd = boolean(parameters.sequence_end, 'sequence_end');
  return result;
}

const UINT64_MAX = 2n ** 64n - 1n;

function unsigned(value: unknown, name: string, meaning: string): bigint {
  const exact = typeof value === 'bigint' ? value : typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : undefined;
  if (exact === undefined || exact < 0n || exact > UINT64_MAX) {
    throw new InvalidRequestError(`request parameter '${name}' is ${show(value)}; it must be a whole number from 0 to 2^64-1 (${meaning})`);
  }
  return exact;
}

function boolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw new InvalidRequestError(`request parameter '${name}' is ${show(value)}; it must be true or false`);
  return value;
}

function show(value: unknown): string {
  if (typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? String(value);
}
