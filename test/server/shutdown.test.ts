/**
 * `tfjs-onnx serve` as a user runs it: a child process that prints its HTTP and gRPC addresses and,
 * on SIGTERM, stops accepting, runs the queued batch at once (not after --max-delay-ms), answers
 * what is in flight on both protocols (/classify requests too: they wait in the same queue), closes a client stalled half-way through its body once the
 * grace period is over, and exits 0 — without logging the expected 503s as server errors.
 */
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/cli.ts';
import { killServeClis, startServeCli } from '../helpers/serveCli.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { float32Bytes } from './helpers/client.ts';
import { IMAGE_SIZE, makeTestModel, testImage } from './helpers/fixtures.ts';
import { call, grpcClient, type GrpcInferResponse } from './helpers/grpcClient.ts';

let onnxPath: string;

beforeAll(async () => {
  onnxPath = (await makeTestModel(tempDir('tfjs-onnx-shutdown-'))).onnx;
});

afterEach(killServeClis);

/**
 * A client that sends the head and the first 100 bytes of `body` and stalls; resolves once connected,
 * with its close (wrapped: an async function returning the promise itself would wait for it).
 */
async function stallAfterPartOfBody(url: string, body: string): Promise<{ closed: Promise<void> }> {
  const stalled = net.connect(Number(new URL(url).port), '127.0.0.1');
  await new Promise((resolve) => stalled.once('connect', resolve));
  stalled.write(
    `POST /v2/models/model/infer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 100)}`,
  );
  const closed = new Promise<void>((resolve) => stalled.once('close', () => resolve()));
  stalled.on('error', () => {});
  return { closed };
}

/** POSTs JSON through `agent`'s connection; the reply's status once its body is read. */
function postThrough(agent: http.Agent, target: string, payload: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const request = http.request(target, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode!));
    });
    request.on('error', reject);
    request.end(payload);
  });
}

/** Whether `count` requests came to wait in the model's batching queue within 15 s (the pending-request gauge). */
async function waitUntilQueued(url: string, count: number): Promise<boolean> {
  const pending = new RegExp(`nv_inference_pending_request_count\\{model="model",version="1"\\} ${count}`);
  for (let i = 0; i < 300; i++) {
    if (pending.test(await (await fetch(`${url}/metrics`)).text())) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** An infer over gRPC, one over HTTP (`sendHttp`) and a /classify of the same image, in that order, left in flight; and the gRPC client, to close at the end. */
function sendInFlight(url: string, grpcAddress: string, inputName: string, pixels: number[], sendHttp: () => Promise<number>) {
  const client = grpcClient(grpcAddress, { keepCase: true, longs: Number, defaults: true });
  const grpcInFlight = call<GrpcInferResponse>(client, 'ModelInfer', {
    model_name: 'model',
    inputs: [{ name: inputName, datatype: 'FP32', shape: [1, IMAGE_SIZE, IMAGE_SIZE, 1] }],
    raw_input_contents: [float32Bytes(pixels)],
  });
  const httpInFlight = sendHttp();
  const classifyInFlight = fetch(`${url}/v2/models/model/classify?top_k=2`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pixels: Array.from(testImage(1)) }),
  });
  return { client, grpcInFlight, httpInFlight, classifyInFlight };
}

describe('tfjs-onnx serve', () => {
  it('on SIGTERM flushes the queued batch, answers HTTP (infer and classify) and gRPC in flight, closes a stalled client after the grace period, and exits 0', async () => {
    const graceMs = 1500;
    // A 10 s batching delay: without the flush at shutdown, the requests below would wait it out.
    const { child, url, grpcAddress, output } = await startServeCli([
      onnxPath,
      '--port',
      '0',
      '--grpc-port',
      '0',
      '--max-delay-ms',
      '10000',
      '--shutdown-grace-ms',
      String(graceMs),
    ]);
    expect(output()).toContain(`POST ${url}/v2/models/model/infer`);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const metadata = await (await fetch(`${url}/v2/models/model`)).json();
    const inputName: string = metadata.inputs[0].name;
    const pixels = Array.from(testImage(1), (value) => value / 255);
    const body = JSON.stringify({ inputs: [{ name: inputName, shape: [1, IMAGE_SIZE, IMAGE_SIZE, 1], datatype: 'FP32', data: pixels }] });

    const { closed: stalledClosed } = await stallAfterPartOfBody(url, body);

    // A keep-alive connection that will ask for more after shutdown begins.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const viaAgent = (payload: string) => postThrough(agent, `${url}/v2/models/model/infer`, payload);

    const { client, grpcInFlight, httpInFlight, classifyInFlight } = sendInFlight(url, grpcAddress!, inputName, pixels, () =>
      viaAgent(body),
    );
    // Signal only once the three requests wait in the batching queue (the pending gauge says so).
    const queued = await waitUntilQueued(url, 3);
    expect(queued, 'the infer, gRPC and classify requests all wait in the batching queue').toBe(true);
    const signalledAt = Date.now();
    child.kill('SIGTERM');

    // The in-flight requests are answered well before the 10 s delay would have run out.
    expect(await httpInFlight).toBe(200);
    expect((await grpcInFlight).raw_output_contents[0].length).toBe(40);
    const classified = await classifyInFlight;
    expect(classified.status).toBe(200);
    expect((await classified.json()).predictions).toHaveLength(2);
    const answeredWithin = Date.now() - signalledAt;
    expect(answeredWithin).toBeLessThan(5_000);
    // New work on the open connection is refused with 503 while the server drains.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const late = await viaAgent(body).catch(() => 'closed');
    expect([503, 'closed']).toContain(late);

    await stalledClosed;
    expect(await exited).toBe(0);
    const exitedWithin = Date.now() - signalledAt;
    expect(exitedWithin).toBeGreaterThanOrEqual(graceMs - 100);
    expect(exitedWithin).toBeLessThan(graceMs + 8_000);
    expect(output()).toContain('SIGTERM: finishing in-flight requests');
    expect(output()).not.toContain('server error');
    client.close();
    agent.destroy();
    await expect(fetch(`${url}/v2/health/live`)).rejects.toThrow();
  });

  it('exits 1 with one clear line for a model that does not exist', () => {
    const run = runCli(['serve', path.join(REPO_ROOT, 'no-such-model.onnx'), '--port', '0']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^error: cannot read model .*no-such-model\.onnx/);
  });
});
