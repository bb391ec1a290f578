/**
 * What a request may carry, over real sockets: Triton's JSON (NaN, ±Infinity, INT64/UINT64
 * extremes) both ways, size-0 dimensions, a model without inputs, and the reserved request
 * parameters (timeout as a queue timeout, sequence and priority as Triton treats a model without
 * a sequence batcher or priority levels).
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../server/index.ts';
import { tempDir } from '../../helpers/tempDir.ts';
import { getJson, postJson } from '../helpers/client.ts';
import { call, callError, grpcClient, type GrpcClient } from '../helpers/grpcClient.ts';
import { withOtherInputs, withOtherInputsObject, writeProtocolModels } from '../helpers/models.ts';

/** Replies read with 64-bit integers as strings and enums by name, defaults filled in. */
const LOADER = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

let typesPath: string;
let server: RunningServer;
let client: GrpcClient;

beforeAll(async () => {
  const models = writeProtocolModels(tempDir('tfjs-onnx-requests-'));
  typesPath = models.types;
  server = await startServer({ modelPaths: [models.types, models.constant], port: 0, grpcPort: 0, maxDelayMs: 0 });
  client = grpcClient(server.grpcAddress!, LOADER);
});
afterAll(async () => {
  client?.close();
  await server?.close();
});

describe("Triton's JSON, shapes and inputs", () => {
  it('round-trips NaN, ±Infinity, 2^63−1 and 2^64−1 exactly', async () => {
    const body = `{"inputs":[
      {"name":"in_fp32","shape":[1,2],"datatype":"FP32","data":[NaN,-Infinity]},
      {"name":"in_fp64","shape":[1,2],"datatype":"FP64","data":[Infinity,-0.5]},
      {"name":"in_uint64","shape":[1,2],"datatype":"UINT64","data":[18446744073709551615,9007199254740993]},
      {"name":"in_int64","shape":[1,2],"datatype":"INT64","data":[4611686018427387903,-4611686018427387904]},
      {"name":"in_fp16","shape":[1,2],"datatype":"FP16","data":[NaN,Infinity]}],
      "outputs":[{"name":"out_fp32"},{"name":"out_fp64"},{"name":"out_uint64"},{"name":"out_int64"},{"name":"out_fp16"}]}`;
    const all = await fetch(`${server.url}/v2/models/types/infer`, { method: 'POST', body: withOtherInputs(body) });
    const reply = await all.text();
    expect(all.status, reply).toBe(200);
    expect(reply).toContain('"name":"out_fp32","datatype":"FP32","shape":[1,2],"data":[NaN,-Infinity]');
    expect(reply).toContain('"name":"out_fp64","datatype":"FP64","shape":[1,2],"data":[Infinity,-1]');
    expect(reply).toContain('"data":[18446744073709551615,9007199254740993]');
    expect(reply).toContain('"data":[9223372036854775806,-9223372036854775808]');
    expect(reply).toContain('"name":"out_fp16","datatype":"FP16","shape":[1,2],"data":[NaN,Infinity]');
  });

  it('takes size-0 variable dimensions and calls a model without inputs', async () => {
    const empty = await postJson(`${server.url}/v2/models/types/infer`, withOtherInputsObject({ in_fp32: { shape: [0, 2], data: [] } }, 0));
    expect(empty.status, JSON.stringify(empty.body)).toBe(200);
    expect(empty.body.outputs.find((output: { name: string }) => output.name === 'out_fp32')).toEqual({
      name: 'out_fp32',
      datatype: 'FP32',
      shape: [0, 2],
      data: [],
    });
    const constant = await fetch(`${server.url}/v2/models/constant/infer`, { method: 'POST', body: '{"inputs":[]}' });
    // The id is the one the server makes for a request without one (a UUID).
    expect(await constant.text()).toMatch(
      /^\{"model_name":"constant","model_version":"1","id":"[0-9a-f-]{36}","outputs":\[\{"name":"constant","datatype":"FP32","shape":\[4\],"data":\[NaN,Infinity,-Infinity,1\.5\]\}\]\}$/,
    );
  });
});

describe('reserved request parameters', () => {
  it('accepts sequence and priority parameters as Triton does for this model, and refuses wrong types', async () => {
    const request = (parameters: object) => ({ ...withOtherInputsObject({}, 0), parameters });
    for (const parameters of [
      { sequence_id: 42, sequence_start: true, sequence_end: false },
      { sequence_id: 'abc' },
      { priority: 3 },
      { timeout: 5_000_000 },
      { my_custom: 'x' },
    ]) {
      const reply = await postJson(`${server.url}/v2/models/types/infer`, request(parameters));
      expect(reply.status, JSON.stringify([parameters, reply.body])).toBe(200);
    }
    for (const [parameters, pattern] of [
      [{ priority: -1 }, /'priority' is -1; it must be a whole number from 0 to 2\^64-1/],
      [{ timeout: 'soon' }, /'timeout' is "soon"/],
      [{ sequence_start: 1 }, /'sequence_start' is 1; it must be true or false/],
      [{ binary_data_output: 'yes' }, /binary_data_output is "yes"; it must be true or false/],
    ] as const) {
      const reply = await postJson(`${server.url}/v2/models/types/infer`, request(parameters));
      expect(reply.status).toBe(400);
      expect(reply.body.error).toMatch(pattern);
    }
    const grpcRefused = await callError(client, 'ModelInfer', {
      model_name: 'constant',
      inputs: [],
      parameters: { priority: { string_param: 'high' } },
    });
    expect(grpcRefused.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(
      (
        await call(client, 'ModelInfer', {
          model_name: 'constant',
          inputs: [],
          parameters: { sequence_id: { uint64_param: '18446744073709551615' } },
        })
      ).outputs[0].name,
    ).toBe('constant');
  });

  it('refuses a request still queued when its timeout expires (503 / UNAVAILABLE), as Triton’s queue policy does', async () => {
    const slow = await startServer({ modelPaths: [typesPath], port: 0, grpcPort: 0, maxDelayMs: 1000 });
    const slowClient = grpcClient(slow.grpcAddress!, LOADER);
    try {
      const body = (timeout: number) => ({ ...withOtherInputsObject({}, 0), parameters: { timeout } });
      const started = Date.now();
      const [expired, patient] = await Promise.all([
        postJson(`${slow.url}/v2/models/types/infer`, body(1000)),
        postJson(`${slow.url}/v2/models/types/infer`, body(10_000_000)),
      ]);
      expect(expired.status).toBe(503);
      expect(expired.body.error).toMatch(/Request timeout expired/);
      expect(patient.status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      const refused = await callError(slowClient, 'ModelInfer', {
        model_name: 'types',
        inputs: [],
        parameters: { timeout: { int64_param: '1000' } },
      });
      // The model needs inputs: refused before queueing, with the input error.
      expect(refused.code).toBe(grpc.status.INVALID_ARGUMENT);
      const stats = (await getJson(`${slow.url}/v2/models/types/stats`)).body.model_stats[0].inference_stats;
      expect(stats.fail.count).toBeGreaterThanOrEqual(1);
    } finally {
      slowClient.close();
      await slow.close();
    }
  });
});
