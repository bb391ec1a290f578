/**
 * A model.json of the wrong structure is one InvalidInputError naming the file and the place in
 * it, from the loader (readTfjsModelFiles) and so from every command that reads one; never a
 * TypeError, a stack overflow or a read of a file the model.json should not name.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { InvalidInputError } from '../../common/errors.ts';
import { nestingDepth } from '../../common/modelJson.ts';
import { readTfjsModelFiles } from '../../common/tfjsModelFiles.ts';
import { runCli } from '../../pipeline/cli.ts';
import { tempDir } from '../helpers/tempDir.ts';

type Json = Record<string, unknown>;

/** A structurally valid model.json: two float32 weights in one 40-byte shard. */
function validModel(): Json {
  return {
    format: 'layers-model',
    modelTopology: { class_name: 'Sequential', config: { name: 'tiny', layers: [] } },
    weightsManifest: [
      {
        paths: ['group1-shard1of1.bin'],
        weights: [
          { name: 'dense/kernel', shape: [2, 4], dtype: 'float32' },
          { name: 'dense/bias', shape: [2], dtype: 'float32' },
        ],
      },
    ],
  };
}

const root = tempDir();
writeFileSync(path.join(root, 'group1-shard1of1.bin'), new Uint8Array(40));
let written = 0;

function writeModel(content: unknown): string {
  const file = path.join(root, `model-${written++}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function mutated(change: (model: Json & { weightsManifest: Json[] }) => void): Json {
  const model = validModel() as Json & { weightsManifest: Json[] };
  change(model);
  return model;
}

const weight = (model: { weightsManifest: Json[] }, index: number) => (model.weightsManifest[0]!.weights as Json[])[index]!;

describe('model.json structure', () => {
  it('reads the valid model and its shard', async () => {
    const files = await readTfjsModelFiles(writeModel(validModel()));
    expect(files.weightSpecs.map((spec) => spec.name)).toEqual(['dense/kernel', 'dense/bias']);
    expect(files.weightData.byteLength).toBe(40);
  });

  it.each<[string, unknown, RegExp]>([
    ['not an object', [1, 2], /is not a tfjs model\.json: it holds a list of 2, not an object$/],
    ['no modelTopology', { weightsManifest: [] }, /has no modelTopology$/],
    ['a string modelTopology', { modelTopology: 'Sequential' }, /modelTopology must be an object, got "Sequential"$/],
    [
      'a manifest that is not a list',
      mutated((m) => (m.weightsManifest = { paths: [] } as never)),
      /weightsManifest must be a list of weight groups, got an object$/,
    ],
    [
      'a null manifest group',
      mutated((m) => (m.weightsManifest = [null as never])),
      /weightsManifest\[0\] must be a weight group \(\{ paths, weights \}\), got null$/,
    ],
    [
      'missing paths',
      mutated((m) => delete m.weightsManifest[0]!.paths),
      /weightsManifest\[0\]\.paths must be a list of shard file names, got nothing$/,
    ],
    [
      'missing weights',
      mutated((m) => delete m.weightsManifest[0]!.weights),
      /weightsManifest\[0\]\.weights must be a list of weight specs, got nothing$/,
    ],
    [
      'a numeric path',
      mutated((m) => (m.weightsManifest[0]!.paths = [7])),
      /weightsManifest\[0\]\.paths\[0\] must be a shard file name, got number 7$/,
    ],
    [
      'a path outside the folder',
      mutated((m) => (m.weightsManifest[0]!.paths = ['../../etc/passwd'])),
      /paths\[0\] is "\.\.\/\.\.\/etc\/passwd", which is outside the model's folder$/,
    ],
    ['an absolute path', mutated((m) => (m.weightsManifest[0]!.paths = ['/etc/passwd'])), /outside the model's folder$/],
    [
      'a null weight spec',
      mutated((m) => ((m.weightsManifest[0]!.weights as unknown[])[1] = null)),
      /weightsManifest\[0\]\.weights\[1\] must be a weight spec \(\{ name, shape, dtype \}\), got null$/,
    ],
    [
      'a missing shape',
      mutated((m) => delete weight(m, 0).shape),
      /weights\[0\] \("dense\/kernel"\)\.shape must be a list of sizes, got nothing$/,
    ],
    ['a string shape', mutated((m) => (weight(m, 0).shape = '2,4')), /\.shape must be a list of sizes, got "2,4"$/],
    [
      'a negative size',
      mutated((m) => (weight(m, 1).shape = [-2])),
      /weights\[1\] \("dense\/bias"\)\.shape\[0\] must be a size from 0 to 2147483647, got number -2$/,
    ],
    [
      'a huge shape',
      mutated((m) => (weight(m, 1).shape = [2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31 - 1])),
      /holds more values than any file can$/,
    ],
    ['a numeric weight name', mutated((m) => (weight(m, 0).name = 12)), /weights\[0\]\.name must be a non-empty string, got number 12$/],
    [
      'a weight named twice',
      mutated((m) => (weight(m, 1).name = 'dense/kernel')),
      /weights\[1\] \("dense\/kernel"\): the weight name appears twice$/,
    ],
    [
      'an unknown dtype',
      mutated((m) => (weight(m, 0).dtype = 'float64')),
      /\.dtype must be one of float32, int32, bool, string, complex64, got "float64"$/,
    ],
    [
      'a bad quantization',
      mutated((m) => (weight(m, 0).quantization = { dtype: 'int4' })),
      /\.quantization\.dtype must be one of uint8, uint16, float16, got "int4"$/,
    ],
    [
      'a missing shard',
      mutated((m) => (m.weightsManifest[0]!.paths = ['missing.bin'])),
      /^weight shard .*missing\.bin listed in .* cannot be read: ENOENT/,
    ],
    ['a shard of the wrong size', mutated((m) => (weight(m, 1).shape = [3])), /hold 40 bytes but .* describes 44 bytes/],
    [
      '50,000-deep nesting',
      `{"modelTopology": ${'['.repeat(50_000)}${']'.repeat(50_000)}}`,
      /nests more than 200 levels deep, which no tfjs model does$/,
    ],
    ['truncated JSON', '{"modelTopology": {', /is not valid JSON: /],
  ])('refuses %s with one line naming the file and the place', async (_, content, message) => {
    const file = writeModel(content);
    const error = await readTfjsModelFiles(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).not.toContain('\n');
  });

  it('gives the same line through `tfjs-onnx convert`, which exits 1 with it', async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const file = writeModel(mutated((m) => (m.weightsManifest = [null as never])));
    await expect(runCli(['convert', file, '-o', path.join(root, 'never.onnx')])).rejects.toThrow(
      new InvalidInputError(`${file}: weightsManifest[0] must be a weight group ({ paths, weights }), got null`),
    );
    vi.restoreAllMocks();
  });

  it('measures nesting without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 1_000_000; i++) deep = [deep];
    expect(nestingDepth(deep, 200)).toBe(201);
    expect(nestingDepth({ a: [1, { b: 2 }] }, 200)).toBe(3);
  });
});
