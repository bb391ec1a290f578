/**
 * The lecture's MLP on WebGPU in Node (onnxruntime-node's WebGPU provider on SwiftShader, a
 * software adapter: this machine has no GPU) against the CPU on all 10,000 MNIST test digits (the
 * CNN's are in mnistCnn.test.ts); `serve --device webgpu` answering a v2 infer with the right
 * digit; a Triton model repository's instance_group kind choosing the device.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killServeClis, startServeCli } from '../helpers/serveCli.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { useSoftwareWebGpu } from '../helpers/webgpu.ts';
import { expectWebGpuMatchesCpu, trainedMnistModel, type MnistFixture } from './mnist.ts';

const webgpuEnv = useSoftwareWebGpu();
const work = tempDir('tfjs-onnx-gpu-mnist-');
let mlp: MnistFixture;

beforeAll(async () => {
  mlp = await trainedMnistModel('mlp', work);
}, 300_000);

describe('the MNIST MLP on WebGPU in Node, against the CPU, on all 10,000 test digits', () => {
  it('gives the same top-1 on every digit, max |Δp| ≤ 1e-4', async () => {
    await expectWebGpuMatchesCpu(mlp);
  }, 600_000);
});

describe('serve --device webgpu', () => {
  afterEach(killServeClis);
  const serve = (args: string[]) => startServeCli(['--port', '0', '--no-grpc', ...args], { env: webgpuEnv, timeoutMs: 120_000 });

  it('answers a v2 infer with the right digit, and says where the model runs', async () => {
    const { url, output } = await serve([mlp.onnxPath, '--device', 'webgpu']);
    expect(output()).toMatch(/model mlp version 1 on webgpu \(onnxruntime-node, SwiftShader driver 5\.0\.0, software\): POST/);
    const metadata = await (await fetch(`${url}/v2/models/mlp`)).json();
    expect(metadata.parameters).toEqual({
      device: 'webgpu',
      execution_provider: 'webgpu',
      runtime: 'onnxruntime-node',
      adapter: 'SwiftShader driver 5.0.0 (software)',
      placement: "device 'webgpu' was asked for",
    });
    // The first three test digits (a 7, a 2 and a 1), one request each.
    for (const index of [0, 1, 2]) {
      const body = {
        inputs: [
          {
            name: metadata.inputs[0].name,
            shape: [1, 28, 28, 1],
            datatype: 'FP32',
            data: Array.from(mlp.input.subarray(index * 784, (index + 1) * 784)),
          },
        ],
      };
      const reply = await fetch(`${url}/v2/models/mlp/infer`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
      expect(reply.status).toBe(200);
      const probabilities: number[] = (await reply.json()).outputs[0].data;
      expect(probabilities.indexOf(Math.max(...probabilities))).toBe(mlp.test.labels[index]);
    }
  }, 180_000);

  it("runs a repository model where its instance_group says: KIND_CPU on cpu, KIND_GPU on 'gpu', which refuses the software adapter", async () => {
    const repository = path.join(work, 'repository');
    for (const [name, kind] of [
      ['on_cpu', 'KIND_CPU'],
      ['on_gpu', 'KIND_GPU'],
    ] as const) {
      mkdirSync(path.join(repository, name, '1'), { recursive: true });
      writeFileSync(path.join(repository, name, '1', 'model.onnx'), await readFile(mlp.onnxPath));
      writeFileSync(
        path.join(repository, name, 'config.pbtxt'),
        `platform: "onnxruntime_onnx"\ninstance_group [ { count: 1, kind: ${kind} } ]\n`,
      );
    }
    const { url } = await serve([
      '--model-repository',
      repository,
      '--model-control-mode',
      'explicit',
      '--load-model',
      'on_cpu',
      '--device',
      'webgpu',
    ]);
    expect((await (await fetch(`${url}/v2/models/on_cpu`)).json()).parameters).toMatchObject({
      device: 'cpu',
      runtime: 'onnxruntime-node',
    });
    const load = await fetch(`${url}/v2/repository/models/on_gpu/load`, { method: 'POST' });
    expect(load.status).toBe(400);
    expect((await load.json()).error).toMatch(
      /device 'gpu': no GPU provider works here \(.*webgpu: the only adapter is a software one \(SwiftShader driver 5\.0\.0\)/,
    );
  }, 180_000);
});
