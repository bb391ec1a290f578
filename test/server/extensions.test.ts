/**
 * The Triton protocol extensions over real sockets: model configuration (HTTP and gRPC, the config
 * in force with and without config.pbtxt), ModelStreamInfer with good and bad requests mixed,
 * grpc.health.v1.Health tied to readiness and shutdown, the logging extension, trace refused by
 * name, Triton's JSON (NaN, ±Infinity, INT64/UINT64 extremes) both ways, size-0 dimensions, a model
 * without inputs, the reserved request parameters (timeout as a queue timeout, sequence and
 * priority as Triton treats a model without a sequence batcher or priority levels), and loads with
 * config and file overrides, applied and refused, with no server path in any message.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/index.ts';
import { PROTO_PATH } from '../../server/grpc/service.ts';
import { exportTriton } from '../../server/triton.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { getJson, postJson } from './client.ts';
import { writeAllTypesModel, writeConstantModel } from './models.ts';

type Client = grpc.Client & Record<string, Function>;
let directory: string;
let typesPath: string;
let server: RunningServer;
let client: Client;

function grpcClient(address: string, service = 'inference.GRPCInferenceService', proto = PROTO_PATH): Client {
  const definition = protoLoader.loadSync(proto, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const Service = service.split('.').reduce((object: any, key) => object[key], grpc.loadPackageDefinition(definition)) as grpc.ServiceClientConstructor;
  return new Service(address, grpc.credentials.createInsecure()) as Client;
}

function call<T = any>(target: Client, method: string, request: object): Promise<T> {
  return new Promise((resolve, reject) => target[method](request, (error: grpc.ServiceError | null, response: T) => (error ? reject(error) : resolve(response))));
}

async function callError(target: Client, method: string, request: object): Promise<grpc.ServiceError> {
  return call(target, method, request).then(
    () => {
      throw new Error(`${method} succeeded but should have failed`);
    },
    (error: grpc.ServiceError) => error,
  );
}

beforeAll(async () => {
  directory = tempDir('tfjs-onnx-extensions-');
  typesPath = path.join(directory, 'types.onnx');
  writeAllTypesModel(typesPath);
  const constant = path.join(directory, 'constant.onnx');
  writeConstantModel(constant);
  const doubler = path.join(directory, 'doubler.onnx');
  writeAllTypesModel(doubler, { datatypes: ['FP32'] });
  server = await startServer({ modelPaths: [typesPath, constant, doubler], port: 0, grpcPort: 0, maxDelayMs: 0 });
  client = grpcClient(server.grpcAddress!);
});
afterAll(async () => {
  client?.close();
  await server?.close();
});

describe('model configuration extension', () => {
  it('answers the config in force over HTTP and gRPC alike, derived from the ONNX graph without config.pbtxt', async () => {
    const http = await getJson(`${server.url}/v2/models/types/config`);
    expect(http.status).toBe(200);
    expect(http.body).toMatchObject({
      name: 'types',
      platform: 'onnxruntime_onnx',
      backend: 'onnxruntime',
      max_batch_size: 0,
      version_policy: { latest: { num_versions: 1 } },
      dynamic_batching: { max_queue_delay_microseconds: 0, preferred_batch_size: [] },
      instance_group: [{ name: 'types', kind: 'KIND_CPU', count: 1 }],
      default_model_filename: 'model.onnx',
    });
    expect(http.body.input).toContainEqual({ name: 'in_int64', data_type: 'TYPE_INT64', format: 'FORMAT_NONE', dims: [-1, 2], is_shape_tensor: false, allow_ragged_batch: false, optional: false, is_non_linear_format_io: false });
    expect(http.body.output).toContainEqual({ name: 'out_bytes', data_type: 'TYPE_STRING', dims: [-1, 2], label_filename: '', is_shape_tensor: false, is_non_linear_format_io: false });
    expect((await getJson(`${server.url}/v2/models/types/versions/1/config`)).body).toEqual(http.body);
    const { config } = await call(client, 'ModelConfig', { name: 'types' });
    expect(config.name).toBe('types');
    expect(config.max_batch_size).toBe(0);
    expect(config.instance_group[0]).toMatchObject({ kind: 'KIND_CPU', count: 1 });
    expect(config.input.find((tensor: { name: string }) => tensor.name === 'in_int64')).toMatchObject({ data_type: 'TYPE_INT64', dims: ['-1', '2'] });
    expect(config.scheduling_choice).toBe('dynamic_batching');
    const constant = await getJson(`${server.url}/v2/models/constant/config`);
    expect(constant.body).toMatchObject({ input: [], output: [{ name: 'constant', dims: [4] }] });
    expect(constant.body.dynamic_batching).toBeUndefined();
    expect((await getJson(`${server.url}/v2/models/nope/config`)).status).toBe(404);
    expect((await callError(client, 'ModelConfig', { name: 'nope' })).code).toBe(grpc.status.NOT_FOUND);
  });

  it('reports a repository model as its config.pbtxt has it', async () => {
    const repository = path.join(directory, 'config-repository');
    await exportTriton(typesPath, repository, { name: 'typed', maxBatchSize: 8, maxQueueDelayMicroseconds: 250 });
    const served = await startServer({ modelRepository: repository, port: 0, grpcPort: false });
    try {
      const { body } = await getJson(`${served.url}/v2/models/typed/config`);
      expect(body).toMatchObject({ name: 'typed', max_batch_size: 8, dynamic_batching: { max_queue_delay_microseconds: 250 } });
      expect(body.input.find((tensor: { name: string }) => tensor.name === 'in_fp32').dims).toEqual([2]);
    } finally {
      await served.close();
    }
  });
});

describe('ModelStreamInfer', () => {
  it('answers every request on the stream, errors in-stream without closing it, ids echoed, counted in statistics', async () => {
    const before = (await getJson(`${server.url}/v2/models/doubler/stats`)).body.model_stats[0].inference_stats;
    const stream = client.ModelStreamInfer() as grpc.ClientDuplexStream<object, any>;
    const replies: any[] = [];
    const done = new Promise<void>((resolve, reject) => {
      stream.on('data', (reply: unknown) => replies.push(reply));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    const good = (id: string, value: number) => ({ model_name: 'doubler', id, inputs: [{ name: 'in_fp32', datatype: 'FP32', shape: ['1', '2'], contents: { fp32_contents: [value, value + 1] } }], outputs: [{ name: 'out_fp32' }] });
    stream.write(good('a', 1));
    stream.write({ model_name: 'nope', id: 'b', inputs: [] });
    stream.write(good('c', 10));
    stream.write({ model_name: 'doubler', id: 'd', inputs: [{ name: 'in_fp32', datatype: 'FP32', shape: ['1', '2'], contents: { fp32_contents: [1] } }] });
    stream.write(good('e', 100));
    stream.end();
    await done;
    expect(replies).toHaveLength(5);
    const byId = new Map(replies.map((reply) => [reply.infer_response.id, reply]));
    for (const [id, value] of [['a', 1], ['c', 10], ['e', 100]] as const) {
      const reply = byId.get(id);
      expect(reply.error_message).toBe('');
      const raw = reply.infer_response.raw_output_contents[0] as Buffer;
      expect([raw.readFloatLE(0), raw.readFloatLE(4)]).toEqual([2 * value, 2 * (value + 1)]);
    }
    expect(byId.get('b').error_message).toMatch(/model 'nope' is not served here/);
    expect(byId.get('d').error_message).toMatch(/fp32_contents has 1 elements but its shape \[1, 2\] holds 2/);
    const after = (await getJson(`${server.url}/v2/models/doubler/stats`)).body.model_stats[0].inference_stats;
    expect(after.success.count - before.success.count).toBe(3);
    expect(after.fail.count - before.fail.count).toBe(1);
  });
});

describe('an idle ModelStreamInfer stream', () => {
  it('stays open past the stall guard: a stream may rightly wait between its requests', async () => {
    const doubler = path.join(directory, 'doubler.onnx');
    const served = await startServer({ modelPaths: [doubler], port: 0, grpcPort: 0, maxDelayMs: 0, requestTimeoutMs: 300 });
    const streamClient = grpcClient(served.grpcAddress!);
    try {
      const stream = streamClient.ModelStreamInfer() as grpc.ClientDuplexStream<object, any>;
      const replies: any[] = [];
      const failed = new Promise<never>((_, reject) => stream.on('error', reject));
      const reply = () => Promise.race([failed, new Promise((resolve) => stream.once('data', (r: unknown) => resolve(replies.push(r))))]);
      const request = (id: string) => ({ model_name: 'doubler', id, inputs: [{ name: 'in_fp32', datatype: 'FP32', shape: ['1', '2'], contents: { fp32_contents: [1, 2] } }], outputs: [{ name: 'out_fp32' }] });
      stream.write(request('before'));
      await reply();
      // Silent for more than 1.5 × the request timeout, the guard's limit for a stalled connection.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      stream.write(request('after'));
      await reply();
      stream.end();
      expect(replies.map((r) => [r.infer_response.id, r.error_message])).toEqual([['before', ''], ['after', '']]);
    } finally {
      streamClient.close();
      await served.close();
    }
  });
});

describe('grpc.health.v1.Health', () => {
  it('reports SERVING while ready and NOT_SERVING once shutdown begins, to Check and Watch', async () => {
    const served = await startServer({ modelPaths: [typesPath], port: 0, grpcPort: 0, shutdownGraceMs: 5000 });
    const health = grpcClient(served.grpcAddress!, 'grpc.health.v1.Health', path.join(path.dirname(createRequire(import.meta.url).resolve('grpc-health-check/package.json')), 'proto/health/v1/health.proto'));
    try {
      expect(await call(health, 'check', { service: '' })).toEqual({ status: 'SERVING' });
      expect(await call(health, 'check', { service: 'inference.GRPCInferenceService' })).toEqual({ status: 'SERVING' });
      expect((await callError(health, 'check', { service: 'other' })).code).toBe(grpc.status.NOT_FOUND);
      const watch = health.watch({ service: '' }) as grpc.ClientReadableStream<{ status: string }>;
      const statuses: string[] = [];
      const ended = new Promise<void>((resolve) => {
        watch.on('data', (message) => statuses.push(message.status));
        watch.on('end', resolve);
        watch.on('error', () => resolve());
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = Date.now();
      await served.close();
      await ended;
      expect(statuses).toEqual(['SERVING', 'NOT_SERVING']);
      // The watch stream did not hold the shutdown for its 5 s grace.
      expect(Date.now() - started).toBeLessThan(4000);
    } finally {
      health.close();
      await served.close();
    }
  });
});

describe('logging and trace extensions', () => {
  it('reads and changes the log settings over HTTP and gRPC, refusing what it cannot apply', async () => {
    const initial = { log_file: '', log_info: true, log_warning: true, log_error: true, log_verbose_level: 0, log_format: 'default' };
    expect(await getJson(`${server.url}/v2/logging`)).toEqual({ status: 200, body: initial });
    const changed = await postJson(`${server.url}/v2/logging`, { log_verbose_level: 1, log_format: 'ISO8601' });
    expect(changed.body).toEqual({ ...initial, log_verbose_level: 1, log_format: 'ISO8601' });
    const { settings } = await call(client, 'LogSettings', { settings: { log_info: { bool_param: false }, log_verbose_level: { uint32_param: 0 } } });
    expect(settings.log_info).toMatchObject({ bool_param: false });
    expect(settings.log_verbose_level).toMatchObject({ uint32_param: 0 });
    expect(settings.log_format).toMatchObject({ string_param: 'ISO8601' });
    for (const [body, pattern] of [
      [{ log_verbose_level: -1 }, /'log_verbose_level' is -1; it must be a whole number/],
      [{ log_format: 'xml' }, /'log_format' is "xml"/],
      [{ log_file: '/tmp/x' }, /'log_file' cannot be changed/],
      [{ log_colour: true }, /unknown log setting 'log_colour'/],
    ] as const) {
      const reply = await postJson(`${server.url}/v2/logging`, body);
      expect(reply.status).toBe(400);
      expect(reply.body.error).toMatch(pattern);
    }
    expect((await callError(client, 'LogSettings', { settings: { log_error: { string_param: 'yes' } } })).code).toBe(grpc.status.INVALID_ARGUMENT);
    await postJson(`${server.url}/v2/logging`, { log_info: true, log_format: 'default' });
  });

  it('refuses the trace settings by name: 400 over HTTP, UNIMPLEMENTED over gRPC', async () => {
    for (const url of ['/v2/trace/setting', '/v2/models/types/trace/setting']) {
      const reply = await getJson(`${server.url}${url}`);
      expect(reply.status).toBe(400);
      expect(reply.body.error).toMatch(/trace extension .* is not supported by this server/);
    }
    const refused = await callError(client, 'TraceSetting', { settings: {} });
    expect(refused.code).toBe(grpc.status.UNIMPLEMENTED);
    expect(refused.details).toMatch(/trace extension \(TraceSetting\) is not supported/);
  });
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
    expect(empty.body.outputs.find((output: { name: string }) => output.name === 'out_fp32')).toEqual({ name: 'out_fp32', datatype: 'FP32', shape: [0, 2], data: [] });
    const constant = await fetch(`${server.url}/v2/models/constant/infer`, { method: 'POST', body: '{"inputs":[]}' });
    // The id is the one the server makes for a request without one (a UUID).
    expect(await constant.text()).toMatch(/^\{"model_name":"constant","model_version":"1","id":"[0-9a-f-]{36}","outputs":\[\{"name":"constant","datatype":"FP32","shape":\[4\],"data":\[NaN,Infinity,-Infinity,1\.5\]\}\]\}$/);
  });
});

const OTHER_TYPES = ['bool', 'uint8', 'uint16', 'uint32', 'int8', 'int16', 'int32', 'bytes'] as const;

/** The JSON text with the model's other inputs appended (each [1, 2] of a plain value). */
function withOtherInputs(body: string): string {
  const others = OTHER_TYPES.map((type) => `{"name":"in_${type}","shape":[1,2],"datatype":"${type === 'bytes' ? 'BYTES' : type.toUpperCase()}","data":${type === 'bool' ? '[true,false]' : type === 'bytes' ? '["a","b"]' : '[1,2]'}}`);
  return body.replace('"inputs":[', `"inputs":[${others.join(',')},`);
}

function withOtherInputsObject(overrides: Record<string, { shape: number[]; data: unknown[] }>, rows: number): object {
  const datatypes: Record<string, string> = { bool: 'BOOL', uint8: 'UINT8', uint16: 'UINT16', uint32: 'UINT32', uint64: 'UINT64', int8: 'INT8', int16: 'INT16', int32: 'INT32', int64: 'INT64', fp16: 'FP16', fp32: 'FP32', fp64: 'FP64', bytes: 'BYTES' };
  return {
    inputs: Object.entries(datatypes).map(([type, datatype]) => ({ name: `in_${type}`, datatype, ...(overrides[`in_${type}`] ?? { shape: [rows, 2], data: [] }) })),
  };
}

describe('reserved request parameters', () => {
  it('accepts sequence and priority parameters as Triton does for this model, and refuses wrong types', async () => {
    const request = (parameters: object) => ({ ...withOtherInputsObject({}, 0), parameters });
    for (const parameters of [{ sequence_id: 42, sequence_start: true, sequence_end: false }, { sequence_id: 'abc' }, { priority: 3 }, { timeout: 5_000_000 }, { my_custom: 'x' }]) {
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
    const grpcRefused = await callError(client, 'ModelInfer', { model_name: 'constant', inputs: [], parameters: { priority: { string_param: 'high' } } });
    expect(grpcRefused.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await call(client, 'ModelInfer', { model_name: 'constant', inputs: [], parameters: { sequence_id: { uint64_param: '18446744073709551615' } } })).outputs[0].name).toBe('constant');
  });

  it('refuses a request still queued when its timeout expires (503 / UNAVAILABLE), as Triton’s queue policy does', async () => {
    const slow = await startServer({ modelPaths: [typesPath], port: 0, grpcPort: 0, maxDelayMs: 1000 });
    const slowClient = grpcClient(slow.grpcAddress!);
    try {
      const body = (timeout: number) => ({ ...withOtherInputsObject({}, 0), parameters: { timeout } });
      const started = Date.now();
      const [expired, patient] = await Promise.all([postJson(`${slow.url}/v2/models/types/infer`, body(1000)), postJson(`${slow.url}/v2/models/types/infer`, body(10_000_000))]);
      expect(expired.status).toBe(503);
      expect(expired.body.error).toMatch(/Request timeout expired/);
      expect(patient.status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      const refused = await callError(slowClient, 'ModelInfer', { model_name: 'types', inputs: [], parameters: { timeout: { int64_param: '1000' } } });
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

describe('loads with overrides', () => {
  let repository: string;
  let served: RunningServer;
  let repositoryClient: Client;
  beforeAll(async () => {
    repository = path.join(directory, 'override-repository');
    await exportTriton(typesPath, repository, { name: 'typed', maxBatchSize: 8 });
    served = await startServer({ modelRepository: repository, modelControlMode: 'explicit', loadModels: ['typed'], port: 0, grpcPort: 0 });
    repositoryClient = grpcClient(served.grpcAddress!);
  });
  afterAll(async () => {
    repositoryClient?.close();
    await served?.close();
  });

  const rowsRequest = (rows: number) => withOtherInputsObject(Object.fromEntries(['fp32'].map((type) => [`in_${type}`, { shape: [rows, 2], data: Array(rows * 2).fill(1) }])), rows);
  const load = (name: string, parameters: object) => postJson(`${served.url}/v2/repository/models/${name}/load`, { parameters });

  it('applies a config override: a smaller max_batch_size is in force and enforced, and a plain load restores config.pbtxt', async () => {
    const { body: config } = await getJson(`${served.url}/v2/models/typed/config`);
    expect(config.max_batch_size).toBe(8);
    expect((await postJson(`${served.url}/v2/models/typed/infer`, fillRows(rowsRequest(4), 4))).status).toBe(200);
    // What GET .../config wrote is accepted back as an override, changed in one field.
    const reply = await load('typed', { config: JSON.stringify({ ...config, max_batch_size: 2 }) });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect((await getJson(`${served.url}/v2/models/typed/config`)).body.max_batch_size).toBe(2);
    const refused = await postJson(`${served.url}/v2/models/typed/infer`, fillRows(rowsRequest(4), 4));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/max_batch_size 2/);
    expect((await load('typed', {})).status).toBe(200);
    expect((await getJson(`${served.url}/v2/models/typed/config`)).body.max_batch_size).toBe(8);
  });

  it('loads a model from file overrides with its config, over HTTP (base64) and gRPC (bytes)', async () => {
    const bytes = readFileSync(typesPath);
    const config = JSON.stringify({ name: 'uploaded', backend: 'onnxruntime', max_batch_size: 4, dynamicBatching: {} });
    const reply = await load('uploaded', { config, 'file:3/model.onnx': bytes.toString('base64') });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect((await getJson(`${served.url}/v2/models/uploaded`)).body.versions).toEqual(['3']);
    expect((await postJson(`${served.url}/v2/models/uploaded/infer`, fillRows(rowsRequest(1), 1))).status).toBe(200);
    await call(repositoryClient, 'RepositoryModelLoad', { model_name: 'viagrpc', parameters: { config: { string_param: config.replace('uploaded', 'viagrpc') }, 'file:1/model.onnx': { bytes_param: bytes } } });
    expect((await getJson(`${served.url}/v2/models/viagrpc/config`)).body).toMatchObject({ name: 'viagrpc', max_batch_size: 4 });
  });

  it('refuses overrides it cannot apply, naming what is wrong, never a server path', async () => {
    const bytes = readFileSync(typesPath).toString('base64');
    const cases: [string, object, RegExp][] = [
      ['typed', { 'file:1/model.onnx': bytes }, /'file:' overrides need the 'config' parameter too/],
      ['typed', { config: '{"max_batch_size": 2, "sequence_batching": {}}' }, /'sequence_batching' is set, but this server has no sequence batcher/],
      ['typed', { config: '{"maxBatchSize": 2, "colour": "red"}' }, /unknown field 'colour' in ModelConfig/],
      ['typed', { config: '{"input": [{"name": "in_fp32", "data_type": "TYPE_FP32", "dims": [2], "reshape": {"shape": [1, 2]}}]}' }, /'input.reshape' is set, but tensor reshapes are not supported/],
      ['typed', { config: '{"name": "other"}' }, /names the model 'other'/],
      ['typed', { config: '{"max_batch_size": "lots"}' }, /'max_batch_size' is "lots"/],
      ['typed', { config: 'not json' }, /'config' is not JSON/],
      ['typed', { config: '{}', 'file:../escape.onnx': bytes }, /must name a file inside the model directory/],
      ['typed', { config: '{}', 'file:1/model.onnx': '%%%' }, /must hold the file's bytes in base64/],
      ['typed', { colour: 'red' }, /unknown load parameter 'colour'/],
      ['missing', {}, /the model repository has no model 'missing'/],
      ['broken', { config: '{}', 'file:1/model.onnx': Buffer.from('not onnx').toString('base64') }, /failed to load 'broken'/],
    ];
    for (const [name, parameters, pattern] of cases) {
      const reply = await load(name, parameters);
      expect(reply.status, JSON.stringify([parameters, reply.body])).toBe(400);
      expect(reply.body.error).toMatch(pattern);
      expect(reply.body.error).not.toContain(directory);
      expect(reply.body.error).not.toMatch(/\/tmp\//);
    }
    // The served model is untouched by the refused loads.
    expect((await getJson(`${served.url}/v2/models/typed/config`)).body.max_batch_size).toBe(8);
    const index = await postJson(`${served.url}/v2/repository/index`, {});
    expect(JSON.stringify(index.body)).not.toContain(directory);
  });
});

/** Fills every input of a withOtherInputsObject request with `rows` rows of plain values. */
function fillRows(request: any, rows: number): object {
  for (const input of request.inputs) {
    input.shape = [rows, 2];
    input.data = Array.from({ length: rows * 2 }, () => (input.datatype === 'BOOL' ? true : input.datatype === 'BYTES' ? 'x' : 1));
  }
  return request;
}
