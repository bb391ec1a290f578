/**
 * System shared memory's registry (Triton's extension) over real sockets, with regions the test
 * makes under /dev/shm as Triton's client does (a POSIX shared-memory object, then register): off
 * by default as in Triton; register, status and unregister over HTTP and gRPC; every bad key,
 * offset and size refused before anything is registered; the region limits held. CUDA shared
 * memory is refused naming the feature (400 / UNIMPLEMENTED).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { startServer } from '../../../server/index.ts';
import { getJson, postJson } from '../helpers/client.ts';
import { call, callError, grpcClient } from '../helpers/grpcClient.ts';
import { PREFIX, made, makeObject, post, register, shm, useSharedMemoryServer } from '../helpers/sharedMemory.ts';

const served = useSharedMemoryServer();

/**
 * Registrations refused with 400, each with what its message must say: bad keys (the root, paths,
 * '.' and '..', Triton's reserved prefix, too long, missing, a symbolic link, a FIFO), windows that
 * pass the end of `key`'s 64-byte object, bad sizes and offsets, and malformed bodies.
 */
function badRegistrations(key: string): [string, unknown, RegExp][] {
  return [
    [
      '/v2/systemsharedmemory/region/r/register',
      { key: '/', byte_size: 8 },
      /^cannot register shared memory region 'r' - invalid shm key '\/'$/,
    ],
    ['/v2/systemsharedmemory/region/r/register', { key: '///', byte_size: 8 }, /invalid shm key '\/\/\/'/],
    [
      '/v2/systemsharedmemory/region/r/register',
      { key: '/../../etc/passwd', byte_size: 8 },
      /invalid shm key '\/..\/..\/etc\/passwd': a key is one name/,
    ],
    ['/v2/systemsharedmemory/region/r/register', { key: 'a/b', byte_size: 8 }, /invalid shm key 'a\/b'/],
    ['/v2/systemsharedmemory/region/r/register', { key: '/..', byte_size: 8 }, /'\.' and '\.\.' are not shared memory objects/],
    [
      '/v2/systemsharedmemory/region/r/register',
      { key: '/triton_python_backend_shm_region_x', byte_size: 8 },
      /as the key contains the reserved prefix 'triton_python_backend_shm_region_'/,
    ],
    ['/v2/systemsharedmemory/region/r/register', { key: `/${'x'.repeat(256)}`, byte_size: 8 }, /longer than 255 bytes/],
    [
      '/v2/systemsharedmemory/region/r/register',
      { key: `/${PREFIX}missing`, byte_size: 8 },
      /Unable to open shared memory region: '\/tfjs_onnx_test_\d+_missing' \(region 'r': no such shared memory object\)/,
    ],
    ['/v2/systemsharedmemory/region/r/register', { key: `/${PREFIX}link`, byte_size: 8 }, /it is a symbolic link/],
    ['/v2/systemsharedmemory/region/r/register', { key: `/${PREFIX}fifo`, byte_size: 8 }, /is not a shared memory object/],
    [
      '/v2/systemsharedmemory/region/r/register',
      { key, byte_size: 65 },
      /failed to register shared memory region 'r': invalid args: offset 0 \+ byte_size 65 passes the end of .*, which has 64 bytes/,
    ],
    [
      '/v2/systemsharedmemory/region/r/register',
      { key, offset: 1, byte_size: 64 },
      /failed to register shared memory region 'r': invalid args/,
    ],
    [
      '/v2/systemsharedmemory/region/r/register',
      { key, offset: 64, byte_size: 1 },
      /failed to register shared memory region 'r': invalid args/,
    ],
    ['/v2/systemsharedmemory/region/r/register', { key, byte_size: 0 }, /byte_size must be at least 1/],
    ['/v2/systemsharedmemory/region/r/register', { key, byte_size: -1 }, /byte_size must be a whole number of bytes ≥ 0, got -1/],
    ['/v2/systemsharedmemory/region/r/register', { key, byte_size: 8, offset: 1.5 }, /offset must be a whole number of bytes/],
    ['/v2/systemsharedmemory/region/r/register', { byte_size: 8 }, /has no 'key' string/],
    ['/v2/systemsharedmemory/region/r/register', [key, 8], /is a JSON object/],
    ['/v2/systemsharedmemory/register', { key, byte_size: 8 }, /'region name' is necessary to register system shared memory region/],
  ];
}

describe('system shared memory off (the default, as in Triton)', () => {
  it("refuses register and unregister with Triton's message, answers status, and does not list the extension", async () => {
    const off = await startServer({ modelPaths: [served.modelPath], port: 0, grpcPort: 0 });
    const client = grpcClient(off.grpcAddress!, { keepCase: true, longs: String, defaults: true, oneofs: true });
    try {
      const key = makeObject('off', 64);
      const refused = await register(off.url, 'r', key, 64);
      expect(refused).toEqual({
        status: 501,
        body: { error: "Client shared memory is disabled. Start the server with '--allow-client-shm=true' to enable." },
      });
      expect((await post(off.url, '/v2/systemsharedmemory/unregister')).status).toBe(501);
      expect(await getJson(`${off.url}/v2/systemsharedmemory/status`)).toEqual({ status: 200, body: [] });
      const grpcRefused = await callError(client, 'SystemSharedMemoryRegister', { name: 'r', key, byte_size: 64 });
      expect(grpcRefused.code).toBe(grpc.status.UNIMPLEMENTED);
      expect(grpcRefused.details).toMatch(/Client shared memory is disabled/);
      expect(await call(client, 'SystemSharedMemoryStatus', {})).toEqual({ regions: {} });
      expect((await getJson(`${off.url}/v2`)).body.extensions).not.toContain('system_shared_memory');
      expect((await call(client, 'ServerMetadata', {})).extensions).not.toContain('system_shared_memory');
      const infer = await postJson(`${off.url}/v2/models/m/infer`, {
        inputs: [
          { name: 'in_fp32', datatype: 'FP32', shape: [1, 2], parameters: shm('r', 8) },
          { name: 'in_int64', datatype: 'INT64', shape: [1, 2], data: [1, 2] },
          { name: 'in_bytes', datatype: 'BYTES', shape: [1, 2], data: ['a', 'b'] },
        ],
      });
      expect(infer.status).toBe(404);
      expect(infer.body.error).toMatch(/Unable to find shared memory region: 'r'/);
    } finally {
      client.close();
      await off.close();
    }
  });
});

describe('registering regions', () => {
  it('registers, lists, refuses a second registration, and unregisters, over HTTP and gRPC alike', async () => {
    const a = makeObject('a', 64);
    const b = makeObject('b', 128);
    expect(await register(served.server.url, 'a', a, 64)).toEqual({ status: 200, body: {} });
    expect(await call(served.client, 'SystemSharedMemoryRegister', { name: 'b', key: b, offset: 32, byte_size: 96 })).toEqual({});
    expect((await getJson(`${served.server.url}/v2`)).body.extensions).toContain('system_shared_memory');
    expect((await getJson(`${served.server.url}/v2/systemsharedmemory/status`)).body).toEqual([
      { name: 'a', key: a, offset: 0, byte_size: 64 },
      { name: 'b', key: b, offset: 32, byte_size: 96 },
    ]);
    expect((await getJson(`${served.server.url}/v2/systemsharedmemory/region/b/status`)).body).toEqual([
      { name: 'b', key: b, offset: 32, byte_size: 96 },
    ]);
    expect(await call(served.client, 'SystemSharedMemoryStatus', { name: 'a' })).toEqual({
      regions: { a: { name: 'a', key: a, offset: '0', byte_size: '64' } },
    });

    expect(await register(served.server.url, 'a', b, 8)).toEqual({
      status: 400,
      body: { error: "shared memory region 'a' already in manager" },
    });
    const again = await callError(served.client, 'SystemSharedMemoryRegister', { name: 'b', key: b, byte_size: 8 });
    expect(again.code).toBe(grpc.status.ALREADY_EXISTS);

    expect((await post(served.server.url, '/v2/systemsharedmemory/region/a/unregister')).status).toBe(200);
    // Unknown names unregister without error, as in Triton.
    expect(await call(served.client, 'SystemSharedMemoryUnregister', { name: 'never-registered' })).toEqual({});
    expect(Object.keys((await call(served.client, 'SystemSharedMemoryStatus', {})).regions)).toEqual(['b']);
    const gone = await getJson(`${served.server.url}/v2/systemsharedmemory/region/a/status`);
    expect(gone).toEqual({ status: 404, body: { error: "Unable to find system shared memory region: 'a'" } });
    expect((await callError(served.client, 'SystemSharedMemoryStatus', { name: 'a' })).code).toBe(grpc.status.NOT_FOUND);
    // An empty name unregisters every region.
    expect(await call(served.client, 'SystemSharedMemoryUnregister', {})).toEqual({});
    expect((await getJson(`${served.server.url}/v2/systemsharedmemory/status`)).body).toEqual([]);
  });

  it('refuses bad keys, offsets and sizes, naming what is wrong, and registers nothing', async () => {
    const key = makeObject('sixty-four', 64);
    const link = path.join('/dev/shm', `${PREFIX}link`);
    fs.symlinkSync(path.join('/dev/shm', key.slice(1)), link);
    made.add(link);
    const fifo = path.join('/dev/shm', `${PREFIX}fifo`);
    execFileSync('mkfifo', [fifo]);
    made.add(fifo);
    const cases = badRegistrations(key);
    for (const [url, body, message] of cases) {
      const reply = await post(served.server.url, url, body);
      expect({ url, body, status: reply.status }).toEqual({ url, body, status: 400 });
      expect(reply.body.error).toMatch(message);
    }
    const grpcBad = await callError(served.client, 'SystemSharedMemoryRegister', { name: 'r', key: '/../x', byte_size: 8 });
    expect(grpcBad.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(grpcBad.details).toMatch(/invalid shm key/);
    expect((await callError(served.client, 'SystemSharedMemoryRegister', { name: 'r', key })).details).toMatch(
      /byte_size must be at least 1/,
    );
    expect((await getJson(`${served.server.url}/v2/systemsharedmemory/status`)).body).toEqual([]);
  });

  it('holds --max-shm-regions and --max-shm-bytes, naming the flag', async () => {
    const key = makeObject('limits', 1 << 20);
    for (let i = 0; i < 8; i++) expect((await register(served.server.url, `r${i}`, key, 1024)).status).toBe(200);
    const ninth = await register(served.server.url, 'r8', key, 1024);
    expect(ninth.status).toBe(400);
    expect(ninth.body.error).toMatch(/8 regions are registered, the most this server allows \(--max-shm-regions 8\)/);
    await post(served.server.url, '/v2/systemsharedmemory/region/r0/unregister');
    const tooBig = await callError(served.client, 'SystemSharedMemoryRegister', { name: 'big', key, byte_size: (1 << 20) - 1024 });
    expect(tooBig.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(tooBig.details).toMatch(/pass --max-shm-bytes 1048576/);
    expect((await register(served.server.url, 'fits', key, (1 << 20) - 7 * 1024)).status).toBe(200);
  });
});

describe('CUDA shared memory', () => {
  it('is refused over HTTP (400) and gRPC (UNIMPLEMENTED), naming the feature, and not listed', async () => {
    const urls: [string, string][] = [
      ['GET', '/v2/cudasharedmemory/status'],
      ['GET', '/v2/cudasharedmemory/region/c/status'],
      ['POST', '/v2/cudasharedmemory/region/c/register'],
      ['POST', '/v2/cudasharedmemory/unregister'],
      ['POST', '/v2/cudasharedmemory/region/c/unregister'],
    ];
    for (const [method, url] of urls) {
      const response = await fetch(served.server.url + url, {
        method,
        ...(method === 'POST' ? { body: JSON.stringify({ raw_handle: { b64: 'AAAA' }, device_id: 0, byte_size: 8 }) } : {}),
      });
      expect({ url, status: response.status }).toEqual({ url, status: 400 });
      expect((await response.json()).error).toMatch(/^CUDA shared memory is not supported by this server: it holds no CUDA memory/);
    }
    for (const method of ['CudaSharedMemoryStatus', 'CudaSharedMemoryRegister', 'CudaSharedMemoryUnregister']) {
      const error = await callError(served.client, method, { name: 'c' });
      expect({ method, code: error.code }).toEqual({ method, code: grpc.status.UNIMPLEMENTED });
      expect(error.details).toMatch(/CUDA shared memory is not supported by this server/);
    }
    expect((await getJson(`${served.server.url}/v2`)).body.extensions).not.toContain('cuda_shared_memory');
  });
});
