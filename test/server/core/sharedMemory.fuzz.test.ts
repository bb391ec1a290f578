/**
 * Property-based fuzzing of the shared-memory parameters over real sockets: random region names,
 * offsets and byte sizes (negative, fractional, past 2^53, strings, missing) on inputs and outputs,
 * sent over HTTP JSON and gRPC, and random register calls. Whatever comes in, the server answers
 * with a result or one typed error, never a 500; a refused request leaves the shared-memory object
 * exactly as it was; a served one changes only the bytes of the windows its outputs named, inside
 * the region; and a registration succeeds exactly when key, offset and size are valid.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../server/index.ts';
import { parseExactJson } from '../../../server/http/json.ts';
import { fuzzParameters, fuzzTestTimeoutMs } from '../../helpers/fuzz.ts';
import { tempDir } from '../../helpers/tempDir.ts';
import { writeAllTypesModel } from '../helpers/models.ts';
import { grpcClient, type GrpcClient } from '../helpers/grpcClient.ts';

const NAME = `tfjs_onnx_fuzz_${process.pid}`;
const FILE = path.join('/dev/shm', NAME);
/** The object: 256 bytes of a pattern; region 'r' is bytes 64–191 of it. */
const SENTINEL = Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 7 + 3) & 0xff));
const REGION = { offset: 64, byteSize: 128 };
const TIMEOUT_MS = 10_000;
let server: RunningServer;
let client: GrpcClient;

beforeAll(async () => {
  const model = path.join(tempDir('tfjs-onnx-shm-fuzz-'), 'm.onnx');
  writeAllTypesModel(model, { datatypes: ['FP32', 'INT64', 'BYTES'] });
  server = await startServer({ modelPaths: [model], port: 0, grpcPort: 0, allowClientShm: true, maxShmRegions: 4, bodyLimit: 64 * 1024 });
  client = grpcClient(server.grpcAddress!, { keepCase: true, longs: String, defaults: false, oneofs: true });
  fs.writeFileSync(FILE, SENTINEL);
});
afterAll(async () => {
  client?.close();
  await server?.close();
  fs.rmSync(FILE, { force: true });
});

async function postJson(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(server.url + url, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(TIMEOUT_MS) });
  // Triton's JSON: an output can hold the literals NaN and ±Infinity, which JSON.parse refuses.
  return { status: response.status, body: parseExactJson(await response.text()) };
}

function grpcCall(method: string, request: object): Promise<grpc.ServiceError | null> {
  return new Promise((resolve) =>
    client[method](request, { deadline: Date.now() + TIMEOUT_MS }, (error: grpc.ServiceError | null) => resolve(error)),
  );
}

/** A result, or exactly one typed error: a 4xx whose body is `{"error": "<message>"}`. */
function expectResultOrTypedError(reply: { status: number; body: any }): void {
  if (reply.status === 200) return;
  expect(reply.status, JSON.stringify(reply.body)).toBeGreaterThanOrEqual(400);
  expect(reply.status, JSON.stringify(reply.body)).toBeLessThan(500);
  expect(Object.keys(reply.body)).toEqual(['error']);
}

const GRPC_REFUSALS = new Set([
  grpc.status.INVALID_ARGUMENT,
  grpc.status.NOT_FOUND,
  grpc.status.RESOURCE_EXHAUSTED,
  grpc.status.ALREADY_EXISTS,
]);

// ---- generators ------------------------------------------------------------------------------

const byteCount = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 140 }) },
  fc.constantFrom(-1, -8, 1.5, 2 ** 53, 2 ** 64 - 32, 1e300),
  fc.string({ maxLength: 3 }),
  fc.constant(undefined),
);
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
      parameters: fc
        .integer({ min: 0, max: 120 })
        .map((offset) => ({
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

function httpBody({ rows, sources, outputs }: Request) {
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
function grpcRequest(body: ReturnType<typeof httpBody>) {
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
    inputs: body.inputs.map((input: any) => ({
      name: input.name,
      datatype: input.datatype,
      shape: input.shape,
      parameters: parameters(input.parameters),
      ...(input.data ? { contents: contents(input.datatype, input.data) } : {}),
    })),
    ...(body.outputs
      ? { outputs: body.outputs.map((output: any) => ({ name: output.name, parameters: parameters(output.parameters) })) }
      : {}),
  };
}

/** The byte windows of the object that a served request may have written: its shared-memory outputs. */
function writableWindows(body: ReturnType<typeof httpBody>): [number, number][] {
  return (body.outputs ?? []).flatMap((output: any) => {
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

  it(
    'registration: succeeds exactly when the key names one object under /dev/shm and the window fits it',
    async () => {
      const key = fc.oneof(
        fc.constantFrom(
          `/${NAME}`,
          NAME,
          `///${NAME}`,
          `/${NAME}/x`,
          `/../${NAME}`,
          `/${NAME}_missing`,
          '/',
          '',
          '/..',
          '/.',
          '/triton_python_backend_shm_region_a',
          `/../../dev/shm/${NAME}`,
        ),
        fc.string({ maxLength: 6 }),
        fc.anything({ maxDepth: 0 }),
      );
      const registration = fc.record({
        name: fc.oneof(fc.constantFrom('a', 'b', ''), fc.string({ maxLength: 4 })),
        key,
        offset: byteCount,
        byteSize: byteCount,
        protocol: fc.constantFrom('http', 'grpc'),
      });
      const validKeys = new Set([`/${NAME}`, NAME, `///${NAME}`]);
      const whole = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 0;
      await fc.assert(
        fc.asyncProperty(registration, async ({ name, key: given, offset, byteSize, protocol }) => {
          let ok: boolean;
          if (protocol === 'http') {
            const reply = await postJson(`/v2/systemsharedmemory/region/${encodeURIComponent(name)}/register`, {
              key: given,
              offset,
              byte_size: byteSize,
            });
            expectResultOrTypedError(reply);
            ok = reply.status === 200;
          } else {
            const error = await grpcCall('SystemSharedMemoryRegister', {
              name,
              key: typeof given === 'string' ? given : '',
              offset: whole(offset) && (offset as number) < 2 ** 63 ? String(offset) : '0',
              byte_size: whole(byteSize) && (byteSize as number) < 2 ** 63 ? String(byteSize) : '0',
            });
            if (error) expect(GRPC_REFUSALS.has(error.code), `${error.code} ${error.details}`).toBe(true);
            ok = error === null;
            // gRPC carries only uint64s: what the oracle sees is what was sent.
            offset = whole(offset) && (offset as number) < 2 ** 63 ? Number(BigInt(offset as number)) : 0;
            byteSize = whole(byteSize) && (byteSize as number) < 2 ** 63 ? Number(BigInt(byteSize as number)) : 0;
            given = typeof given === 'string' ? given : '';
          }
          const start = offset ?? 0;
          const expected =
            name !== '' &&
            typeof given === 'string' &&
            validKeys.has(given) &&
            whole(start) &&
            whole(byteSize) &&
            (byteSize as number) >= 1 &&
            (start as number) + (byteSize as number) <= SENTINEL.length;
          expect(ok, JSON.stringify({ name, given, offset, byteSize })).toBe(expected);
          if (ok) await postJson('/v2/systemsharedmemory/unregister', {});
        }),
        fuzzParameters(),
      );
    },
    fuzzTestTimeoutMs(),
  );
});
