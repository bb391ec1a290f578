/**
 * Inference through system shared memory over real sockets: inputs read from and outputs written
 * into regions through HTTP JSON, HTTP binary and gRPC, with the bytes checked in the object
 * itself. Bad regions, offsets and sizes (sharedMemoryRefusals.test.ts) and regions changing under
 * a request (sharedMemoryChanges.test.ts) have files of their own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lengthPrefixed, postBinary, postJson, readLengthPrefixed, tritonBinaryRequest } from '../helpers/client.ts';
import { call } from '../helpers/grpcClient.ts';
import { float32, grpcShm, int64, makeObject, objectBytes, register, shm, useSharedMemoryServer } from '../helpers/sharedMemory.ts';

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
    expect(reply.body.outputs.map((output: { name: string }) => output.name)).toEqual(['out_fp32', 'out_bytes']);
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
    expect(response.outputs.map((output: { name: string; shape: string[] }) => [output.name, output.shape])).toEqual([
      ['out_fp32', ['2', '2']],
      ['out_int64', ['2', '2']],
      ['out_bytes', ['2', '2']],
    ]);
    expect(response.raw_output_contents[0]).toHaveLength(0);
    expect(Array.from(new BigInt64Array(new Uint8Array(response.raw_output_contents[1]).buffer))).toEqual([2n, 4n, 6n, 8n]);
    const written = objectBytes(key);
    expect(Array.from(new Float32Array(written.buffer.slice(written.byteOffset + 64, written.byteOffset + 80)))).toEqual([1, 2, 3, 4]);
  });
});
