/**
 * Property-based fuzzing of inference through shared memory over real sockets: random region
 * names, offsets and byte sizes (negative, fractional, past 2^53, strings, missing) on inputs and
 * outputs, sent over HTTP JSON and gRPC. Whatever comes in, the server answers with a result or one
 * typed error, never a 500; a refused request leaves the shared-memory object exactly as it was;
 * a served one changes only the bytes of the windows its outputs named, inside the region.
 */
import fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzParameters, fuzzTestTimeoutMs } from '../../helpers/fuzz.ts';
import { byteCount, expectResultOrTypedError, GRPC_REFUSALS, REGION, SENTINEL, useShmFuzzServer } from '../helpers/sharedMemoryFuzz.ts';

const { name: NAME, file: FILE, postJson, grpcCall } = useShmFuzzServer('inference');

// ---- generators ------------------------------------------------------------------------------

const regionName = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('r', 'nope', '') }, fc.anything({ maxDepth: 0 }));
const shmParameters = fc.record(
  { shared_memory_region: regionName, shared_memory_offset: byteCount, shared_memory_byte_size: byteCount },
  { requiredKeys: [] },
);

const TENSORS = [
  { name: 'fp32', datatype: 'FP32', size: 4 },
  { name: 'int64', datatype: 'INT64', size: 8 },
  { name: 'bytes', datatype: 'BYTES', size: 0 },
] as const;

/** Per input: its JSON data, or shared-memory parameters that are often exactly right (region r, a fitting offset, the true size). */
const inputSource = (rows: number, size: number) =>
  fc.oneof(
    fc.constant({ kind: 'data' as const }),
    fc.record({ kind: fc.constant('shm' as const), parameters: shmParameters }),
    fc.record({
      kind: fc.constant('shm' as const),
      parameters: fc.integer({ min: 0, max: 120 }).map((offset) => ({
        shared_memory_region: 'r',
        shared_memory_offset: offset,
        shared_memory_byte_size: size === 0 ? 8 : rows * 2 * size,
      })),
    }),
  );
const outputChoice = fc.record({
  name: fc.constantFrom('out_fp32', 'out_int64', 'out_bytes', 'nope'),
  parameters: fc.oneof(
    fc.constant(undefined),
    shmParameters,
    fc
      .integer({ min: 0, max: 120 })
      .map((offset) => ({ shared_memory_region: 'r', shared_memory_offset: offset, shared_memory_byte_size: 32 })),
    shmParameters.map((parameters) => ({ ...parameters, classification: 2 })),
    shmParameters.map((parameters) => ({ ...parameters, binary_data: true })),
  ),
});
const request = fc.integer({ min: 1, max: 2 }).chain((rows) =>
  fc.record({
    rows: fc.constant(rows),
    sources: fc.tuple(...TENSORS.map((tensor) => inputSource(rows, tensor.size))),
    outputs: fc.option(fc.array(outputChoice, { maxLength: 3 }), { nil: undefined }),
    protocol: fc.constantFrom('http', 'grpc'),
  }),
);

type Request = typeof request extends fc.Arbitrary<infer T> ? T : never;

/** An input of the HTTP request: its data, or shared-memory parameters. */
interface HttpInput {
  name: string;
  datatype: string;
  shape: number[];
  data?: unknown[];
  parameters?: Record<string, unknown>;
}

interface HttpOutput {
  name: string;
  parameters?: Record<string, unknown>;
}

function httpBody({ rows, sources, outputs }: Request): { inputs: HttpInput[]; outputs?: HttpOutput[] } {
  const data = {
    fp32: Array.from({ length: rows * 2 }, (_, i) => i / 2),
    int64: Array.from({ length: rows * 2 }, (_, i) => i - 1),
    bytes: Array.from({ length: rows * 2 }, (_, i) => `s${i}`),
  };
  return {
    inputs: TENSORS.map((tensor, index) => {
      const source = sources[index];
      const base = { name: `in_${tensor.name}`, datatype: tensor.datatype, shape: [rows, 2] };
      return source.kind === 'data' ? { ...base, data: data[tensor.name] } : { ...base, parameters: source.parameters };
    }),
    ...(outputs ? { outputs } : {}),
  };
}

/** The same request as gRPC: InferParameters by JSON type, contents for data. */
function grpcRequest(body: { inputs: HttpInput[]; outputs?: HttpOutput[] }) {
  const parameter = (value: unknown) => {
    if (typeof value === 'string') return { string_param: value };
    if (typeof value === 'boolean') return { bool_param: value };
    if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < 2 ** 63) return { int64_param: BigInt(value).toString() };
    if (typeof value === 'number') return { double_param: value };
    return undefined;
  };
  const parameters = (given: Record<string, unknown> | undefined) =>
    given && Object.fromEntries(Object.entries(given).flatMap(([key, value]) => (parameter(value) ? [[key, parameter(value)]] : [])));
  const contents = (datatype: string, data: unknown[]) =>
    datatype === 'FP32'
      ? { fp32_contents: data }
      : datatype === 'INT64'
        ? { int64_contents: data.map(String) }
        : { bytes_contents: data.map((text) => Buffer.from(String(text))) };
  return {
    model_name: 'm',
    inputs: body.inputs.map((input) => ({
      name: input.name,
      datatype: input.datatype,
      shape: input.shape,
      parameters: parameters(input.parameters),
      ...(input.data ? { contents: contents(input.datatype, input.data) } : {}),
    })),
    ...(body.outputs ? { outputs: body.outputs.map((output) => ({ name: output.name, parameters: parameters(output.parameters) })) } : {}),
  };
}

/** The byte windows of the object that a served request may have written: its shared-memory outputs. */
function writableWindows(body: { inputs: HttpInput[]; outputs?: HttpOutput[] }): [number, number][] {
  return (body.outputs ?? []).flatMap((output) => {
    const { shared_memory_region: region, shared_memory_offset: offset = 0, shared_memory_byte_size: size } = output.parameters ?? {};
    return region === 'r' && typeof offset === 'number' && typeof size === 'number'
      ? [[REGION.offset + offset, REGION.offset + offset + size] as [number, number]]
      : [];
  });
}

// ---- properties ------------------------------------------------------------------------------

describe('fuzzing the shared-memory parameters', () => {
  it(
    'inference: a result or a typed error, and only the windows the outputs named ever change',
    async () => {
      expect(
        (await postJson('/v2/systemsharedmemory/region/r/register', { key: `/${NAME}`, offset: REGION.offset, byte_size: REGION.byteSize }))
          .status,
      ).toBe(200);
      let served = 0;
      await fc.assert(
        fc.asyncProperty(request, async (generated) => {
          fs.writeFileSync(FILE, SENTINEL);
          const body = httpBody(generated);
          let ok: boolean;
          if (generated.protocol === 'http') {
            const reply = await postJson('/v2/models/m/infer', body);
            expectResultOrTypedError(reply);
            ok = reply.status === 200;
          } else {
            const error = await grpcCall('ModelInfer', grpcRequest(body));
            if (error) expect(GRPC_REFUSALS.has(error.code), `${error.code} ${error.details}`).toBe(true);
            ok = error === null;
          }
          const after = fs.readFileSync(FILE);
          expect(after.length).toBe(SENTINEL.length);
          const windows = ok ? writableWindows(body) : [];
          for (let i = 0; i < after.length; i++) {
            if (after[i] !== SENTINEL[i])
              expect(
                windows.some(([start, end]) => i >= start && i < end),
                `byte ${i} changed outside the outputs' windows`,
              ).toBe(true);
          }
          if (ok) served++;
        }),
        fuzzParameters(),
      );
      // The generators reach the model, not only the parameter checks.
      expect(served).toBeGreaterThan(0);
      await postJson('/v2/systemsharedmemory/unregister', {});
    },
    fuzzTestTimeoutMs(),
  );
});
