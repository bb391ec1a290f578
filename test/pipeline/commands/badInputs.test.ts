/**
 * Bad files reaching `parity` and the pipeline's later stages are one InvalidInputError naming
 * the file (the CLI prints it as one line and exits 1), not the "unexpected error" path: every
 * runtime error of `parity --onnx`, tfjs refusing `parity --tfjs`, a broken metrics.json.
 * Runs the CLI in this process on a tiny model and a 10-image dataset.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { buildTinyClassifier } from '../../helpers/fixtures/models.ts';
import { UserError } from '../../../common/errors.ts';
import { runCli } from '../../../pipeline/cli.ts';
import { writeTinyParityPair } from '../../helpers/fixtures/parityPair.ts';
import { tempDir } from '../../helpers/tempDir.ts';

const root = tempDir();
const { data, tfjsModel, onnxModel } = {
  data: path.join(root, 'data'),
  tfjsModel: path.join(root, 'tfjs', 'model.json'),
  onnxModel: path.join(root, 'model.onnx'),
};

beforeAll(async () => {
  await writeTinyParityPair(root);
});

/** The message the CLI would print after "error: " (it must be a UserError: handled, one line). */
async function cliError(args: string[]): Promise<string> {
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    await runCli(args);
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  } finally {
    vi.restoreAllMocks();
  }
  throw new Error(`tfjs-onnx ${args.join(' ')} succeeded`);
}

const parity = (tfjs: string, onnx: string) => ['parity', '--tfjs', tfjs, '--onnx', onnx, '--data-dir', data, '--tfjs-backend', 'cpu'];

describe('parity with a bad model', () => {
  it('passes with the good pair (the control)', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await runCli(parity(tfjsModel, onnxModel));
    vi.restoreAllMocks();
  });

  const onnxCases: [string, () => string][] = [
    ['a missing file', () => path.join(root, 'missing.onnx')],
    ['a directory without a model', () => data],
    ['an empty file', () => write('empty.onnx', new Uint8Array(0))],
    [
      'bytes that are not ONNX',
      () =>
        write(
          'garbage.onnx',
          new Uint8Array(256).map((_, i) => (i * 37) % 251),
        ),
    ],
    ['a truncated model', () => write('truncated.onnx', readFileSync(onnxModel).subarray(0, 300))],
    ['a model for 8×8 images', () => write('small.onnx', buildTinyClassifier({ inputShape: [null, 8, 8, 1], classCount: 10 }).bytes)],
    [
      'a model that is not a classifier',
      () => write('scores.onnx', buildTinyClassifier({ inputShape: [null, 28, 28, 1], classCount: 10, outputReshape: [-1, 2, 5] }).bytes),
    ],
  ];
  it.each(onnxCases)('--onnx %s: one line naming it', async (_, file) => {
    const onnx = file();
    expect(await cliError(parity(tfjsModel, onnx))).toContain(onnx);
  });

  it('--tfjs with an unknown layer class: the first line of what tfjs says, naming the file', async () => {
    const model = JSON.parse(readFileSync(tfjsModel, 'utf8'));
    model.modelTopology.config.layers[1].class_name = 'Mystery';
    const file = path.join(path.dirname(tfjsModel), 'mystery.json');
    writeFileSync(file, JSON.stringify(model));
    expect(await cliError(parity(file, onnxModel))).toBe(`${file}: tfjs cannot load this model: Unknown layer: Mystery.`);
  });
});

describe('the pipeline from the report stage', () => {
  it.each([
    ['broken JSON', '{"model": "mlp", ', /^stage report: metrics\.json \(.*\/metrics\.json\) is not readable JSON: /],
    ['the wrong structure', '{"model": 1}', /^stage report: metrics\.json: \w+/],
  ])('names metrics.json when it holds %s', async (name, content, message) => {
    const out = path.join(root, `out-${name.replace(/\W/g, '-')}`);
    mkdirSync(path.join(out, 'tfjs'), { recursive: true });
    writeFileSync(path.join(out, 'tfjs', 'model.json'), readFileSync(tfjsModel));
    writeFileSync(path.join(out, 'model.onnx'), readFileSync(onnxModel));
    writeFileSync(path.join(out, 'metrics.json'), content);
    expect(await cliError(['pipeline', '--from', 'report', '--out', out, '--data-dir', data, '--quiet'])).toMatch(message);
  });
});

function write(name: string, bytes: Uint8Array): string {
  const file = path.join(root, name);
  writeFileSync(file, bytes);
  return file;
}
