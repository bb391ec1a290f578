/**
 * Slow clients let go, so that clients that stall cannot hold every connection: HTTP bodies held to a minimum data rate after a grace period,
 * headers to a timeout, and gRPC connections to the same rate while a request message is on its
 * way and to sending HTTP/2's preface in time — while clients that keep up, and idle connections,
 * are left alone. Then the acceptance case, against a separate server process with the default
 * limits and a 1,024 file-descriptor limit: 1,100 uploads that send their headers and a few body
 * bytes and then stall cannot keep a new client out for 10 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/index.ts';
import { REPO_ROOT } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { writeAllTypesModel } from './helpers/models.ts';

let modelPath: string;

beforeAll(() => {
  modelPath = path.join(tempDir('tfjs-onnx-slow-'), 'm.onnx');
  writeAllTypesModel(modelPath, { datatypes: ['FP32'] });
});

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server sends until it closes the socket, and how long after `since` it closed. */
function closing(socket: net.Socket, since = performance.now()): Promise<{ text: string; afterMs: number }> {
  let text = '';
  socket.on('data', (chunk) => (text += chunk.toString()));
  socket.on('error', () => {});
  return new Promise((resolve) => socket.once('close', () => resolve({ text, afterMs: performance.now() - since })));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A gRPC ModelInfer message frame for the FP32 model: 5-byte gRPC prefix, then the protobuf. */
function modelInferFrame(): Buffer {
  // ModelInferRequest { model_name: "m", inputs: [{ name: "in_fp32", datatype: "FP32", shape: [1, 2] }], raw_input_contents: [8 bytes] }
  const field = (number: number, bytes: Buffer) => Buffer.concat([Buffer.from([(number << 3) | 2, bytes.length]), bytes]);
  const input = Buffer.concat([field(1, Buffer.from('in_fp32')), field(2, Buffer.from('FP32')), Buffer.from([0x1a, 2, 1, 2])]);
  const message = Buffer.concat([field(1, Buffer.from('m')), field(5, input), field(7, Buffer.from(new Float32Array([1, 2]).buffer))]);
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

describe('slow clients, in process', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      modelPaths: [modelPath],
      port: 0,
      grpcPort: 0,
      requestTimeoutMs: 20_000,
      headerTimeoutMs: 800,
      minBodyRate: 1_000,
      bodyRateGraceMs: 500,
    });
  });
  afterAll(async () => server?.close());

  const head = (length: number) =>
    `POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

  it('HTTP: a body that stalls is answered 408 once the grace period is over, naming the flag', async () => {
    const socket = await connect(server.port);
    const closed = closing(socket);
    socket.write(`${head(5_000)}{"inputs": [`);
    const { text, afterMs } = await closed;
    expect(text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).error).toMatch(
      /^the request body arrived at \d+ bytes\/s, below the 1000 bytes\/s this server requires after 500 ms \(--min-body-rate\)$/,
    );
    // Well before the 20 s request timeout.
    expect(afterMs).toBeLessThan(5_000);
  });

  it('HTTP: a body that keeps up the rate for longer than the grace period is served', async () => {
    const body = JSON.stringify({ inputs: [{ name: 'in_fp32', datatype: 'FP32', shape: [1, 2], data: [1, 2] }], id: 'x'.repeat(1_500) });
    const socket = await connect(server.port);
    const closed = closing(socket);
    socket.write(head(body.length));
    // 100 bytes every 50 ms is 2,000 bytes/s, twice the minimum, for about 0.8 s.
    for (let offset = 0; offset < body.length; offset += 100) {
      socket.write(body.slice(offset, offset + 100));
      await sleep(50);
    }
    await sleep(100);
    socket.end();
    const { text } = await closed;
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });

  it('HTTP: headers that stall are answered 408 after --header-timeout-ms', async () => {
    const socket = await connect(server.port);
    const closed = closing(socket);
    socket.write('POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\n');
    const { text, afterMs } = await closed;
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(afterMs).toBeLessThan(5_000);
  });

  it('gRPC: a connection trickling a request message too slowly is closed; one keeping up is served; an idle one is left open', async () => {
    const frame = modelInferFrame();
    const headers = {
      ':method': 'POST',
      ':path': '/inference.GRPCInferenceService/ModelInfer',
      'content-type': 'application/grpc',
      te: 'trailers',
    };
    // Stalled: the headers and the first few bytes of the message, then nothing.
    const stalled = http2.connect(`http://${server.grpcAddress}`);
    stalled.on('error', () => {});
    const stalledClosed = new Promise<number>((resolve) => {
      const since = performance.now();
      stalled.once('close', () => resolve(performance.now() - since));
    });
    const stalledStream = stalled.request(headers);
    stalledStream.on('error', () => {});
    stalledStream.write(frame.subarray(0, 6));
    // Idle: connected, no call.
    const idle = http2.connect(`http://${server.grpcAddress}`);
    let idleClosed = false;
    idle.once('close', () => (idleClosed = true));
    // Keeping up: the same message, 2 bytes every 1 ms on average, well above 1,000 bytes/s.
    const steady = http2.connect(`http://${server.grpcAddress}`);
    const steadyStream = steady.request(headers);
    const trailers = new Promise<http2.IncomingHttpHeaders>((resolve) => steadyStream.once('trailers', resolve));
    steadyStream.resume();
    for (let offset = 0; offset < frame.length; offset += 2) {
      steadyStream.write(frame.subarray(offset, offset + 2));
      await sleep(offset % 20 === 0 ? 20 : 0);
    }
    steadyStream.end();
    expect((await trailers)['grpc-status']).toBe('0');
    expect(await stalledClosed).toBeLessThan(5_000);
    await sleep(1_000);
    expect(idleClosed).toBe(false);
    for (const session of [idle, steady]) session.close();
  });

  it("gRPC: a connection that has not sent HTTP/2's preface within --header-timeout-ms is closed", async () => {
    const silent = await connect(server.grpcPort!);
    const partial = await connect(server.grpcPort!);
    partial.write('PRI * HTTP/2.0\r\n');
    const [first, second] = await Promise.all([closing(silent), closing(partial)]);
    expect(first.afterMs).toBeLessThan(5_000);
    expect(second.afterMs).toBeLessThan(5_000);
  });
});

describe('1,100 stalled uploads against the defaults and 1,024 file descriptors', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  /** `tfjs-onnx serve` with every default limit, in its own process under `ulimit -n 1024`. */
  async function startLimitedServer(): Promise<{ port: number; pid: number }> {
    const cli = `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(REPO_ROOT, 'bin/tfjs-onnx.js'))}`;
    child = spawn('bash', ['-c', `ulimit -n 1024 && exec ${cli} serve ${JSON.stringify(modelPath)} --port 0 --grpc-port 0`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 60_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on http:\/\/127\.0\.0\.1:(\d+)\n/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve({ port: Number(match[1]), pid: child!.pid! });
        }
      };
      child!.stdout!.on('data', onData);
      child!.stderr!.on('data', onData);
      child!.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
    });
  }

  /** One client: headers for a 100 kB body, the body's first bytes, then silence. */
  async function stalledUpload(port: number): Promise<{ socket: net.Socket; closed: Promise<{ text: string; afterMs: number }> }> {
    const socket = await connect(port);
    const closed = closing(socket);
    socket.write(
      'POST /v2/models/m/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"inputs": [{"name": ',
    );
    return { socket, closed };
  }

  /** GET /v2/health/live on a fresh connection: true when it answers 200. */
  async function probe(port: number): Promise<boolean> {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/v2/health/live`, {
        signal: AbortSignal.timeout(1_000),
        headers: { connection: 'close' },
      });
      return response.status === 200;
    } catch {
      return false;
    }
  }

  it('serves a new client within 10 s', async () => {
    const { port, pid } = await startLimitedServer();
    expect(fs.readFileSync(`/proc/${pid}/limits`, 'utf8')).toMatch(/^Max open files\s+1024\s+1024/m);
    const uploads: Awaited<ReturnType<typeof stalledUpload>>[] = [];
    // In batches, so the listen backlog never overflows and every client really connects.
    for (let batch = 0; batch < 11; batch++) uploads.push(...(await Promise.all(Array.from({ length: 100 }, () => stalledUpload(port)))));
    const attackedAt = performance.now();
    // The server holds as many as --max-connections (512) allows and closes the rest at once.
    await sleep(500);
    let open = 0;
    for (const upload of uploads) if (!upload.socket.destroyed && upload.socket.readyState === 'open') open++;
    expect(open).toBeGreaterThanOrEqual(400);
    expect(open).toBeLessThanOrEqual(512);
    expect(await probe(port)).toBe(false);

    let servedAfterMs: number | undefined;
    while (servedAfterMs === undefined && performance.now() - attackedAt < 15_000) {
      if (await probe(port)) servedAfterMs = performance.now() - attackedAt;
      else await sleep(200);
    }
    expect(servedAfterMs).toBeLessThan(10_000);
    // The stalled clients held their places until the minimum rate ended them, with a 408.
    const ended = await Promise.all(uploads.map((upload) => Promise.race([upload.closed, sleep(2_000).then(() => undefined)])));
    expect(ended.filter((result) => result?.text.startsWith('HTTP/1.1 408')).length).toBe(open);
    for (const upload of uploads) upload.socket.destroy();
  }, 90_000);
});
