/**
 * Hostile and careless clients: a body that stalls half-way answered 408 within the request
 * timeout while others are served, a silent gRPC socket closed while a busy one lives on,
 * connections past --max-connections closed at once, and the 503s of a shutdown answered without
 * being logged as server errors.
 */
import net from 'node:net';
import type * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startServer, type RunningServer } from '../../server/index.ts';
import { ConnectionGate, GrpcUploads, gatedListener } from '../../server/connections.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { postJson } from './helpers/client.ts';
import { makeTestModel, testImage } from './helpers/fixtures.ts';
import { grpcClient } from './helpers/grpcClient.ts';

let onnxPath: string;
let server: RunningServer;
let inputName: string;

beforeAll(async () => {
  onnxPath = (await makeTestModel(tempDir('tfjs-onnx-reliability-'))).onnx;
  server = await startServer({ modelPaths: [onnxPath], port: 0, grpcPort: 0, requestTimeoutMs: 500, maxConnections: 6 });
  inputName = (await (await fetch(`${server.url}/v2/models/model`)).json()).inputs[0].name;
});
afterAll(async () => server?.close());

function goodBody() {
  return { inputs: [{ name: inputName, shape: [1, 28, 28, 1], datatype: 'FP32', data: Array.from(testImage(3), (v) => v / 255) }] };
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('stalled and surplus clients', () => {
  it('answers a body that stalls half-way with 408 and closes it, serving others meanwhile', async () => {
    const socket = await connect(server.port);
    const received: Buffer[] = [];
    socket.on('data', (chunk) => received.push(chunk));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(
      'POST /v2/models/model/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"inputs": [',
    );
    const meanwhile = await postJson(`${server.url}/v2/models/model/infer`, goodBody());
    expect(meanwhile.status).toBe(200);
    await closed;
    expect(Buffer.concat(received).toString()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('keeps a busy gRPC connection open past the request timeout: no call fails', async () => {
    // The server's request timeout is 500 ms; one channel sends ModelInfer back to back for 3 s.
    const client = grpcClient(`127.0.0.1:${server.grpcPort}`, {
      keepCase: true,
      longs: Number,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    const request = {
      model_name: 'model',
      inputs: [{ name: inputName, datatype: 'FP32', shape: [1, 28, 28, 1] }],
      raw_input_contents: [Buffer.from(new Float32Array(784).fill(0.5).buffer)],
    };
    const failures: string[] = [];
    let calls = 0;
    const until = performance.now() + 3_000;
    try {
      while (performance.now() < until) {
        calls++;
        await new Promise<void>((resolve) =>
          client.ModelInfer(request, { deadline: Date.now() + 5_000 }, (error: grpc.ServiceError | null) => {
            if (error) failures.push(`${error.code} ${error.details}`);
            resolve();
          }),
        );
      }
    } finally {
      client.close();
    }
    expect(failures.slice(0, 3)).toEqual([]);
    expect(calls).toBeGreaterThan(10);
  });

  it('closes a gRPC socket on which nothing moves for the timeout, and not one that trickles', async () => {
    const gate = new ConnectionGate(10);
    const held: net.Socket[] = [];
    // Silence closes after 1.5 × the request timeout: 300 ms.
    const limits = { requestTimeoutMs: 200, headerTimeoutMs: 5_000, minBodyRate: 0, bodyRateGraceMs: 0 };
    const listener = gatedListener(gate, limits, new GrpcUploads(limits), (socket) => held.push(socket));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = (listener.address() as net.AddressInfo).port;
    try {
      const closedAfter = (socket: net.Socket) => {
        const started = performance.now();
        return new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now() - started)));
      };
      const silent = await connect(port);
      const trickling = await connect(port);
      const silentClosed = closedAfter(silent);
      let tricklingClosed = false;
      trickling.once('close', () => (tricklingClosed = true));
      for (let i = 0; i < 12; i++) {
        trickling.write('x');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const silentFor = await silentClosed;
      expect(silentFor).toBeGreaterThanOrEqual(290);
      expect(silentFor).toBeLessThan(1_000);
      expect(tricklingClosed).toBe(false);
      trickling.destroy();
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => listener.close(resolve));
    }
  });

  it('closes connections past --max-connections at once and takes new ones when others leave', async () => {
    // The server runs with --max-connections 6 (HTTP and gRPC together); fill it with idle sockets.
    const open = await Promise.all(Array.from({ length: 6 }, () => connect(server.port)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const surplus = await connect(server.grpcPort!);
    const surplusClosed = await new Promise<boolean>((resolve) => {
      surplus.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 2_000);
    });
    expect(surplusClosed).toBe(true);
    for (const socket of open) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await postJson(`${server.url}/v2/models/model/infer`, goodBody())).status).toBe(200);
  });
});

describe('shutdown', () => {
  it('answers requests that complete during the drain with 503, without logging them as server errors', async () => {
    const other = await startServer({ modelPaths: [onnxPath], port: 0, grpcPort: false, maxDelayMs: 300, shutdownGraceMs: 2_000 });
    const errors = vi.spyOn(process.stderr, 'write');
    try {
      const body = JSON.stringify(goodBody());
      const head = `POST /v2/models/model/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
      const replyOf = (socket: net.Socket) =>
        new Promise<string>((resolve) => {
          let text = '';
          socket.on('data', (chunk) => (text += chunk.toString()));
          socket.once('close', () => resolve(text));
        });
      // One request waits in the batching queue; another is still sending its body when shutdown begins.
      const queued = await connect(other.port);
      const queuedReply = replyOf(queued);
      queued.write(head + body);
      const late = await connect(other.port);
      const lateReply = replyOf(late);
      late.write(head + body.slice(0, 50));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const closing = other.close();
      late.write(body.slice(50));
      await closing;
      expect(await queuedReply).toMatch(/^HTTP\/1\.1 200/);
      expect(await lateReply).toMatch(/^HTTP\/1\.1 503[\s\S]*is shutting down and accepts no new requests/);
      expect(errors.mock.calls.map(([text]) => String(text)).filter((text) => text.includes('server error'))).toEqual([]);
    } finally {
      errors.mockRestore();
      await other.close();
    }
  });
});
