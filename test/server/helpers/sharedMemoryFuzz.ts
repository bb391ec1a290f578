/**
 * The fixture of the shared-memory fuzz tests (test/server/core/sharedMemory*.fuzz.test.ts): a
 * server with client shared memory on, over HTTP and gRPC, one shared-memory object holding a
 * known pattern, the clients the properties send through (each call bounded in time), the oracle
 * for "a result or one typed error", and the byte counts both properties draw from.
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, expect } from 'vitest';
import { parseExactJson } from '../../../server/http/json.ts';
import { type RunningServer, startServer } from '../../../server/index.ts';
import { tempDir } from '../../helpers/tempDir.ts';
import { type GrpcClient, grpcClient } from './grpcClient.ts';
import { writeAllTypesModel } from './models.ts';

/** The object: 256 bytes of a pattern; region 'r' is bytes 64–191 of it. */
export const SENTINEL = Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 7 + 3) & 0xff));
export const REGION = { offset: 64, byteSize: 128 };
const TIMEOUT_MS = 10_000;

/** The gRPC codes a refused request may get. */
export const GRPC_REFUSALS = new Set([status.INVALID_ARGUMENT, status.NOT_FOUND, status.RESOURCE_EXHAUSTED, status.ALREADY_EXISTS]);

/** A byte offset or size: mostly small whole numbers, sometimes negative, fractional, past 2^53, a string or missing. */
export const byteCount = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 140 }) },
  fc.constantFrom(-1, -8, 1.5, 2 ** 53, 2 ** 64 - 32, 1e300),
  fc.string({ maxLength: 3 }),
  fc.constant(undefined),
);

export interface JsonReply {
  status: number;
  body: Record<string, unknown>;
}

export interface ShmFuzzServer {
  /** The shared-memory object's name (its key is `/<name>`), this test file's own. */
  name: string;
  /** The object's file under /dev/shm. */
  file: string;
  /** POSTs `body` as JSON to `url` on the server; the reply read as Triton's JSON (NaN and ±Infinity allowed). */
  postJson(url: string, body: unknown): Promise<JsonReply>;
  /** A unary gRPC call: its error, or null once it succeeded. */
  grpcCall(method: string, request: object): Promise<grpc.ServiceError | null>;
}

/** Starts the server and makes the object (before all tests); closes and removes them after all. */
export function useShmFuzzServer(label: string): ShmFuzzServer {
  const name = `tfjs_onnx_fuzz_${process.pid}_${label}`;
  const file = path.join('/dev/shm', name);
  let server: RunningServer;
  let client: GrpcClient;
  beforeAll(async () => {
    const model = path.join(tempDir('tfjs-onnx-shm-fuzz-'), 'm.onnx');
    writeAllTypesModel(model, { datatypes: ['FP32', 'INT64', 'BYTES'] });
    server = await startServer({ modelPaths: [model], port: 0, grpcPort: 0, allowClientShm: true, maxShmRegions: 4, bodyLimit: 64 * 1024 });
    client = grpcClient(server.grpcAddress!, { keepCase: true, longs: String, defaults: false, oneofs: true });
    fs.writeFileSync(file, SENTINEL);
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
    fs.rmSync(file, { force: true });
  });
  return {
    name,
    file,
    async postJson(url, body) {
      const response = await fetch(server.url + url, {
        method: 'POST',
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      // Triton's JSON: an output can hold the literals NaN and ±Infinity, which JSON.parse refuses.
      return { status: response.status, body: parseExactJson(await response.text()) as Record<string, unknown> };
    },
    grpcCall(method, request) {
      return new Promise((resolve) =>
        client[method]!(request, { deadline: Date.now() + TIMEOUT_MS }, (error: grpc.ServiceError | null) => resolve(error)),
      );
    },
  };
}

/** A result, or exactly one typed error: a 4xx whose body is `{"error": "<message>"}`. */
export function expectResultOrTypedError(reply: JsonReply): void {
  if (reply.status === 200) return;
  expect(reply.status, JSON.stringify(reply.body)).toBeGreaterThanOrEqual(400);
  expect(reply.status, JSON.stringify(reply.body)).toBeLessThan(500);
  expect(Object.keys(reply.body)).toEqual(['error']);
}
