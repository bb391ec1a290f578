/**
 * Load options with one meaning everywhere: devices pick their package, expert pass-through
 * (executionProviders, sessionOptions) reaches onnxruntime, onnxruntime's log level is ours to
 * set, and onnxruntime-web's process-wide settings (numThreads, wasmPaths) apply once and say so
 * when a later load asks for others. Process-wide state is tested in child processes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { RuntimeOptionError, loadModel } from '../src/index.node.ts';
import { buildGraph, buildTwoInTwoOut } from '../../test/helpers/fixtures/graphs.ts';
import { expectError } from '../../test/helpers/expectError.ts';
import { useSoftwareWebGpu } from '../../test/helpers/webgpu.ts';

// WebGPU runs on SwiftShader here: point Dawn at it before the first session.
useSoftwareWebGpu();

const runtimeDir = dirname(dirname(fileURLToPath(import.meta.url)));
const entry = pathToFileURL(join(runtimeDir, 'dist', 'index.node.js')).href;
const model = buildTwoInTwoOut();
// Inside the package, so the child scripts resolve onnxruntime-web as the runtime does; git-ignored.
const work = join(runtimeDir, 'test-output', `options-${process.pid}`);
mkdirSync(work, { recursive: true });
afterAll(() => rmSync(work, { recursive: true, force: true }));

let children = 0;

/** Runs an ES module in a fresh Node process with the built package; returns stdout and stderr. */
function inChild(code: string): { stdout: string; stderr: string } {
  const script = `import * as runtime from ${JSON.stringify(entry)};\nconst model = Uint8Array.from(${JSON.stringify(Array.from(model))});\n${code}`;
  // A file, not `-e`: onnxruntime-web's worker threads inherit execArgv, and `--input-type` breaks them.
  children += 1;
  const file = join(work, `child-${children}.mjs`);
  writeFileSync(file, script);
  const result = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`child exited ${result.status}: ${result.stderr}`);
  return { stdout: result.stdout, stderr: result.stderr };
}

describe('device', () => {
  it("implies the package: 'wasm' is onnxruntime-web in Node too, 'cpu' (the default) and 'webgpu' onnxruntime-node", async () => {
    for (const [options, runtime, device] of [
      [{ device: 'wasm' }, 'onnxruntime-web', 'wasm'],
      [{ device: 'cpu' }, 'onnxruntime-node', 'cpu'],
      [{}, 'onnxruntime-node', 'cpu'],
      [{ device: 'webgpu' }, 'onnxruntime-node', 'webgpu'],
    ] as const) {
      const loaded = await loadModel(model, options);
      expect([loaded.placement.runtime, loaded.device], JSON.stringify(options)).toEqual([runtime, device]);
      await loaded.dispose();
    }
  });

  it('refuses options of the other package and contradictions, with what to do instead', async () => {
    await expectError(
      () => loadModel(model, { numThreads: 2 }),
      RuntimeOptionError,
      /numThreads is an option of device 'wasm' \(onnxruntime-web\); onnxruntime-node's devices take intraOpThreads/,
    );
    await expectError(
      () => loadModel(model, { device: 'webgpu', webgpu: { powerPreference: 'low-power' } }),
      RuntimeOptionError,
      /webgpu.powerPreference is an onnxruntime-web option \(browsers\): onnxruntime-node picks its adapter itself/,
    );
    await expectError(
      () => loadModel(model, { device: 'gpu', executionProviders: ['cpu'] }),
      RuntimeOptionError,
      /executionProviders replaces the provider device 'gpu' would choose/,
    );
    await expectError(
      () => loadModel(model, { executionProviders: [] }),
      RuntimeOptionError,
      /executionProviders must be a non-empty array/,
    );
    await expectError(
      () => loadModel(model, { sessionOptions: 'fast' as never }),
      RuntimeOptionError,
      /sessionOptions must be an onnxruntime SessionOptions object/,
    );
    await expectError(
      () => loadModel(model, { wasmPaths: 42 as never }),
      RuntimeOptionError,
      /wasmPaths must be a URL prefix string or an object/,
    );
    await expectError(
      () => loadModel(model, { logLevel: 'loud' as never }),
      RuntimeOptionError,
      /logLevel must be 'verbose', 'info', 'warning', 'error' or 'fatal', got 'loud'/,
    );
    await expectError(
      () => loadModel(model, { dtype: 'int4' as never }),
      RuntimeOptionError,
      /dtype must be 'fp32', 'fp16' or 'q8', got 'int4'/,
    );
    await expectError(() => loadModel(model, 'fast' as never), RuntimeOptionError, /options must be an object, got 'fast'/);
  });
});

describe('expert pass-through', () => {
  it('hands executionProviders and sessionOptions to onnxruntime as given', async () => {
    const optimized = join(work, 'optimized.onnx');
    const loaded = await loadModel(model, {
      executionProviders: [{ name: 'cpu' }],
      sessionOptions: { optimizedModelFilePath: optimized, graphOptimizationLevel: 'basic' },
    });
    expect(loaded.device).toBe('cpu');
    await loaded.dispose();
    // onnxruntime writes the optimized graph only when it received the option.
    expect(existsSync(optimized)).toBe(true);
    const web = await loadModel(model, { device: 'wasm', executionProviders: ['wasm'] });
    expect([web.placement.runtime, web.device, web.placement.executionProvider]).toEqual(['onnxruntime-web', 'wasm', 'wasm']);
    expect(web.placement.reason).toBe('executionProviders were given (wasm first)');
    await web.dispose();
  });
});

describe('process-wide onnxruntime settings', () => {
  // An unused initializer makes onnxruntime log a warning when it loads the model.
  const noisy = buildGraph({
    inputs: [{ name: 'x', type: 'float32', shape: [null, 2] }],
    outputs: [{ name: 'y', type: 'float32', shape: [null, 2] }],
    nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }],
    initializers: [{ name: 'unused', type: 'float32', dims: [1], values: [0] }],
  });

  it("keeps onnxruntime's warnings off stderr unless logLevel asks for them", () => {
    const load = (options: string) =>
      inChild(
        `const m = await runtime.loadModel(Uint8Array.from(${JSON.stringify(Array.from(noisy))}), ${options}); await m.dispose(); console.log('loaded');`,
      );
    for (const options of ['{}', "{ device: 'wasm' }"]) {
      const quiet = load(options);
      expect(quiet.stdout.trim()).toBe('loaded');
      expect(quiet.stderr, options).toBe('');
    }
    expect(load("{ logLevel: 'warning' }").stderr).toMatch(/Removing initializer 'unused'/);
  });

  it('runs onnxruntime-web with numThreads threads in Node, and refuses a different count later', () => {
    const { stdout } = inChild(`
      const { env } = await import('onnxruntime-web');
      const feeds = { x: { type: 'float32', dims: [1, 3], data: Float32Array.from([1, 2, 3]) }, k: { type: 'int64', dims: [1, 1], data: BigInt64Array.from([2n]) } };
      const first = await runtime.loadModel(model, { device: 'wasm', numThreads: 2 });
      const out = await first.run(feeds);
      const same = await runtime.loadModel(model, { device: 'wasm', numThreads: 2 });
      let refused;
      try { await runtime.loadModel(model, { device: 'wasm', numThreads: 1 }); } catch (error) { refused = error.name + ': ' + error.message; }
      console.log(JSON.stringify({ threads: env.wasm.numThreads, scaled: Array.from(out.scaled.data), refused }));
      await first.dispose(); await same.dispose();
      process.exit(0);`);
    const result = JSON.parse(stdout) as { threads: number; scaled: number[]; refused: string };
    expect(result.threads).toBe(2);
    expect(result.scaled).toEqual([2, 4, 6]);
    expect(result.refused).toMatch(
      /^RuntimeOptionError: numThreads 1 cannot apply: onnxruntime-web already started with 2 thread\(s\) in this process/,
    );
  });

  it('runs onnxruntime-web with a thread per core (up to 4) in Node when no count is given, and exits', () => {
    const { stdout } = inChild(`
      const { env } = await import('onnxruntime-web');
      const { availableParallelism } = await import('node:os');
      const m = await runtime.loadModel(model, { device: 'wasm' });
      const out = await m.run({ x: { type: 'float32', dims: [1, 3], data: Float32Array.from([1, 2, 3]) }, k: { type: 'int64', dims: [1, 1], data: BigInt64Array.from([2n]) } });
      console.log(JSON.stringify({ threads: env.wasm.numThreads, cores: availableParallelism(), scaled: Array.from(out.scaled.data) }));
      await m.dispose();`);
    const result = JSON.parse(stdout) as { threads: number; cores: number; scaled: number[] };
    expect(result.threads).toBe(Math.min(4, result.cores));
    expect(result.scaled).toEqual([2, 4, 6]);
  });

  it('loads onnxruntime-web’s files from wasmPaths', () => {
    const missing = `${join(work, 'no-wasm-here')}/`;
    const { stdout } = inChild(`
      try { await runtime.loadModel(model, { device: 'wasm', wasmPaths: ${JSON.stringify(missing)} }); console.log('loaded'); }
      catch (error) { console.log(error.name + ': ' + error.message); }
      process.exit(0);`);
    expect(stdout.trim()).toMatch(/^ModelLoadError: onnxruntime-web could not load the in-memory model: .*no-wasm-here/);
  });
});
