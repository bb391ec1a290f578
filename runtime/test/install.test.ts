/**
 * The package as an app gets it: `npm pack` (its prepack builds dist/), then `npm install` of the
 * tarball into an empty app from the npm registry, install scripts running as npm runs them for a
 * user, no environment variable. The onnxruntime packages are optional peers, so the tarball alone
 * pulls in neither; the app adds onnxruntime-web, and onnxruntime-node with the documented
 * `.npmrc` line that skips its CUDA download. Then it classifies a PNG in Node (devices cpu and wasm) and,
 * built with Vite, in headless Chromium.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier } from '../src/index.node.ts';
import { encodePng, randomPixels } from '../../test/helpers/fixtures/images.ts';
import { buildTinyClassifier } from '../../test/helpers/fixtures/models.ts';
import { maxAbsDiff } from '../../test/helpers/tensors.ts';
import { launchChromium, serveDirectory } from '../../test/helpers/browser.ts';

const runtimeDir = dirname(dirname(fileURLToPath(import.meta.url)));
const repoNodeModules = join(runtimeDir, '..', 'node_modules');
const pkg = JSON.parse(readFileSync(join(runtimeDir, 'package.json'), 'utf8')) as {
  version: string;
  peerDependencies: Record<string, string>;
};
const LABELS = ['zero', 'one', 'two', 'three', 'four'];
const model = buildTinyClassifier({
  inputShape: [null, 10, 10, 1],
  classCount: 5,
  seed: 31,
  metadata: { 'tfjs_onnx.labels': JSON.stringify(LABELS) },
});
const png = encodePng(randomPixels(20 * 20 * 3, 8), 20, 20, 3);

let work: string;
let appDir: string;
let tarball: string;

/** npm as a user runs it: none of the npm_* variables `npm test` put into this process. */
function npm(args: string[], cwd: string): string {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
  return execFileSync('npm', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'tfjs-onnx-install-'));
  // Pack a copy of the sources, as a fresh clone has them (no dist/), so other tests' dist/ is left alone.
  const source = join(work, 'package');
  mkdirSync(source);
  for (const file of ['package.json', 'tsconfig.json', 'README.md', 'LICENSE', 'src'])
    cpSync(join(runtimeDir, file), join(source, file), { recursive: true });
  symlinkSync(repoNodeModules, join(source, 'node_modules'), 'dir');
  npm(['pack', '--pack-destination', work, '--silent'], source);
  tarball = join(work, `tfjs-onnx-runtime-${pkg.version}.tgz`);

  appDir = join(work, 'app');
  mkdirSync(appDir);
  writeFileSync(join(appDir, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  npm(['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], appDir);
}, 240_000);

afterAll(() => rm(work));

function rm(path: string | undefined): void {
  if (path) rmSync(path, { recursive: true, force: true });
}

describe('npm pack', () => {
  it('ships the built code, types, README and LICENSE, and no source maps or sources', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
    for (const file of [
      'package/package.json',
      'package/LICENSE',
      'package/README.md',
      'package/dist/index.node.js',
      'package/dist/index.node.d.ts',
      'package/dist/index.browser.js',
      'package/dist/index.wasm.browser.js',
    ]) {
      expect(files).toContain(file);
    }
    expect(files.filter((f) => f.endsWith('.map') || f.includes('/src/') || f.includes('/test/'))).toEqual([]);
    const shipped = readFileSync(join(appDir, 'node_modules', '@tfjs-onnx', 'runtime', 'dist', 'index.node.js'), 'utf8');
    expect(shipped).not.toContain('sourceMappingURL');
  });
});

describe('an app that installs the tarball', () => {
  it('gets neither onnxruntime package with it (they are optional peers), and a message naming the one to install', async () => {
    expect(existsSync(join(appDir, 'node_modules', 'onnxruntime-node'))).toBe(false);
    expect(existsSync(join(appDir, 'node_modules', 'onnxruntime-web'))).toBe(false);
    expect(existsSync(join(appDir, 'node_modules', 'webgpu'))).toBe(false);
    writeFileSync(
      join(appDir, 'missing.mjs'),
      `
      import { loadClassifier } from '@tfjs-onnx/runtime';
      for (const device of ['cpu', 'wasm']) {
        try { await loadClassifier(new Uint8Array([8, 1]), { device }); } catch (error) { console.log(error.name + ': ' + error.message); }
      }`,
    );
    const lines = execFileSync(process.execPath, ['missing.mjs'], { cwd: appDir, encoding: 'utf8' }).trim().split('\n');
    expect(lines[0]).toMatch(
      /^BackendUnavailableError: the onnxruntime-node package is not installed \(devices cpu, webgpu, cuda, dml and coreml run on it\): run `npm install onnxruntime-node`, or load with device 'wasm'/,
    );
    expect(lines[1]).toMatch(
      /^BackendUnavailableError: the onnxruntime-web package is not installed \(device wasm runs on it\): run `npm install onnxruntime-web`, or load with device 'cpu'/,
    );
  });

  it('reads the device vocabulary from @tfjs-onnx/runtime/constants without any onnxruntime package', () => {
    writeFileSync(
      join(appDir, 'constants.mjs'),
      `
      import { DEVICES, NODE_DEVICE_PACKAGES } from '@tfjs-onnx/runtime/constants';
      console.log(JSON.stringify({ DEVICES, wasm: NODE_DEVICE_PACKAGES.wasm }));`,
    );
    expect(JSON.parse(execFileSync(process.execPath, ['constants.mjs'], { cwd: appDir, encoding: 'utf8' }))).toEqual({
      DEVICES: ['cpu', 'wasm', 'webgpu', 'cuda', 'dml', 'coreml', 'gpu', 'auto'],
      wasm: 'onnxruntime-web',
    });
  });

  it('reads the error classes from @tfjs-onnx/runtime/errors without a backend, the same classes the main entry throws', () => {
    writeFileSync(
      join(appDir, 'errors.mjs'),
      `
      import { BackendUnavailableError, TfjsOnnxRuntimeError, describeError } from '@tfjs-onnx/runtime/errors';
      const { loadModel } = await import('@tfjs-onnx/runtime');
      const error = await loadModel(new Uint8Array([8, 1]), { device: 'cpu' }).catch((caught) => caught);
      console.log(JSON.stringify({ runtime: error instanceof TfjsOnnxRuntimeError, unavailable: error instanceof BackendUnavailableError, text: describeError(new Error('a\\n  b')) }));`,
    );
    expect(JSON.parse(execFileSync(process.execPath, ['errors.mjs'], { cwd: appDir, encoding: 'utf8' }))).toEqual({
      runtime: true,
      unavailable: true,
      text: 'a; b',
    });
  });

  it('classifies a PNG in Node on cpu and wasm once it adds them (onnxruntime-node with .npmrc skipping its CUDA download)', async () => {
    writeFileSync(join(appDir, '.npmrc'), 'onnxruntime-node-install=skip\n');
    npm(
      [
        'install',
        `onnxruntime-web@${pkg.peerDependencies['onnxruntime-web']}`,
        `onnxruntime-node@${pkg.peerDependencies['onnxruntime-node']}`,
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
      ],
      appDir,
    );
    // The CUDA provider would only be there if the install script had downloaded it.
    const bin = join(appDir, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', 'linux', 'x64');
    if (existsSync(bin)) expect(readdirSync(bin).filter((f) => f.includes('cuda'))).toEqual([]);
    writeFileSync(join(appDir, 'model.onnx'), model.bytes);
    writeFileSync(join(appDir, 'digit.png'), png);
    writeFileSync(
      join(appDir, 'classify.mjs'),
      `
      import { readFile } from 'node:fs/promises';
      import { loadClassifier } from '@tfjs-onnx/runtime';
      const out = {};
      for (const device of ['cpu', 'wasm']) {
        const classifier = await loadClassifier('model.onnx', { device });
        const [result] = await classifier.classify(await readFile('digit.png'), { topK: 2 });
        out[device] = { device: classifier.device, runtime: classifier.placement.runtime, top: result.top, probabilities: Array.from(result.probabilities) };
        await classifier.dispose();
      }
      console.log(JSON.stringify(out));`,
    );
    const out = JSON.parse(execFileSync(process.execPath, ['classify.mjs'], { cwd: appDir, encoding: 'utf8' })) as Record<
      string,
      { device: string; runtime: string; top: { label: string }[]; probabilities: number[] }
    >;
    const here = await loadClassifier(model.bytes);
    const [expected] = await here.classify(png, { topK: 2 });
    await here.dispose();
    expect([out.cpu!.device, out.cpu!.runtime]).toEqual(['cpu', 'onnxruntime-node']);
    expect([out.wasm!.device, out.wasm!.runtime]).toEqual(['wasm', 'onnxruntime-web']);
    for (const device of ['cpu', 'wasm']) {
      expect(maxAbsDiff(out[device]!.probabilities, expected!.probabilities), device).toBeLessThanOrEqual(1e-5);
      expect(out[device]!.top.map((p) => p.label)).toEqual(expected!.top.map((p) => p.label));
    }
  }, 120_000);

  it('classifies the same PNG bytes in Chromium, bundled by Vite from the installed package', async () => {
    const web = join(appDir, 'web');
    mkdirSync(join(web, 'public'), { recursive: true });
    writeFileSync(join(web, 'public', 'model.onnx'), model.bytes);
    writeFileSync(join(web, 'public', 'digit.png'), png);
    writeFileSync(
      join(web, 'index.html'),
      '<!doctype html><html><head><link rel="icon" href="data:,"></head><body><script type="module" src="./main.js"></script></body></html>\n',
    );
    writeFileSync(
      join(web, 'main.js'),
      `import { loadClassifier } from '@tfjs-onnx/runtime';
      window.result = (async () => {
        const classifier = await loadClassifier('./model.onnx');
        const [result] = await classifier.classify('./digit.png', { topK: 2 });
        return { device: classifier.device, top: result.top, probabilities: Array.from(result.probabilities) };
      })();`,
    );
    await build({
      root: web,
      configFile: false,
      logLevel: 'silent',
      build: { outDir: join(web, 'dist'), target: 'es2022', emptyOutDir: true },
    });
    const server = await serveDirectory(join(web, 'dist'));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const outside: string[] = [];
      page.on('request', (request) => {
        if (!request.url().startsWith(origin) && !/^(data|blob):/.test(request.url())) outside.push(request.url());
      });
      await page.goto(`${origin}/`);
      const result = (await page.evaluate(() => (window as unknown as { result: Promise<unknown> }).result)) as {
        device: string;
        top: { label: string }[];
        probabilities: number[];
      };
      const here = await loadClassifier(model.bytes);
      const [expected] = await here.classify(png, { topK: 2 });
      await here.dispose();
      expect(result.device).toBe('wasm');
      // The browser decodes the PNG itself (createImageBitmap); an opaque PNG decodes to the same pixels as pngjs.
      expect(maxAbsDiff(result.probabilities, expected!.probabilities)).toBeLessThanOrEqual(1e-5);
      expect(result.top.map((p) => p.label)).toEqual(expected!.top.map((p) => p.label));
      expect(outside).toEqual([]);
    } finally {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 120_000);
});
