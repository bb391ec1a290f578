/**
 * `tfjs-onnx serve` as a user runs it: a child process that prints its URL, and on SIGTERM stops
 * accepting, finishes the request in flight and exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { IMAGE_SIZE, makeTestModel, testImage } from './fixtures.ts';

let onnxPath: string;

beforeAll(async () => {
  onnxPath = (await makeTestModel(tempDir('tfjs-onnx-shutdown-'))).onnx;
});

/** Starts the CLI and resolves with the URL it prints once it listens. */
function startCli(args: string[]): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/tfjs-onnx.js'), 'serve', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error(`serve did not start in time:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // The startup lines end with the models' infer routes; wait for the whole block.
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*\/infer\n/.exec(output);
      if (match) {
        clearTimeout(timeout);
        resolve({ child, url: match[1], output: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`serve exited with ${code} before listening:\n${output}`)));
  });
}

describe('tfjs-onnx serve', () => {
  it('finishes the in-flight request on SIGTERM and exits 0', async () => {
    // A long batching delay keeps the request in flight long enough to signal during it.
    const { child, url, output } = await startCli([onnxPath, '--port', '0', '--max-delay-ms', '1500']);
    expect(output()).toContain(`POST ${url}/v2/models/model/infer`);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const body = { inputs: [{ name: 'unused', shape: [1, IMAGE_SIZE, IMAGE_SIZE, 1], datatype: 'UINT8', data: Array.from(testImage(1)) }] };
    const metadata = await (await fetch(`${url}/v2/models/model`)).json();
    body.inputs[0].name = metadata.inputs[0].name;
    const inFlight = fetch(`${url}/v2/models/model/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await new Promise((resolve) => setTimeout(resolve, 400));
    child.kill('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect((await response.json()).outputs[0].data).toHaveLength(10);
    // Exit follows the last reply at once, not after the keep-alive timeout of its connection.
    const answeredAt = Date.now();
    expect(await exited).toBe(0);
    expect(Date.now() - answeredAt).toBeLessThan(10_000);
    expect(output()).toContain('SIGTERM: finishing in-flight requests');
    // Nothing listens any more.
    await expect(fetch(`${url}/v2/health/live`)).rejects.toThrow();
  });

  it('exits 1 with one clear line for a model that does not exist', () => {
    const run = runCli(['serve', path.join(REPO_ROOT, 'no-such-model.onnx'), '--port', '0']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^error: cannot read model .*no-such-model\.onnx/);
  });
});
