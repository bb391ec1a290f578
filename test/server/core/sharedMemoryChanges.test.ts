/**
 * Shared-memory regions changing while a request uses them: unregistered (the request still
 * completes into it, as in Triton), or its object removed, replaced or truncated (a clean 400
 * naming the region, and the server carries on), never a crash.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../../server/index.ts';
import { getJson, metricValue, postJson } from '../helpers/client.ts';
import { makeObject, objectBytes, post, register, shm, useSharedMemoryServer } from '../helpers/sharedMemory.ts';

const served = useSharedMemoryServer();

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
  async function requestInFlight(): Promise<{ reply: ReturnType<typeof postJson> }> {
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
      [
        'replaced',
        (file) => {
          fs.rmSync(file);
          fs.writeFileSync(file, Buffer.alloc(64));
        },
        /was removed and replaced by another/,
      ],
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
