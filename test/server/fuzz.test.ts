/**
 * Property-based fuzzing of the three request decoders over real sockets, for the inputs no list of
 * cases thinks of: random v2 JSON bodies, binary-extension bodies and gRPC messages (typed, and raw bytes
 * no client would send) against a model with an input of every datatype. Whatever comes in, the
 * server answers with a result or one typed error (a 4xx with an `{"error"}` body, or the matching
 * gRPC code), never a 500, a crash or a hang, and its memory stays bounded.
 *
 * Runs FUZZ_RUNS cases per property (a few hundred in `npm test`; `npm run fuzz:server` runs more).
 */
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/index.ts';
import { DATATYPES } from '../../server/core/datatypes.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { tensorName, writeAllTypesModel } from './helpers/models.ts';
import { grpcClient, type GrpcClient } from './helpers/grpcClient.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const TIMEOUT_MS = 10_000;
let server: RunningServer;
let rawClient: grpc.Client;
let typedClient: GrpcClient;

beforeAll(async () => {
  const model = path.join(tempDir('tfjs-onnx-fuzz-'), 'types.onnx');
  writeAllTypesModel(model);
  server = await startServer({ modelPaths: [model], port: 0, grpcPort: 0, bodyLimit: 512 * 1024, maxTensorElements: 100_000 });
  rawClient = new grpc.Client(server.grpcAddress!, grpc.credentials.createInsecure());
  typedClient = grpcClient(server.grpcAddress!, { keepCase: true, longs: String, defaults: false, oneofs: true });
});
afterAll(async () => {
  rawClient?.close();
  typedClient?.close();
  await server?.close();
});

// ---- generators ------------------------------------------------------------------------------

const names = fc.constantFrom(...DATATYPES.map((datatype) => tensorName('in', datatype)), 'other', '', '__proto__');
const datatypeNames = fc.oneof(fc.constantFrom(...DATATYPES), fc.string({ maxLength: 6 }));
const dims = fc.oneof(fc.integer({ min: -2, max: 4 }), fc.constantFrom(2 ** 53, 1e300, 1e9, 1.5, -0), fc.string({ maxLength: 2 }));
const shapes = fc.oneof(fc.array(dims, { maxLength: 4 }), fc.constantFrom([1, 2], [2, 2], [3, 2]), fc.anything());
const element = fc.oneof(
  fc.integer({ min: -300, max: 70_000 }),
  fc.double(),
  fc.boolean(),
  fc.string({ maxLength: 4 }),
  fc.constant(null),
  fc.constant(2 ** 60),
);
const data = fc.oneof(
  fc.array(element, { maxLength: 8 }),
  fc.array(fc.array(element, { maxLength: 3 }), { maxLength: 3 }),
  fc.anything({ maxDepth: 3 }),
);
const parameters = fc.oneof(
  fc.constant(undefined),
  fc.record({ binary_data_size: fc.oneof(fc.integer({ min: -5, max: 64 }), fc.double(), fc.string()) }, { requiredKeys: [] }),
  fc.anything({ maxDepth: 1 }),
);
const input = fc.record(
  { name: names, datatype: datatypeNames, shape: shapes, data, parameters },
  { requiredKeys: ['name', 'datatype', 'shape'] },
);
const output = fc.record(
  {
    name: fc.constantFrom(...DATATYPES.map((datatype) => tensorName('out', datatype)), 'nope'),
    parameters: fc.oneof(
      fc.constant(undefined),
      fc.record(
        { classification: fc.oneof(fc.integer({ min: -1, max: 5 }), fc.string()), binary_data: fc.boolean() },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: ['name'] },
);
/** Elements a datatype takes in JSON, so some generated requests are valid and reach the model. */
const validElement: Record<string, fc.Arbitrary<unknown>> = {
  BOOL: fc.boolean(),
  UINT8: fc.integer({ min: 0, max: 255 }),
  UINT16: fc.integer({ min: 0, max: 65535 }),
  UINT32: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  UINT64: fc.integer({ min: 0, max: 2 ** 40 }),
  INT8: fc.integer({ min: -128, max: 127 }),
  INT16: fc.integer({ min: -32768, max: 32767 }),
  INT32: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  INT64: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  FP16: fc.integer({ min: -2048, max: 2048 }),
  FP32: fc.float({ noNaN: true, noDefaultInfinity: true }),
  FP64: fc.double({ noNaN: true, noDefaultInfinity: true }),
  BYTES: fc.string({ maxLength: 5 }),
};
/** A full, valid request for the all-types model with, sometimes, one input's field replaced by noise. */
const nearlyValid = fc
  .integer({ min: 1, max: 3 })
  .chain((rows) =>
    fc.tuple(
      fc.tuple(
        ...DATATYPES.map((datatype) =>
          fc
            .array(validElement[datatype], { minLength: rows * 2, maxLength: rows * 2 })
            .map((values) => ({ name: tensorName('in', datatype), datatype, shape: [rows, 2], data: values as unknown })),
        ),
      ),
      fc.option(
        fc.record({
          index: fc.integer({ min: 0, max: DATATYPES.length - 1 }),
          field: fc.constantFrom('name', 'datatype', 'shape', 'data'),
          value: fc.anything({ maxDepth: 2 }),
        }),
      ),
    ),
  )
  .map(([inputs, mutation]) => {
    if (mutation) (inputs[mutation.index] as Record<string, unknown>)[mutation.field] = mutation.value;
    return { inputs };
  });
const requestBody = fc.oneof(
  nearlyValid,
  fc.record(
    {
      id: fc.oneof(fc.string(), fc.integer()),
      inputs: fc.array(input, { maxLength: 14 }),
      outputs: fc.array(output, { maxLength: 3 }),
      parameters: fc.anything({ maxDepth: 1 }),
    },
    { requiredKeys: ['inputs'] },
  ),
  fc.anything({ maxDepth: 4 }),
);

// ---- properties ------------------------------------------------------------------------------

async function post(body: Uint8Array | string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const response = await fetch(`${server.url}/v2/models/types/infer`, {
    method: 'POST',
    headers,
    body: body as BodyInit,
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  return { status: response.status, text: await response.text() };
}

/** A result, or exactly one typed error: a 4xx whose body is `{"error": "<message>"}`. */
function expectResultOrTypedError(reply: { status: number; text: string }): void {
  if (reply.status === 200) return;
  expect(reply.status, reply.text).toBeGreaterThanOrEqual(400);
  expect(reply.status, reply.text).toBeLessThan(500);
  const body = JSON.parse(reply.text);
  expect(Object.keys(body)).toEqual(['error']);
  expect(typeof body.error).toBe('string');
}

describe('fuzzing the request decoders', () => {
  it('v2 JSON bodies', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requestBody, async (body) => {
        const text = JSON.stringify(body) ?? 'null';
        const reply = await post(text, { 'content-type': 'application/json' });
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        expectResultOrTypedError(reply);
      }),
      { numRuns: RUNS },
    );
    // The generators reach the model, not only the parsers' first checks.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
  });

  it('binary-extension bodies: any header length, header and tensor bytes', async () => {
    const binaryInput = fc.record({
      name: names,
      datatype: datatypeNames,
      shape: shapes,
      parameters: fc.record({ binary_data_size: fc.integer({ min: 0, max: 80 }) }),
    });
    const cases = fc.record({
      header: fc.oneof(
        fc.record({ inputs: fc.array(binaryInput, { maxLength: 14 }), outputs: fc.array(output, { maxLength: 3 }) }),
        fc.anything({ maxDepth: 3 }),
      ),
      tensorBytes: fc.uint8Array({ maxLength: 400 }),
      lengthSkew: fc.oneof(fc.constant(0), fc.integer({ min: -20, max: 20 }), fc.constantFrom(Number.MAX_SAFE_INTEGER, -1)),
      headerValue: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 5 })),
    });
    await fc.assert(
      fc.asyncProperty(cases, async ({ header, tensorBytes, lengthSkew, headerValue }) => {
        const json = Buffer.from(JSON.stringify(header) ?? 'null');
        const length = headerValue ?? String(json.length + lengthSkew);
        expectResultOrTypedError(await post(Buffer.concat([json, tensorBytes]), { 'inference-header-content-length': length }));
      }),
      { numRuns: RUNS },
    );
  });

  it('gRPC ModelInfer messages, typed', async () => {
    const contents = fc.record(
      {
        bool_contents: fc.array(fc.boolean(), { maxLength: 6 }),
        int_contents: fc.array(fc.integer(), { maxLength: 6 }),
        int64_contents: fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String), { maxLength: 6 }),
        uint_contents: fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { maxLength: 6 }),
        fp32_contents: fc.array(fc.float(), { maxLength: 6 }),
        bytes_contents: fc.array(
          fc.uint8Array({ maxLength: 4 }).map((bytes) => Buffer.from(bytes)),
          { maxLength: 6 },
        ),
      },
      { requiredKeys: [] },
    );
    const grpcInput = fc.record({
      name: names,
      datatype: datatypeNames,
      shape: fc.array(fc.oneof(fc.integer({ min: -2, max: 4 }), fc.constantFrom('9223372036854775807', '-9223372036854775808')), {
        maxLength: 4,
      }),
      contents,
    });
    const message = fc.record({
      model_name: fc.constantFrom('types', 'nope', ''),
      model_version: fc.constantFrom('', '1', '2', 'x'),
      inputs: fc.array(grpcInput, { maxLength: 14 }),
      outputs: fc.array(
        fc.record({
          name: fc.constantFrom('out_fp32', 'out_bytes', 'nope'),
          parameters: fc.constant({ classification: { int64_param: '2' } }),
        }),
        { maxLength: 2 },
      ),
      raw_input_contents: fc.oneof(
        fc.constant([]),
        fc.array(
          fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
          { maxLength: 14 },
        ),
      ),
    });
    const allowed = new Set([grpc.status.OK, grpc.status.INVALID_ARGUMENT, grpc.status.NOT_FOUND, grpc.status.RESOURCE_EXHAUSTED]);
    await fc.assert(
      fc.asyncProperty(message, async (request) => {
        const code = await new Promise<number>((resolve) =>
          typedClient.ModelInfer(request, { deadline: Date.now() + TIMEOUT_MS }, (error: grpc.ServiceError | null) =>
            resolve(error ? error.code : grpc.status.OK),
          ),
        );
        expect(allowed.has(code), `code ${code}`).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('gRPC messages of arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (bytes) => {
        const error = await new Promise<grpc.ServiceError | null>((resolve) =>
          rawClient.makeUnaryRequest(
            '/inference.GRPCInferenceService/ModelInfer',
            (value: Buffer) => value,
            (value: Buffer) => value,
            Buffer.from(bytes),
            { deadline: Date.now() + TIMEOUT_MS },
            (failure) => resolve(failure),
          ),
        );
        if (error === null) return;
        // grpc-js itself answers INTERNAL for bytes that are no protobuf message at all; anything else is ours and typed.
        if (error.code === grpc.status.INTERNAL) expect(error.details).toMatch(/^Error deserializing request/);
        else expect([grpc.status.INVALID_ARGUMENT, grpc.status.NOT_FOUND, grpc.status.RESOURCE_EXHAUSTED]).toContain(error.code);
      }),
      { numRuns: RUNS },
    );
  });

  it('leaves the server live, its memory bounded', async () => {
    expect((await fetch(`${server.url}/v2/health/live`)).status).toBe(200);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    // No request above could make the server hold more than a few bodies at once.
    expect(Number(/process_resident_memory_bytes (\d+)/.exec(metrics)?.[1])).toBeLessThan(2 * 1024 ** 3);
    const errors = /tfjs_onnx_http_requests_total\{[^}]*status="5\d\d"[^}]*\} (\d+)/.exec(metrics);
    expect(errors).toBeNull();
  });
});
