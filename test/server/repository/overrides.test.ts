/**
 * Model repository loads with config and file overrides, over HTTP and gRPC: applied, and refused
 * when they cannot be, with no server path in any message.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../server/index.ts';
import { exportTriton } from '../../../server/triton.ts';
import { tempDir } from '../../helpers/tempDir.ts';
import { getJson, postJson } from '../helpers/client.ts';
import { call, grpcClient, type GrpcClient } from '../helpers/grpcClient.ts';
import { fillRows, withOtherInputsObject, writeAllTypesModel } from '../helpers/models.ts';

let directory: string;
let typesPath: string;

beforeAll(() => {
  directory = tempDir('tfjs-onnx-overrides-');
  typesPath = path.join(directory, 'types.onnx');
  writeAllTypesModel(typesPath);
});

describe('loads with overrides', () => {
  let repository: string;
  let served: RunningServer;
  let repositoryClient: GrpcClient;
  beforeAll(async () => {
    repository = path.join(directory, 'override-repository');
    await exportTriton(typesPath, repository, { name: 'typed', maxBatchSize: 8 });
    served = await startServer({ modelRepository: repository, modelControlMode: 'explicit', loadModels: ['typed'], port: 0, grpcPort: 0 });
    repositoryClient = grpcClient(served.grpcAddress!, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  });
  afterAll(async () => {
    repositoryClient?.close();
    await served?.close();
  });

  const rowsRequest = (rows: number) =>
    withOtherInputsObject(
      Object.fromEntries(['fp32'].map((type) => [`in_${type}`, { shape: [rows, 2], data: Array(rows * 2).fill(1) }])),
      rows,
    );
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
    await call(repositoryClient, 'RepositoryModelLoad', {
      model_name: 'viagrpc',
      parameters: { config: { string_param: config.replace('uploaded', 'viagrpc') }, 'file:1/model.onnx': { bytes_param: bytes } },
    });
    expect((await getJson(`${served.url}/v2/models/viagrpc/config`)).body).toMatchObject({ name: 'viagrpc', max_batch_size: 4 });
  });

  it('refuses overrides it cannot apply, naming what is wrong, never a server path', async () => {
    const bytes = readFileSync(typesPath).toString('base64');
    const cases: [string, object, RegExp][] = [
      ['typed', { 'file:1/model.onnx': bytes }, /'file:' overrides need the 'config' parameter too/],
      [
        'typed',
        { config: '{"max_batch_size": 2, "sequence_batching": {}}' },
        /'sequence_batching' is set, but this server has no sequence batcher/,
      ],
      ['typed', { config: '{"maxBatchSize": 2, "colour": "red"}' }, /unknown field 'colour' in ModelConfig/],
      [
        'typed',
        { config: '{"input": [{"name": "in_fp32", "data_type": "TYPE_FP32", "dims": [2], "reshape": {"shape": [1, 2]}}]}' },
        /'input.reshape' is set, but tensor reshapes are not supported/,
      ],
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
