import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordedArguments, recordedModels, recordedPath } from '../../bench/paths.ts';
import type { PreparedModels } from '../../bench/sections/definition.ts';
import { findAbsolutePaths } from '../helpers/absolutePaths.ts';

const scratch = path.join(os.tmpdir(), 'tfjs-onnx-bench-AbC123');
const repo = path.resolve(import.meta.dirname, '..', '..');

describe('paths in bench/results/latest.json', () => {
  it('records scratch files as scratch/… and other files relative to the repository', () => {
    expect(recordedPath(path.join(scratch, 'mlp', 'tfjs', 'model.json'), scratch)).toBe('scratch/mlp/tfjs/model.json');
    expect(recordedPath(path.join(repo, 'artifacts', 'model.onnx'), scratch)).toBe('artifacts/model.onnx');
    expect(recordedPath('artifacts/model.onnx', scratch)).toBe('artifacts/model.onnx');
    expect(recordedPath('/data/models/cnn.onnx', scratch)).toBe(path.relative(repo, '/data/models/cnn.onnx'));
    expect(recordedPath(`${scratch}-other/x.onnx`, scratch)).not.toMatch(/^scratch/);
  });

  it('leaves no absolute path in the recorded models or the command line', () => {
    const models: PreparedModels = {
      mlp: {
        name: 'mlp',
        tfjs: path.join(scratch, 'mlp/tfjs/model.json'),
        onnx: path.join(scratch, 'mlp.onnx'),
        origin: 'trained',
        steps: 500,
        tfjsBackend: 'wasm',
      },
      cnn: { name: 'cnn', tfjs: '/data/cnn/model.json', onnx: path.join(scratch, 'cnn.onnx'), origin: 'given', tfjsBackend: 'wasm' },
    };
    const recorded = recordedModels(models, scratch);
    expect(recorded.mlp).toEqual({ ...models.mlp, tfjs: 'scratch/mlp/tfjs/model.json', onnx: 'scratch/mlp.onnx' });
    expect(findAbsolutePaths(JSON.stringify(recorded))).toEqual([]);
    const command = recordedArguments(
      ['--quick', '--cnn', '/data/cnn/model.json', `--out=${path.join(repo, 'bench/results/quick.json')}`],
      scratch,
    );
    expect(command).toEqual(['--quick', '--cnn', path.relative(repo, '/data/cnn/model.json'), '--out=bench/results/quick.json']);
    expect(findAbsolutePaths(command.join(' '))).toEqual([]);
  });
});

describe('the committed benchmark results', () => {
  it('hold no absolute path', () => {
    const latest = readFileSync(path.join(repo, 'bench', 'results', 'latest.json'), 'utf8');
    expect(findAbsolutePaths(latest)).toEqual([]);
  });
});
