/**
 * Inference through system shared memory over real sockets: inputs read from and outputs written
 * into regions through HTTP JSON, HTTP binary and gRPC, with the bytes checked in the object
 * itself; every bad region, offset and size refused before a byte moves; and regions unregistered,
 * removed or truncated while a request uses them giving a clean answer, not a crash.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../server/index.ts';
import { getJson, lengthPrefixed, metricValue, postBinary, postJson, readLengthPrefixed, tritonBinaryRequest } from '../helpers/client.ts';
import { call, callError } from '../helpers/grpcClient.ts';
import { float32, grpcShm, int64, makeObject, objectBytes, post, register, shm, useSharedMemoryServer } from '../helpers/sharedMemory.ts';

const served = useSharedMemoryServer();

describe('inference through shared memory', () => {
  it('HTTP JSON: reads inputs from regions at their offsets and writes outputs into them, touching nothing else', async () => {
    const inputKey = makeObject('json-in', 256);
    const input = Buffer.alloc(256, 0xee);
    float32([1.5, -2, 3, 4]).copy(input, 64 + 8);
    int64([2n ** 40n, -3n, 5n, 7n]).copy(input, 64 + 40);
    fs.writeFileSync(path.join('/dev/shm', inputKey.slice(1)), input);
    const outputKey = makeObject('json-out', 256);
    fs.writeFileSync(path.join('/dev/shm', outputKey.slice(1)), Buffer.alloc(256, 0xaa));
    // The input region starts 64 bytes into its object; the output region is the whole object.
    expect((await register(served.server.url, 'in', inputKey, 128, 64)).status).toBe(200);
    expect((await register(served.server.url, 'out', outputKey, 256)).status).toBe(200);
    const reply = await postJson(`${served.server.url}/v2/models/m/infer`, {
      id: 'shm-1',
      inputs: [
        { name: 'in_fp32', datatype: 'FP32', shape: [2, 2], parameters: shm('in', 16, 8) },
        { name: 'in_int64', datatype: 'INT64', shape: [2, 2], parameters: shm('in', 32, 40) },
        { name: 'in_bytes', datatype: 'BYTES', shape: [2, 2], data: ['a', 'b', 'c', 'd'] },
      ],
      outputs: [
        { name: 'out_fp32', parameters: shm('out', 16, 100) },
        { name: 'out_int64', parameters: shm('out', 64, 128) },
        { name: 'out_bytes' },
      ],
    });
    expect(reply.status).toBe(200);
    // As in Triton, an output in shared memory is named in the reply, with no data.
    expect(reply.body.outputs).toEqual([
      { name: 'out_fp32', datatype: 'FP32', shape: [2, 2] },
      { name: 'out_int64', datatype: 'INT64', shape: [2, 2] },
      { name: 'out_bytes', datatype: 'BYTES', shape: [2, 2], data: ['a', 'b', 'c', 'd'] },
    ]);
    const written = objectBytes(outputKey);
    expect(Array.from(new Float32Array(written.buffer.slice(written.byteOffset + 100, written.byteOffset + 116)))).toEqual([3, -4, 6, 8]);
    expect(Array.from(new BigInt64Array(written.buffer.slice(written.byteOffset + 128, written.byteOffset + 160)))).toEqual([
      2n ** 41n,
      -6n,
      10n,
      14n,
    ]);
    // Every other byte of the object is as the client left it.
    const untouched = Buffer.concat([written.subarray(0, 100), written.subarray(116, 128), written.subarray(160)]);
    expect(untouched.equals(Buffer.alloc(untouched.length, 0xaa))).toBe(true);
    expect(objectBytes(inputKey).equals(input)).toBe(true);
  });

  it('HTTP binary: mixes binary, JSON and shared-memory inputs, and binary and shared-memory outputs', async () => {
    const key = makeObject('binary', 128);
    const strings = lengthPrefixed(['x', 'yy', '', 'zzz']);
    const contents = Buffer.alloc(128);
    strings.copy(contents, 0);
    fs.writeFileSync(path.join('/dev/shm', key.slice(1)), contents);
    expect((await register(served.server.url, 'io', key, 128)).status).toBe(200);
    const request = tritonBinaryRequest([{ name: 'in_fp32', datatype: 'FP32', shape: [2, 2], bytes: float32([1, 2, 3, 4]) }], {
      jsonInputs: [
        { name: 'in_int64', datatype: 'INT64', shape: [2, 2], data: [1, 2, 3, 4] },
        { name: 'in_bytes', datatype: 'BYTES', shape: [2, 2], parameters: shm('io', strings.length) },
      ],
      outputs: [{ name: 'out_fp32', binary: true }, { name: 'out_bytes' }],
    });
    // out_bytes goes into the region after the input's bytes.
    const header = JSON.parse(request.body.subarray(0, request.headerLength).toString());
    header.outputs[1].parameters = shm('io', 64, 64);
    const json = Buffer.from(JSON.stringify(header));
    const reply = await postBinary(`${served.server.url}/v2/models/m/infer`, {
      body: Buffer.concat([json, request.body.subarray(request.headerLength)]),
      headerLength: json.length,
    });
    expect(reply.status).toBe(200);
    expect(reply.body.outputs.map((output: any) => output.name)).toEqual(['out_fp32', 'out_bytes']);
    expect(reply.body.outputs[1]).toEqual({ name: 'out_bytes', datatype: 'BYTES', shape: [2, 2] });
    expect(Array.from(new Float32Array(new Uint8Array(reply.binary.get('out_fp32')!).buffer))).toEqual([2, 4, 6, 8]);
    const written = objectBytes(key).subarray(64, 64 + strings.length);
    expect(readLengthPrefixed(written)).toEqual(['x', 'yy', '', 'zzz']);
  });

  it('gRPC: shared-memory inputs beside raw contents, and outputs in shared memory with empty raw entries', async () => {
    const key = makeObject('grpc', 128);
    const contents = Buffer.alloc(128);
    float32([0.5, 1, 1.5, 2]).copy(contents, 16);
    fs.writeFileSync(path.join('/dev/shm', key.slice(1)), contents);
    expect(await call(served.client, 'SystemSharedMemoryRegister', { name: 'g', key, byte_size: 128 })).toEqual({});
    const response = await call(served.client, 'ModelInfer', {
      model_name: 'm',
      inputs: [
        { name: 'in_fp32', datatype: 'FP32', shape: [2, 2], parameters: grpcShm('g', 16, 16) },
        { name: 'in_int64', datatype: 'INT64', shape: [2, 2] },
        { name: 'in_bytes', datatype: 'BYTES', shape: [2, 2] },
      ],
      outputs: [{ name: 'out_fp32', parameters: grpcShm('g', 16, 64) }, { name: 'out_int64' }, { name: 'out_bytes' }],
      // One entry per input not in shared memory, in order (Triton's rule).
      raw_input_contents: [int64([1n, 2n, 3n, 4n]), lengthPrefixed(['p', 'q', 'r', 's'])],
    });
    expect(response.outputs.map((output: any) => [output.name, output.shape])).toEqual([
      ['out_fp32', ['2', '2']],
      ['out_int64', ['2', '2']],
      ['out_bytes', ['2', '2']],
    ]);
    expect(response.raw_output_contents[0]).toHaveLength(0);
    expect(Array.from(new BigInt64Array(new Uint8Array(response.raw_output_contents[1]).buffer))).toEqual([2n, 4n, 6n, 8n]);
    const written = objectBytes(key);
    expect(Array.from(new Float32Array(written.buffer.slice(written.byteOffset + 64, written.byteOffset + 80)))).toEqual([1, 2, 3, 4]);
  });

  it('refuses every bad region, offset and size before reading or writing a byte', async () => {
    // Region r is bytes 64–127 of its object, and begins with one length-prefixed string.
    const strings = lengthPrefixed(['long enough']);
    const original = Buffer.alloc(256, 0x55);
    strings.copy(original, 64);
    const key = makeObject('bad', original);
    expect((await register(served.server.url, 'r', key, 64, 64)).status).toBe(200);
    const lying = Buffer.from(strings);
    lying.writeUInt32LE(1000, 0);
    const valid = (overrides: { fp32?: object; bytes?: object; outputs?: object[] }) => ({
      inputs: [
        { name: 'in_fp32', datatype: 'FP32', shape: [1, 2], ...(overrides.fp32 ?? { data: [1, 2] }) },
        { name: 'in_int64', datatype: 'INT64', shape: [1, 2], data: [1, 2] },
        { name: 'in_bytes', datatype: 'BYTES', shape: [1, 2], ...(overrides.bytes ?? { data: ['a', 'b'] }) },
      ],
      ...(overrides.outputs ? { outputs: overrides.outputs } : {}),
    });
    const cases: [object, number, RegExp][] = [
      [valid({ fp32: { parameters: shm('nope', 8) } }), 404, /Unable to find shared memory region: 'nope' \(input 'in_fp32'\)/],
      [
        valid({ fp32: { parameters: shm('r', 8, 64) } }),
        400,
        /Invalid offset for shared memory region: 'r' \(input 'in_fp32': offset 64, but the region has 64 bytes\)/,
      ],
      [valid({ fp32: { parameters: shm('r', 8, 2 ** 64 - 32) } }), 400, /Invalid offset for shared memory region: 'r'/],
      [
        valid({ fp32: { parameters: shm('r', 8, 60) } }),
        400,
        /Invalid offset \+ byte size for shared memory region: 'r' \(input 'in_fp32': offset 60 \+ byte size 8 passes the region's 64 bytes\)/,
      ],
      [valid({ fp32: { parameters: shm('r', 2 ** 64 - 32, 32) } }), 400, /Invalid offset \+ byte size for shared memory region: 'r'/],
      [
        valid({ fp32: { parameters: shm('r', 16) } }),
        400,
        /input byte size mismatch for input 'in_fp32' for model 'm'. Expected 8, got 16/,
      ],
      [
        valid({ outputs: [{ name: 'out_fp32', parameters: shm('r', 4) }] }),
        400,
        /shared memory size specified with the request for output 'out_fp32' \(4 bytes\) should be at least 8 bytes to hold the results/,
      ],
      [
        valid({ outputs: [{ name: 'out_fp32', parameters: { ...shm('r', 8), classification: 1 } }] }),
        400,
        /Output can't set both 'shared_memory_region' and 'classification'/,
      ],
      [
        valid({ outputs: [{ name: 'out_fp32', parameters: { ...shm('r', 8), binary_data: true } }] }),
        400,
        /Output can't set both 'shared_memory_region' and 'binary_data'/,
      ],
      [
        valid({ fp32: { data: [1, 2], parameters: shm('r', 8) } }),
        400,
        /Input must set only one of the following fields: .* But set 'data' 'shared_memory_region' \(input 'in_fp32'\)/,
      ],
      [valid({ fp32: { parameters: {} } }), 400, /But no field is set \(input 'in_fp32'\)/],
      [
        valid({ fp32: { parameters: { shared_memory_region: 'r' } } }),
        400,
        /'shared_memory_byte_size' must be specified along with 'shared_memory_region' parameter for input 'in_fp32'/,
      ],
      [
        valid({ outputs: [{ name: 'out_fp32', parameters: { shared_memory_offset: 8 } }] }),
        400,
        /'shared_memory_offset' can not be specified without 'shared_memory_region' parameter for output 'out_fp32'/,
      ],
      [
        valid({ fp32: { parameters: { shared_memory_region: 7, shared_memory_byte_size: 8 } } }),
        400,
        /'shared_memory_region' of input 'in_fp32' must be a region name \(a string\), got 7/,
      ],
      [
        valid({ fp32: { parameters: shm('r', 8, -8) } }),
        400,
        /'shared_memory_offset' of input 'in_fp32' must be a whole number of bytes ≥ 0, got -8/,
      ],
      [
        valid({ fp32: { parameters: { shared_memory_region: 'r', shared_memory_byte_size: '8' } } }),
        400,
        /'shared_memory_byte_size' of input 'in_fp32' must be a whole number of bytes ≥ 0, got "8"/,
      ],
      [
        valid({ bytes: { parameters: shm('r', strings.length + 1) } }),
        400,
        /input 'in_bytes' has 1 bytes after its 2 BYTES elements|input 'in_bytes' binary data ends after 1 of its 2 BYTES elements/,
      ],
    ];
    for (const [body, status, message] of cases) {
      const reply = await postJson(`${served.server.url}/v2/models/m/infer`, body);
      expect({ body, status: reply.status }).toEqual({ body, status });
      expect(reply.body.error).toMatch(message);
    }
    // The refused requests wrote nothing anywhere in the object.
    expect(objectBytes(key).equals(original)).toBe(true);
    // A BYTES input whose length prefix lies, and one larger than --body-limit allows (64 KiB here).
    fs.writeFileSync(path.join('/dev/shm', key.slice(1)), Buffer.concat([Buffer.alloc(64), lying, Buffer.alloc(256 - 64 - lying.length)]));
    const lies = await postJson(`${served.server.url}/v2/models/m/infer`, valid({ bytes: { parameters: shm('r', lying.length) } }));
    expect(lies.status).toBe(400);
    expect(lies.body.error).toMatch(/input 'in_bytes' BYTES element 0 declares 1000 bytes, but only 11 are left/);
    const hugeKey = makeObject('huge', 128 * 1024);
    expect((await register(served.server.url, 'huge', hugeKey, 128 * 1024)).status).toBe(200);
    const huge = await postJson(`${served.server.url}/v2/models/m/infer`, valid({ bytes: { parameters: shm('huge', 100_000) } }));
    expect(huge.status).toBe(400);
    expect(huge.body.error).toMatch(
      /input 'in_bytes' takes 100000 bytes of shared memory; a BYTES tensor may take at most 65536 \(--body-limit\)/,
    );

    const grpcRequest = (fp32: object, rest: object = {}) => ({
      inputs: [
        { name: 'in_fp32', datatype: 'FP32', shape: [1, 2], ...fp32 },
        { name: 'in_int64', datatype: 'INT64', shape: [1, 2], contents: { int64_contents: ['1', '2'] } },
        { name: 'in_bytes', datatype: 'BYTES', shape: [1, 2], contents: { bytes_contents: [Buffer.from('a'), Buffer.from('b')] } },
      ],
      ...rest,
    });
    const grpcCases: [object, number, RegExp][] = [
      [
        grpcRequest({ parameters: grpcShm('r', 8), contents: { fp32_contents: [1, 2] } }),
        grpc.status.INVALID_ARGUMENT,
        /unexpected 'content' provided when using shared memory for input tensor 'in_fp32' for model 'm'/,
      ],
      [
        {
          inputs: grpcRequest({ parameters: grpcShm('r', 8) }).inputs.map((input) => ({ ...input, contents: undefined })),
          raw_input_contents: [float32([1, 2]), int64([1n, 2n]), lengthPrefixed(['a', 'b'])],
        },
        grpc.status.INVALID_ARGUMENT,
        /raw_input_contents has 3 entries for 2 inputs not in shared memory/,
      ],
      [grpcRequest({ parameters: grpcShm('gone', 8) }), grpc.status.NOT_FOUND, /Unable to find shared memory region: 'gone'/],
      [grpcRequest({ parameters: grpcShm('r', 8, 64) }), grpc.status.INVALID_ARGUMENT, /Invalid offset for shared memory region: 'r'/],
      [
        grpcRequest({ parameters: { shared_memory_region: { int64_param: 1 }, shared_memory_byte_size: { int64_param: 8 } } }),
        grpc.status.INVALID_ARGUMENT,
        /must be a region name/,
      ],
      [
        grpcRequest({ contents: { fp32_contents: [1, 2] } }, { outputs: [{ name: 'out_fp32', parameters: grpcShm('r', 4) }] }),
        grpc.status.INVALID_ARGUMENT,
        /should be at least 8 bytes to hold the results/,
      ],
    ];
    for (const [request, code, message] of grpcCases) {
      const error = await callError(served.client, 'ModelInfer', { model_name: 'm', ...request });
      expect({ request, code: error.code }).toEqual({ request, code });
      expect(error.details).toMatch(message);
    }
  });
});

describe('regions changing while a request uses them', () => {
  let slow: RunningServer;
  beforeAll(async () => {
    // Each request waits 1 s in the batching queue, after its inputs are read and before its outputs are written.
    slow = await startServer({ modelPaths: [served.modelPath], port: 0, grpcPort: false, allowClientShm: true, maxDelayMs: 1_000 });
  });
  afterAll(async () => slow?.close());
  afterEach(async () => {
    await post(slow.url, '/v2/systemsharedmemory/unregister');
  });

  /** Starts a request that writes out_fp32 into region `out`, and resolves once it waits in the queue. */
  async function requestInFlight(): Promise<{ reply: Promise<{ status: number; body: any }> }> {
    const reply = postJson(`${slow.url}/v2/models/m/infer`, {
      inputs: [
        { name: 'in_fp32', datatype: 'FP32', shape: [1, 2], data: [1, 2] },
        { name: 'in_int64', datatype: 'INT64', shape: [1, 2], data: [1, 2] },
        { name: 'in_bytes', datatype: 'BYTES', shape: [1, 2], data: ['a', 'b'] },
      ],
      outputs: [{ name: 'out_fp32', parameters: shm('out', 8) }],
    });
    for (;;) {
      const metrics = await (await fetch(`${slow.url}/metrics`)).text();
      // Wrapped: an async function returning the promise itself would wait for it.
      if (metricValue(metrics, 'nv_inference_pending_request_count', 'model="m"') === 1) return { reply };
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  it('unregistered: the request still completes into it, and the region goes when the request ends (as in Triton)', async () => {
    const key = makeObject('unregistered', 64);
    expect((await register(slow.url, 'out', key, 64)).status).toBe(200);
    const { reply } = await requestInFlight();
    expect((await post(slow.url, '/v2/systemsharedmemory/region/out/unregister')).status).toBe(200);
    expect((await getJson(`${slow.url}/v2/systemsharedmemory/status`)).body).toHaveLength(1);
    expect((await reply).status).toBe(200);
    const written = objectBytes(key);
    expect(Array.from(new Float32Array(written.buffer.slice(written.byteOffset, written.byteOffset + 8)))).toEqual([2, 4]);
    expect((await getJson(`${slow.url}/v2/systemsharedmemory/status`)).body).toEqual([]);
  });

  it('its object removed, replaced or truncated: a clean 400 naming the region, and the server carries on', async () => {
    const changes: [string, (file: string) => void, RegExp][] = [
      [
        'removed',
        (file) => fs.rmSync(file),
        /shared memory region 'out' cannot be used for output 'out_fp32': its shared memory object '\/\S+' was removed after it was registered; register it again/,
      ],
      ['replaced', (file) => (fs.rmSync(file), fs.writeFileSync(file, Buffer.alloc(64))), /was removed and replaced by another/],
      ['truncated', (file) => fs.truncateSync(file, 4), /was truncated to 4 bytes/],
    ];
    for (const [what, change, message] of changes) {
      const key = makeObject(what, 64);
      expect((await register(slow.url, 'out', key, 64)).status).toBe(200);
      const { reply } = await requestInFlight();
      change(path.join('/dev/shm', key.slice(1)));
      const answer = await reply;
      expect({ what, status: answer.status }).toEqual({ what, status: 400 });
      expect(answer.body.error).toMatch(message);
      await post(slow.url, '/v2/systemsharedmemory/region/out/unregister');
    }
    // A truncated input object is caught when the request reads it.
    const key = makeObject('input', 64);
    expect((await register(slow.url, 'in', key, 64)).status).toBe(200);
    fs.truncateSync(path.join('/dev/shm', key.slice(1)), 0);
    const short = await postJson(`${slow.url}/v2/models/m/infer`, {
      inputs: [
        { name: 'in_fp32', datatype: 'FP32', shape: [1, 2], parameters: shm('in', 8, 8) },
        { name: 'in_int64', datatype: 'INT64', shape: [1, 2], data: [1, 2] },
        { name: 'in_bytes', datatype: 'BYTES', shape: [1, 2], data: ['a', 'b'] },
      ],
    });
    expect(short.status).toBe(400);
    expect(short.body.error).toMatch(/cannot be used for input 'in_fp32': .* was truncated to 0 bytes/);
    expect((await getJson(`${slow.url}/v2/health/live`)).status).toBe(200);
  });
});
