/**
 * System shared memory as Triton's client uses it, for the shared-memory tests: POSIX
 * shared-memory objects made under /dev/shm (as shm_open + ftruncate make them) and removed
 * afterwards, registration requests, and the shared_memory_* parameters as the HTTP and gRPC
 * clients write them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startServer, type RunningServer } from '../../../server/index.ts';
import { tempDir } from '../../helpers/tempDir.ts';
import type { UntypedDocument } from '../../helpers/untyped.ts';
import { grpcClient, type GrpcClient } from './grpcClient.ts';
import { writeAllTypesModel } from './models.ts';

/** Every object a test makes is named with this, so parallel test processes never share one. */
export const PREFIX = `tfjs_onnx_test_${process.pid}_`;
/** The files made, removed by removeObjects. */
export const made = new Set<string>();

/**
 * The key of a POSIX shared-memory object for this test process (`/<PREFIX><name>`, which shm_open
 * finds as /dev/shm/<PREFIX><name>), its file removed by removeObjects whoever makes it.
 */
export function claimObject(name: string): string {
  made.add(path.join('/dev/shm', PREFIX + name));
  return `/${PREFIX}${name}`;
}

/** A POSIX shared-memory object, as shm_open + ftruncate make it: /dev/shm/<name>, zero-filled or given bytes. */
export function makeObject(name: string, contents: number | Buffer): string {
  const key = claimObject(name);
  fs.writeFileSync(path.join('/dev/shm', key.slice(1)), typeof contents === 'number' ? Buffer.alloc(contents) : contents);
  return key;
}

export function objectBytes(key: string): Buffer {
  return fs.readFileSync(path.join('/dev/shm', key.slice(1)));
}

export async function post(base: string, url: string, body?: unknown): Promise<{ status: number; body: UntypedDocument }> {
  const response = await fetch(base + url, { method: 'POST', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: response.status, body: await response.json() };
}

export function register(base: string, name: string, key: string, byteSize: number, offset?: number) {
  return post(base, `/v2/systemsharedmemory/region/${name}/register`, {
    key,
    byte_size: byteSize,
    ...(offset === undefined ? {} : { offset }),
  });
}

export function float32(values: number[]): Buffer {
  return Buffer.from(new Float32Array(values).buffer);
}

export function int64(values: bigint[]): Buffer {
  return Buffer.from(new BigInt64Array(values).buffer);
}

/** Shared-memory parameters as Triton's HTTP client writes them. */
export function shm(region: string, byteSize: number, offset?: number) {
  return {
    shared_memory_region: region,
    shared_memory_byte_size: byteSize,
    ...(offset === undefined ? {} : { shared_memory_offset: offset }),
  };
}

/** The same as gRPC InferParameters (Triton's client sends int64_param). */
export function grpcShm(region: string, byteSize: number, offset?: number) {
  return {
    shared_memory_region: { string_param: region },
    shared_memory_byte_size: { int64_param: byteSize },
    ...(offset === undefined ? {} : { shared_memory_offset: { int64_param: offset } }),
  };
}

/** Removes every object made (in afterAll). */
export function removeObjects(): void {
  for (const file of made) fs.rmSync(file, { force: true });
}

/** The server the shared-memory tests talk to, with a gRPC client; filled in once beforeAll has run. */
export interface SharedMemoryServer {
  /** Inputs in_fp32, in_int64, in_bytes of shape [batch, 2]; out_fp32 and out_int64 are doubled, out_bytes passes through. */
  modelPath: string;
  server: RunningServer;
  client: GrpcClient;
}

/**
 * Starts a server with client shared memory on (before all tests), unregisters every region after
 * each test, and closes it and removes the objects made after all of them.
 */
export function useSharedMemoryServer(): SharedMemoryServer {
  const served = {} as SharedMemoryServer;
  beforeAll(async () => {
    served.modelPath = path.join(tempDir('tfjs-onnx-shm-'), 'm.onnx');
    writeAllTypesModel(served.modelPath, { datatypes: ['FP32', 'INT64', 'BYTES'] });
    served.server = await startServer({
      modelPaths: [served.modelPath],
      port: 0,
      grpcPort: 0,
      allowClientShm: true,
      maxShmRegions: 8,
      maxShmBytes: 1 << 20,
      bodyLimit: 64 * 1024,
    });
    served.client = grpcClient(served.server.grpcAddress!, { keepCase: true, longs: String, defaults: true, oneofs: true });
  });
  afterEach(async () => {
    await post(served.server.url, '/v2/systemsharedmemory/unregister');
  });
  afterAll(async () => {
    served.client?.close();
    await served.server?.close();
    removeObjects();
  });
  return served;
}
