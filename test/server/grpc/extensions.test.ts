/**
 * The Triton protocol extensions over real sockets: model configuration (HTTP and gRPC, the config
 * in force with and without config.pbtxt), ModelStreamInfer with good and bad requests mixed,
 * grpc.health.v1.Health tied to readiness and shutdown, the logging extension, and trace refused
 * by name.
 */
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../server/index.ts';
import { exportTriton } from '../../../server/triton.ts';
import { tempDir } from '../../helpers/tempDir.ts';
import { getJson, postJson } from '../helpers/client.ts';
import { HEALTH_PROTO, call, callError, grpcClient, type GrpcClient, type GrpcStreamReply } from '../helpers/grpcClient.ts';
import { writeProtocolModels } from '../helpers/models.ts';

/** Replies read with 64-bit integers as strings and enums by name, defaults filled in. */
const LOADER = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

let directory: string;
let typesPath: string;
let server: RunningServer;
let client: GrpcClient;

beforeAll(async () => {
  directory = tempDir('tfjs-onnx-extensions-');
  const models = writeProtocolModels(directory);
  typesPath = models.types;
  server = await startServer({ modelPaths: [models.types, models.constant, models.doubler], port: 0, grpcPort: 0, maxDelayMs: 0 });
  client = grpcClient(server.grpcAddress!, LOADER);
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
    expect(http.body.input).toContainEqual({
      name: 'in_int64',
      data_type: 'TYPE_INT64',
      format: 'FORMAT_NONE',
      dims: [-1, 2],
      is_shape_tensor: false,
      allow_ragged_batch: false,
      optional: false,
      is_non_linear_format_io: false,
    });
    expect(http.body.output).toContainEqual({
      name: 'out_bytes',
      data_type: 'TYPE_STRING',
      dims: [-1, 2],
      label_filename: '',
      is_shape_tensor: false,
      is_non_linear_format_io: false,
    });
    expect((await getJson(`${server.url}/v2/models/types/versions/1/config`)).body).toEqual(http.body);
    const { config } = await call(client, 'ModelConfig', { name: 'types' });
    expect(config.name).toBe('types');
    expect(config.max_batch_size).toBe(0);
    expect(config.instance_group[0]).toMatchObject({ kind: 'KIND_CPU', count: 1 });
    expect(config.input.find((tensor: { name: string }) => tensor.name === 'in_int64')).toMatchObject({
      data_type: 'TYPE_INT64',
      dims: ['-1', '2'],
    });
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
    const stream = client.ModelStreamInfer() as grpc.ClientDuplexStream<object, GrpcStreamReply>;
    const replies: GrpcStreamReply[] = [];
    const done = new Promise<void>((resolve, reject) => {
      stream.on('data', (reply: GrpcStreamReply) => replies.push(reply));
      stream.on('end', resolve);
      stream.on('error', reject);
    });
    const good = (id: string, value: number) => ({
      model_name: 'doubler',
      id,
      inputs: [{ name: 'in_fp32', datatype: 'FP32', shape: ['1', '2'], contents: { fp32_contents: [value, value + 1] } }],
      outputs: [{ name: 'out_fp32' }],
    });
    stream.write(good('a', 1));
    stream.write({ model_name: 'nope', id: 'b', inputs: [] });
    stream.write(good('c', 10));
    stream.write({
      model_name: 'doubler',
      id: 'd',
      inputs: [{ name: 'in_fp32', datatype: 'FP32', shape: ['1', '2'], contents: { fp32_contents: [1] } }],
    });
    stream.write(good('e', 100));
    stream.end();
    await done;
    expect(replies).toHaveLength(5);
    const byId = new Map(replies.map((reply) => [reply.infer_response.id, reply]));
    for (const [id, value] of [
      ['a', 1],
      ['c', 10],
      ['e', 100],
    ] as const) {
      const reply = byId.get(id)!;
      expect(reply.error_message).toBe('');
      const raw = reply.infer_response.raw_output_contents[0] as Buffer;
      expect([raw.readFloatLE(0), raw.readFloatLE(4)]).toEqual([2 * value, 2 * (value + 1)]);
    }
    expect(byId.get('b')!.error_message).toMatch(/model 'nope' is not served here/);
    expect(byId.get('d')!.error_message).toMatch(/fp32_contents has 1 elements but its shape \[1, 2\] holds 2/);
    const after = (await getJson(`${server.url}/v2/models/doubler/stats`)).body.model_stats[0].inference_stats;
    expect(after.success.count - before.success.count).toBe(3);
    expect(after.fail.count - before.fail.count).toBe(1);
  });
});

describe('an idle ModelStreamInfer stream', () => {
  it('stays open past the stall guard: a stream may rightly wait between its requests', async () => {
    const doubler = path.join(directory, 'doubler.onnx');
    const served = await startServer({ modelPaths: [doubler], port: 0, grpcPort: 0, maxDelayMs: 0, requestTimeoutMs: 300 });
    const streamClient = grpcClient(served.grpcAddress!, LOADER);
    try {
      const stream = streamClient.ModelStreamInfer() as grpc.ClientDuplexStream<object, GrpcStreamReply>;
      const replies: GrpcStreamReply[] = [];
      const failed = new Promise<never>((_, reject) => stream.on('error', reject));
      const reply = () =>
        Promise.race([failed, new Promise((resolve) => stream.once('data', (r: GrpcStreamReply) => resolve(replies.push(r))))]);
      const request = (id: string) => ({
        model_name: 'doubler',
        id,
        inputs: [{ name: 'in_fp32', datatype: 'FP32', shape: ['1', '2'], contents: { fp32_contents: [1, 2] } }],
        outputs: [{ name: 'out_fp32' }],
      });
      stream.write(request('before'));
      await reply();
      // Silent for more than 1.5 × the request timeout, the guard's limit for a stalled connection.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      stream.write(request('after'));
      await reply();
      stream.end();
      expect(replies.map((r) => [r.infer_response.id, r.error_message])).toEqual([
        ['before', ''],
        ['after', ''],
      ]);
    } finally {
      streamClient.close();
      await served.close();
    }
  });
});

describe('grpc.health.v1.Health', () => {
  it('reports SERVING while ready and NOT_SERVING once shutdown begins, to Check and Watch', async () => {
    const served = await startServer({ modelPaths: [typesPath], port: 0, grpcPort: 0, shutdownGraceMs: 5000 });
    const health = grpcClient(served.grpcAddress!, LOADER, {
      service: 'grpc.health.v1.Health',
      proto: HEALTH_PROTO,
    });
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
    const { settings } = await call(client, 'LogSettings', {
      settings: { log_info: { bool_param: false }, log_verbose_level: { uint32_param: 0 } },
    });
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
    expect((await callError(client, 'LogSettings', { settings: { log_error: { string_param: 'yes' } } })).code).toBe(
      grpc.status.INVALID_ARGUMENT,
    );
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
