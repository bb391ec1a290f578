/**
 * The README's examples are the tested code: each block marked `<!-- example: NAME -->` is
 * written out verbatim and run as a user would run it (tsx, importing '@tfjs-onnx/runtime'), in a
 * folder holding the files it names, and what it prints is checked against what the README says.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng, randomPixels } from '../../test/helpers/fixtures/images.ts';
import { buildTwoInTwoOut, buildVariantModels } from '../../test/helpers/fixtures/graphs.ts';

const runtimeDir = dirname(dirname(fileURLToPath(import.meta.url)));
// Inside the package, so the examples resolve '@tfjs-onnx/runtime' and tsx as an app would; git-ignored.
const work = join(runtimeDir, 'test-output', `readme-${process.pid}`);
const readme = readFileSync(join(runtimeDir, 'README.md'), 'utf8');

/** The code blocks marked as examples, by file name. */
function examples(): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of readme.matchAll(/<!-- example: (\S+)[^>]*-->\n```ts\n([\s\S]*?)```/g)) found.set(match[1]!, match[2]!);
  return found;
}

function run(name: string, env: Record<string, string> = {}): string {
  const file = join(work, name);
  writeFileSync(file, examples().get(name)!);
  const result = spawnSync(process.execPath, ['--import', 'tsx', file], {
    cwd: work,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  expect(result.stderr, name).toBe('');
  expect(result.status, name).toBe(0);
  return result.stdout;
}

beforeAll(() => {
  mkdirSync(join(work, 'models'), { recursive: true });
  const digits = buildVariantModels({
    height: 28,
    width: 28,
    classCount: 10,
    seed: 3,
    labels: Array.from({ length: 10 }, (_, i) => String(i)),
  });
  writeFileSync(join(work, 'model.onnx'), digits.fp32);
  writeFileSync(join(work, 'models', 'model.onnx'), digits.fp32);
  writeFileSync(join(work, 'models', 'model_fp16.onnx'), digits.fp16);
  writeFileSync(join(work, 'models', 'model_quantized.onnx'), digits.q8);
  writeFileSync(join(work, 'digit.png'), encodePng(randomPixels(28 * 28, 7), 28, 28, 1));
  writeFileSync(join(work, 'two-inputs.onnx'), buildTwoInTwoOut());
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('README examples', () => {
  it('are all found', () => {
    expect([...examples().keys()]).toEqual(['devices.ts', 'classify.ts', 'run.ts', 'from-model.ts', 'dtype.ts']);
  });

  it("devices.ts: 'auto' on a machine without a GPU runs on the CPU and says why", () => {
    // No Vulkan driver to be found, whatever this machine has: the case the example describes.
    const empty = join(work, 'no-drivers');
    mkdirSync(empty, { recursive: true });
    const env = { XDG_DATA_DIRS: empty, XDG_CONFIG_DIRS: empty, XDG_DATA_HOME: empty, VK_ICD_FILENAMES: '' };
    const [devices, reason] = run('devices.ts', env).trim().split('\n');
    expect(devices).toBe('cpu cpu');
    expect(reason).toMatch(/^auto: cuda: .*not installed.*; webgpu: no adapter \(.*\); fell back to cpu$/);
  });

  it('classify.ts prints the top 3 classes with labels', () => {
    const out = run('classify.ts');
    expect(out.match(/label: '\d'/g)).toHaveLength(3);
    expect(out).toMatch(/probability: 0\.\d+/);
  });

  it('run.ts prints the inputs and the two outputs it says it prints', () => {
    const out = run('run.ts');
    expect(out).toContain("name: 'x', type: 'float32', shape: [ null, 3 ]");
    expect(out).toContain("name: 'k', type: 'int64', shape: [ null, 1 ]");
    expect(out).toContain('Float32Array(3) [ 2, 4, 6 ] BigInt64Array(1) [ 3n ]');
  });

  it('from-model.ts classifies over the loaded model, and the model outlives the classifier', () => {
    expect(run('from-model.ts').trim().split('\n')).toEqual(['true', "[ 'probabilities' ]"]);
  });

  it('dtype.ts loads the quantized variant from the directory', () => {
    expect(run('dtype.ts').trim()).toBe('q8');
  });
});
