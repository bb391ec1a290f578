/**
 * The lecture's MLP and the CNN on WebGPU in Node (onnxruntime-node's WebGPU provider on
 * SwiftShader, a software adapter: this machine has no GPU) against the CPU on all 10,000 MNIST
 * test digits; `serve --device webgpu` answering a v2 infer with the right digit; a Triton model
 * repository's instance_group kind choosing the device.
 *
 * Each model is trained briefly (the parity of two runtimes does not need a good model, only a
 * trained one) and exported with our converter. One session per device and model, the digits in
 * batches of 1000. The CNN runs with the provider's NHWC layout (`webgpu.preferredLayout`), which
 * SwiftShader computes about 1.3× faster than the default NCHW; both agree with the CPU.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadModel, type LoadOptions, type Model } from '@tfjs-onnx/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertLayersModelToFile } from '../../export/index.ts';
import { normalizeImages } from '../../pipeline/parity.ts';
import { loadDataset, type ImageSplit } from '../../training/data/datasets.ts';
import { train } from '../../training/train.ts';
import { REPO_ROOT } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { useSoftwareWebGpu } from '../helpers/webgpu.ts';

const webgpuEnv = useSoftwareWebGpu();
const work = tempDir('tfjs-onnx-gpu-mnist-');
const BATCH = 1000;
const onnx: Record<'mlp' | 'cnn', string> = { mlp: path.join(work, 'mlp.onnx'), cnn: path.join(work, 'cnn.onnx') };
let test: ImageSplit;
let input: Float32Array;

beforeAll(async () => {
  for (const model of ['mlp', 'cnn'] as const) {
    const { modelJsonPath } = await train({ model, limit: 2000, epochs: 1, backend: 'wasm', quiet: true, out: path.join(work, model) });
    await convertLayersModelToFile(modelJsonPath, onnx[model]);
  }
  test = (await loadDataset({ dataset: 'mnist' })).test;
  input = normalizeImages(test, 1 / 255, 0);
}, 300_000);

/** Probabilities of all test digits, BATCH at a time, on one session. */
async function predictAll(model: Model): Promise<Float32Array> {
  const [inputSpec] = model.inputs;
  const out = new Float32Array(test.count * 10);
  for (let start = 0; start < test.count; start += BATCH) {
    const count = Math.min(BATCH, test.count - start);
    const data = input.subarray(start * 784, (start + count) * 784);
    const result = await model.run({ [inputSpec!.name]: { type: 'float32', dims: [count, 28, 28, 1], data } });
    out.set(Object.values(result)[0]!.data as Float32Array, start * 10);
  }
  return out;
}

function compare(a: Float32Array, b: Float32Array): { top1Agreement: number; maxAbsDiff: number } {
  let agree = 0;
  let maxAbsDiff = 0;
  for (let row = 0; row < a.length / 10; row++) {
    let bestA = 0;
    let bestB = 0;
    for (let k = 0; k < 10; k++) {
      const i = row * 10 + k;
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a[i]! - b[i]!));
      if (a[i]! > a[row * 10 + bestA]!) bestA = k;
      if (b[i]! > b[row * 10 + bestB]!) bestB = k;
    }
    if (bestA === bestB) agree++;
  }
  return { top1Agreement: agree / (a.length / 10), maxAbsDiff };
}

describe('MNIST on WebGPU in Node, against the CPU, on all 10,000 test digits', () => {
  it.each([
    ['mlp', {}],
    ['cnn', { webgpu: { preferredLayout: 'NHWC' } }],
  ] as [keyof typeof onnx, LoadOptions][])('%s: the same top-1 on every digit, max |Δp| ≤ 1e-4', async (name, options) => {
    const gpu = await loadModel(onnx[name], { device: 'webgpu', ...options });
    const cpu = await loadModel(onnx[name], { device: 'cpu' });
    try {
      expect(gpu.placement).toMatchObject({ device: 'webgpu', executionProvider: 'webgpu', runtime: 'onnxruntime-node', adapter: { name: 'SwiftShader driver 5.0.0', software: true } });
      const { top1Agreement, maxAbsDiff } = compare(await predictAll(gpu), await predictAll(cpu));
      expect(top1Agreement).toBe(1);
      expect(maxAbsDiff).toBeLessThanOrEqual(1e-4);
    } finally {
      await Promise.all([gpu.dispose(), cpu.dispose()]);
    }
  }, 900_000);
});

describe('serve --device webgpu', () => {
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach((child) => child.kill('SIGKILL')));

  function serve(args: string[]): Promise<{ url: string; output: () => string }> {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/tfjs-onnx.js'), 'serve', '--port', '0', '--no-grpc', ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...webgpuEnv },
    });
    children.push(child);
    let output = '';
    return new Promise((resolve, reject) => {
      const timeout = setTimeout(() => reject(new Error(`serve did not start in time:\n${output}`)), 120_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)\n[\s\S]*\/infer\n/.exec(output);
        if (match) {
          clearTimeout(timeout);
          resolve({ url: match[1]!, output: () => output });
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timeout);
        reject(Object.assign(new Error(`serve exited with ${code}:\n${output}`), { output }));
      });
    });
  }

  it('answers a v2 infer with the right digit, and says where the model runs', async () => {
    const { url, output } = await serve([onnx.mlp, '--device', 'webgpu']);
    expect(output()).toMatch(/model mlp version 1 on webgpu \(onnxruntime-node, SwiftShader driver 5\.0\.0, software\): POST/);
    const metadata = await (await fetch(`${url}/v2/models/mlp`)).json();
    expect(metadata.parameters).toEqual({ device: 'webgpu', execution_provider: 'webgpu', runtime: 'onnxruntime-node', adapter: 'SwiftShader driver 5.0.0 (software)', placement: "device 'webgpu' was asked for" });
    // The first three test digits (a 7, a 2 and a 1), one request each.
    for (const index of [0, 1, 2]) {
      const body = { inputs: [{ name: metadata.inputs[0].name, shape: [1, 28, 28, 1], datatype: 'FP32', data: Array.from(input.subarray(index * 784, (index + 1) * 784)) }] };
      const reply = await fetch(`${url}/v2/models/mlp/infer`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      expect(reply.status).toBe(200);
      const probabilities: number[] = (await reply.json()).outputs[0].data;
      expect(probabilities.indexOf(Math.max(...probabilities))).toBe(test.labels[index]);
    }
  }, 180_000);

  it("runs a repository model where its instance_group says: KIND_CPU on cpu, KIND_GPU on 'gpu', which refuses the software adapter", async () => {
    const repository = path.join(work, 'repository');
    for (const [name, kind] of [['on_cpu', 'KIND_CPU'], ['on_gpu', 'KIND_GPU']] as const) {
      mkdirSync(path.join(repository, name, '1'), { recursive: true });
      writeFileSync(path.join(repository, name, '1', 'model.onnx'), await import('node:fs/promises').then((fs) => fs.readFile(onnx.mlp)));
      writeFileSync(path.join(repository, name, 'config.pbtxt'), `platform: "onnxruntime_onnx"\ninstance_group [ { count: 1, kind: ${kind} } ]\n`);
    }
    const { url } = await serve(['--model-repository', repository, '--model-control-mode', 'explicit', '--load-model', 'on_cpu', '--device', 'webgpu']);
    expect((await (await fetch(`${url}/v2/models/on_cpu`)).json()).parameters).toMatchObject({ device: 'cpu', runtime: 'onnxruntime-node' });
    const load = await fetch(`${url}/v2/repository/models/on_gpu/load`, { method: 'POST' });
    expect(load.status).toBe(400);
    expect((await load.json()).error).toMatch(/device 'gpu': no GPU provider works here \(.*webgpu: the only adapter is a software one \(SwiftShader driver 5\.0\.0\)/);
  }, 180_000);
});
