/**
 * The README's serving section, run as written: its shell blocks in order against the servers its
 * `serve` lines start (on free ports: the README's 8000/8001 are swapped for them, and `npx
 * tfjs-onnx` is the repository's own bin), on the reference MLP (untrained weights) in a scratch
 * folder holding artifacts/model.onnx and digit.png. Also checks that the resource-limits table
 * lists exactly the limit flags the server has, with their defaults.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSystemSaver } from '../../common/tfjsModelFiles.ts';
import { convertLayersModelToFile } from '../../export/index.ts';
import { RESOURCE_LIMITS } from '../../server/numericOptions.ts';
import { buildModel } from '../../training/models.ts';
import { REPO_ROOT } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { testImage } from './helpers/fixtures.ts';

const README = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const CLI = `${process.execPath} ${path.join(REPO_ROOT, 'bin/tfjs-onnx.js')}`;
const running: ChildProcess[] = [];
let work: string;

function section(title: string): string {
  const start = README.indexOf(title);
  expect(start, `README has a '${title}' section`).toBeGreaterThan(-1);
  const next = README.slice(start + title.length).search(/\n#{2,3} /);
  return README.slice(start, next === -1 ? undefined : start + title.length + next);
}

function shellBlocks(text: string): string[] {
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]);
}

/** Starts a README `serve` line on free ports; resolves with the addresses it prints. */
function startServe(line: string): Promise<{ url: string; grpc: string }> {
  const command = `${line.replace(/^npx tfjs-onnx/, CLI)} --port 0 --grpc-port 0`;
  const child = spawn('bash', ['-c', `exec ${command}`], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`'${line}' did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)\nlistening on grpc (\S+)\n[\s\S]*\/infer\n/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1], grpc: match[2] });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`'${line}' exited with ${code}:\n${output}`)));
  });
}

async function runBlock(block: string, url: string): Promise<string> {
  const script = block.replaceAll('http://127.0.0.1:8000', url).replace(/^npx tfjs-onnx/gm, CLI);
  const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: work,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return stdout;
}

beforeAll(async () => {
  work = tempDir('tfjs-onnx-readme-');
  await tf.setBackend('cpu');
  const model = buildModel('mlp', { height: 28, width: 28, channels: 1, classCount: 10 }, 7);
  await model.save(fileSystemSaver(path.join(work, 'artifacts', 'tfjs')));
  model.dispose();
  await convertLayersModelToFile(path.join(work, 'artifacts', 'tfjs', 'model.json'), path.join(work, 'artifacts', 'model.onnx'));
  const png = new PNG({ width: 28, height: 28, colorType: 0, inputColorType: 0 });
  png.data = Buffer.from(testImage(4));
  writeFileSync(path.join(work, 'digit.png'), PNG.sync.write(png, { colorType: 0, inputColorType: 0 }));
  mkdirSync(path.join(work, 'model_repository'));
});
afterAll(() => {
  for (const child of running) child.kill('SIGTERM');
});

describe('README: serving', () => {
  const serving = section('### Serving (Open Inference Protocol)');
  const blocks = shellBlocks(serving);

  it('has the blocks this test runs: serve, infer, classify with statistics and metrics, scale-out', () => {
    expect(blocks).toHaveLength(4);
    expect(blocks[0].trim()).toBe('npx tfjs-onnx serve artifacts/model.onnx');
  });

  it('runs the serve line and the client examples as written', async () => {
    const server = await startServe(blocks[0].trim());
    const infer = JSON.parse(await runBlock(blocks[1], server.url));
    expect(infer).toMatchObject({
      model_name: 'model',
      model_version: '1',
      outputs: [{ name: 'probabilities', datatype: 'BYTES', shape: [1, 3] }],
    });
    for (const entry of infer.outputs[0].data) expect(entry).toMatch(/^\d\.\d{6}:\d(:.+)?$/);
    const [classified, stats, ...metrics] = (await runBlock(blocks[2], server.url)).trim().split('\n');
    expect(JSON.parse(classified)).toMatchObject({ model_name: 'model', predictions: [{ index: expect.any(Number) }, {}, {}] });
    // The infer and the classify request: both ran on the model's session and count alike.
    expect(JSON.parse(stats).model_stats[0]).toMatchObject({ name: 'model', version: '1', inference_count: 2 });
    expect(metrics).toEqual(['nv_inference_request_success{model="model",version="1"} 2']);
  });

  it('runs the scale-out example: export-triton, then serve what it wrote', async () => {
    const [exportLine, serveLine] = blocks[3].trim().split('\n');
    await runBlock(exportLine, '');
    const server = await startServe(serveLine);
    const index = await fetch(`${server.url}/v2/repository/index`, { method: 'POST' });
    expect(await index.json()).toEqual([{ name: 'mnist', version: '1', state: 'READY' }]);
  });

  it('lists exactly the resource-limit flags, with their defaults', () => {
    const limits = section('#### Resource limits');
    const rows = [...limits.matchAll(/^\| `(--[a-z-]+)` \| (\d+)/gm)].map((match) => [match[1], Number(match[2])]);
    expect(rows).toEqual(RESOURCE_LIMITS.map((limit) => [limit.flag, limit.default]));
  });
});
