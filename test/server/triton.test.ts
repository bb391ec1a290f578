/**
 * export-triton: the repository layout Triton expects, and a config.pbtxt whose tensors agree with
 * the ONNX model as onnxruntime reads it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier, type Classifier } from '@tfjs-onnx/runtime';
import { InvalidInputError, InvalidOptionError } from '../../common/errors.ts';
import { exportTriton } from '../../server/triton.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { makeTestModel } from './helpers/fixtures.ts';

let directory: string;
let onnxPath: string;
let classifier: Classifier;

beforeAll(async () => {
  directory = tempDir('tfjs-onnx-triton-');
  onnxPath = (await makeTestModel(directory, { name: 'mnist' })).onnx;
  classifier = await loadClassifier(onnxPath, { device: 'cpu' });
});
afterAll(async () => classifier?.dispose());

/** The `input`/`output` entries of a config.pbtxt, read back from its text. */
function parseTensors(config: string, section: 'input' | 'output') {
  const block = new RegExp(`^${section} \\[\\n([\\s\\S]*?)\\n\\]`, 'm').exec(config)![1];
  return [...block.matchAll(/name: "([^"]+)"\s+data_type: (\w+)\s+dims: \[ ([^\]]*) \]/g)].map((m) => ({
    name: m[1],
    dataType: m[2],
    dims: m[3].split(', ').map(Number),
  }));
}

describe('exportTriton', () => {
  it('writes config.pbtxt and 1/model.onnx with the model signature minus the batch axis', async () => {
    const repository = path.join(directory, 'model_repository');
    const result = await exportTriton(onnxPath, repository, { maxBatchSize: 32 });
    expect(result.name).toBe('mnist');
    expect(readFileSync(path.join(repository, 'mnist/1/model.onnx'))).toEqual(readFileSync(onnxPath));
    const config = readFileSync(path.join(repository, 'mnist/config.pbtxt'), 'utf8');
    expect(config).toMatch(/^name: "mnist"$/m);
    expect(config).toMatch(/^platform: "onnxruntime_onnx"$/m);
    expect(config).toMatch(/^max_batch_size: 32$/m);
    expect(config).toMatch(/dynamic_batching \{\n {2}max_queue_delay_microseconds: 0\n\}/);
    expect(classifier.inputShape[0]).toBeNull();
    expect(parseTensors(config, 'input')).toEqual([
      { name: classifier.inputName, dataType: 'TYPE_FP32', dims: classifier.inputShape.slice(1) },
    ]);
    expect(parseTensors(config, 'output')).toEqual([{ name: classifier.outputName, dataType: 'TYPE_FP32', dims: [classifier.classCount] }]);
    if (result.labelsPath) expect(readFileSync(result.labelsPath, 'utf8').trim().split('\n')).toEqual(classifier.labels);
  });

  it('keeps the batch axis and drops dynamic batching with max_batch_size 0', async () => {
    const result = await exportTriton(onnxPath, path.join(directory, 'unbatched'), { name: 'digits', maxBatchSize: 0 });
    expect(result.inputs[0].dims).toEqual([-1, ...classifier.inputShape.slice(1)]);
    expect(result.config).not.toContain('dynamic_batching');
    expect(existsSync(path.join(directory, 'unbatched/digits/1/model.onnx'))).toBe(true);
  });

  it('refuses files that are not ONNX and unusable options', async () => {
    const notOnnx = path.join(directory, 'mnist-tfjs', 'model.json');
    await expect(exportTriton(notOnnx, path.join(directory, 'bad'))).rejects.toThrow(InvalidInputError);
    await expect(exportTriton(onnxPath, path.join(directory, 'bad'), { maxBatchSize: -1 })).rejects.toThrow(InvalidOptionError);
    await expect(exportTriton(onnxPath, path.join(directory, 'bad'), { name: '../escape' })).rejects.toThrow(InvalidOptionError);
    await expect(exportTriton(onnxPath, path.join(directory, 'bad'), { maxBatchSize: 1e20 })).rejects.toThrow(
      /--max-batch-size must be a whole number from 0 \(no batching\) to 2147483647, got 1/,
    );
    await expect(exportTriton(onnxPath, path.join(directory, 'bad'), { maxQueueDelayMicroseconds: 1e12 })).rejects.toThrow(/queue delay/);
    // An empty output directory would mean the current one: refused, and nothing is written there.
    await expect(exportTriton(onnxPath, '', {})).rejects.toThrow(/-o\/--output must name the model repository directory; it is empty/);
    expect(existsSync(path.join(process.cwd(), 'mnist'))).toBe(false);
  });

  it('runs as `tfjs-onnx export-triton`', () => {
    const run = runCli(['export-triton', onnxPath, '-o', path.join(directory, 'cli-repo'), '--name', 'served', '--max-batch-size', '8']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(readFileSync(path.join(directory, 'cli-repo/served/config.pbtxt'), 'utf8')).toMatch(/^max_batch_size: 8$/m);
    const empty = runCli(['export-triton', onnxPath, '-o', ''], { cwd: directory });
    expect(empty.status).toBe(1);
    expect(empty.stderr).toBe('error: -o/--output needs a value, got an empty one\n');
    expect(existsSync(path.join(directory, 'mnist'))).toBe(false);
  });
});
