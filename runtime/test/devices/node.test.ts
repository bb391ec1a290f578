/**
 * Where a model runs on a machine without a GPU: onnxruntime-node's WebGPU provider on SwiftShader
 * (a software adapter, named through the `webgpu` package), 'gpu' and 'auto' passing over it, a model
 * that computes in float16 refused on an adapter without shader-f16, and what happens with no
 * adapter at all or without the `webgpu` package (in child processes, since the adapter is probed
 * once per process).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BackendUnavailableError, InferenceError, loadModel } from '../../src/index.node.ts';
import { buildGraph } from '../../../test/helpers/fixtures/graphs.ts';
import { expectError } from '../../../test/helpers/expectError.ts';
import { useSoftwareWebGpu } from '../../../test/helpers/webgpu.ts';

// WebGPU runs on SwiftShader here: point Dawn at it before the first session.
useSoftwareWebGpu();

const FLOAT16 = 10;
/** x (float32) → Cast to float16 → Relu → Cast back: float16 compute at run time. */
const computesInHalf = buildGraph({
  inputs: [{ name: 'x', type: 'float32', shape: [null, 3] }],
  outputs: [{ name: 'y', type: 'float32', shape: [null, 3] }],
  nodes: [
    { op: 'Cast', inputs: ['x'], outputs: ['h'], attributes: { to: FLOAT16 } },
    { op: 'Relu', inputs: ['h'], outputs: ['r'] },
    { op: 'Cast', inputs: ['r'], outputs: ['y'], attributes: { to: 1 } },
  ],
});
/** The same in float32, with a float16 weight cast once (what tfjs-onnx's fp16 variants look like). */
const halfWeight = buildGraph({
  inputs: [{ name: 'x', type: 'float32', shape: [null, 3] }],
  outputs: [{ name: 'y', type: 'float32', shape: [null, 3] }],
  nodes: [
    { op: 'Cast', inputs: ['w16'], outputs: ['w'], attributes: { to: 1 } },
    { op: 'Mul', inputs: ['x', 'w'], outputs: ['y'] },
  ],
  initializers: [{ name: 'w16', type: 'float16', dims: [3], values: [0x3c00, 0x4000, 0xc000] }], // 1, 2, -2
});
const x = { type: 'float32' as const, dims: [2, 3], data: Float32Array.from([1, -2, 3, 0.5, 4, -1]) };

describe("device 'webgpu' in Node", () => {
  it('runs on onnxruntime-node’s WebGPU provider and names the adapter it got', async () => {
    const model = await loadModel(halfWeight, { device: 'webgpu' });
    expect(model.placement).toEqual({
      requested: 'webgpu',
      device: 'webgpu',
      executionProvider: 'webgpu',
      runtime: 'onnxruntime-node',
      adapter: { name: 'SwiftShader driver 5.0.0', vendor: 'google', architecture: 'swiftshader', software: true, shaderF16: false },
      reason: "device 'webgpu' was asked for",
    });
    // float16 weights, float32 compute: runs on an adapter without shader-f16.
    expect(Array.from((await model.run({ x })).y!.data as Float32Array)).toEqual([1, -4, -6, 0.5, 8, 2]);
    await model.dispose();
  });

  it('refuses a model that computes in float16 on an adapter without shader-f16, saying why and what to do; the CPU runs it', async () => {
    await expectError(
      () => loadModel(computesInHalf, { device: 'webgpu' }),
      BackendUnavailableError,
      /^device 'webgpu' cannot run here: the adapter \(SwiftShader driver 5\.0\.0\) lacks shader-f16, and this model computes in float16 at run time \(a Cast to float16, Cast \(node 'h'\)\); load it on the CPU, or use a model that computes in float32/,
    );
    const cpu = await loadModel(computesInHalf, { device: 'cpu' });
    expect(Array.from((await cpu.run({ x })).y!.data as Float32Array)).toEqual([1, 0, 3, 0.5, 4, 0]);
    await cpu.dispose();
  });

  it('says what a float16 failure at run time means when the provider list is an expert’s own', async () => {
    const model = await loadModel(computesInHalf, { executionProviders: ['webgpu'], logLevel: 'fatal' });
    expect(model.placement).toMatchObject({
      device: 'cpu',
      executionProvider: 'webgpu',
      reason: 'executionProviders were given (webgpu first)',
    });
    await expectError(
      () => model.run({ x }),
      InferenceError,
      /onnxruntime-node \(webgpu\) failed to run the model on input \[2, 3\]: the WebGPU adapter lacks shader-f16, and this model computes in float16 at run time; load it on the CPU/,
    );
    await model.dispose();
  });
});

describe("devices 'gpu' and 'auto'", () => {
  it("'gpu' refuses a software adapter and says what each GPU provider lacked", async () => {
    const error = await expectError(
      () => loadModel(halfWeight, { device: 'gpu' }),
      BackendUnavailableError,
      /^device 'gpu': no GPU provider works here \(/,
    );
    expect(error.message).toMatch(/webgpu: the only adapter is a software one \(SwiftShader driver 5\.0\.0\), slower than the CPU\)/);
    expect(error.message).toMatch(/; load with device 'cpu', or 'auto' to fall back to it$/);
  });

  it("'auto' falls back to the CPU and keeps the reasons", async () => {
    const model = await loadModel(halfWeight, { device: 'auto' });
    expect(model.placement).toMatchObject({ requested: 'auto', device: 'cpu', executionProvider: 'cpu', runtime: 'onnxruntime-node' });
    expect(model.placement.reason).toMatch(
      /^auto: .*webgpu: the only adapter is a software one \(SwiftShader driver 5\.0\.0\), slower than the CPU; fell back to cpu$/,
    );
    expect(Array.from((await model.run({ x })).y!.data as Float32Array)).toEqual([1, -4, -6, 0.5, 8, 2]);
    await model.dispose();
  });
});

describe('without an adapter, and without the webgpu package (child processes)', () => {
  const runtimeDir = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
  const entry = pathToFileURL(join(runtimeDir, 'dist', 'index.node.js')).href;
  const work = join(runtimeDir, 'test-output', `devices-${process.pid}`);
  mkdirSync(work, { recursive: true });
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  // Takes the `webgpu` package away from the child, as for an app that did not install it.
  const hideDawn = join(work, 'hide-dawn.mjs');
  writeFileSync(
    hideDawn,
    `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent("export async function resolve(s, c, next) { if (s === 'webgpu') { const e = new Error(\\"Cannot find package 'webgpu'\\"); e.code = 'ERR_MODULE_NOT_FOUND'; throw e; } return next(s, c); }"));\n`,
  );

  function placements(env: Record<string, string>, execArgv: string[] = []): Record<string, string> {
    const file = join(work, `child-${Object.keys(env).join('-') || 'plain'}-${execArgv.length}.mjs`);
    writeFileSync(
      file,
      `import * as runtime from ${JSON.stringify(entry)};
const model = Uint8Array.from(${JSON.stringify(Array.from(halfWeight))});
const out = {};
for (const device of ['webgpu', 'auto']) {
  try { const m = await runtime.loadModel(model, { device }); out[device] = m.device + ' | ' + m.placement.reason + ' | ' + (m.placement.adapter?.name ?? 'unnamed'); await m.dispose(); }
  catch (error) { out[device] = error.name + ': ' + error.message; }
}
console.log(JSON.stringify(out));`,
    );
    const result = spawnSync(process.execPath, [...execArgv, file], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, ...env },
    });
    if (result.status !== 0) throw new Error(`child exited ${result.status}: ${result.stderr}`);
    return JSON.parse(result.stdout) as Record<string, string>;
  }

  it("no adapter: 'webgpu' fails saying what to install, 'auto' runs on the CPU and says why", () => {
    const out = placements({ VK_ICD_FILENAMES: join(work, 'no-such-driver.json') });
    expect(out.webgpu).toMatch(
      /^BackendUnavailableError: device 'webgpu' cannot run here: no adapter \(install a GPU driver, or set VK_ICD_FILENAMES to a Vulkan driver manifest\)$/,
    );
    expect(out.auto).toMatch(
      /^cpu \| auto: .*webgpu: no adapter \(install a GPU driver, or set VK_ICD_FILENAMES to a Vulkan driver manifest\); fell back to cpu \| unnamed$/,
    );
  });

  it("without the webgpu package: 'webgpu' runs on an unnamed adapter, 'auto' does not risk a software one", () => {
    const out = placements({}, ['--import', pathToFileURL(hideDawn).href]);
    expect(out.webgpu).toBe("webgpu | device 'webgpu' was asked for | unnamed");
    expect(out.auto).toMatch(
      /^cpu \| auto: .*webgpu: adapter not checked: the optional `webgpu` package \(Dawn for Node, which names the adapter\) is not installed, so a software adapter could not be told from a GPU; fell back to cpu \| unnamed$/,
    );
  });
});
