/**
 * `parity --random N`: any model pair (a GraphModel or a Layers model with several inputs of
 * different dtypes) compared on seeded random inputs on tfjs and devices cpu (onnxruntime-node) and wasm (onnxruntime-web).
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertModelToFile } from '../../export/index.ts';
import { checkModelPair } from '../../pipeline/randomParity.ts';
import { runCli } from '../helpers/cli.ts';
import { useSoftwareWebGpu } from '../helpers/webgpu.ts';
import { GraphModelBuilder, attr } from '../export/graphModel/harness.ts';
import { removeTemporaryDirectories, useCpuBackend } from '../export/harness.ts';
import { randomizeWeights, saveModel } from '../export/layersModel/harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

async function graphModel(seed: number): Promise<{ modelJson: string; onnxPath: string }> {
  const g = new GraphModelBuilder(seed);
  const x = g.placeholder('image', [null, 6, 6, 2]);
  const conv = g.node('_FusedConv2D', [x, g.randomConstant([3, 3, 2, 4]), g.randomConstant([4])], {
    strides: attr.ints([1, 1, 1, 1]),
    padding: attr.s('SAME'),
    data_format: attr.s('NHWC'),
    dilations: attr.ints([1, 1, 1, 1]),
    fused_ops: attr.strings(['BiasAdd', 'Relu']),
    num_args: attr.i(1),
  });
  const pooled = g.node('Mean', [conv, g.ints([1, 2])], { keep_dims: attr.b(false) });
  g.node('Softmax', [pooled], {}, 'scores');
  g.node('Sum', [conv, g.ints([3])], { keep_dims: attr.b(false) }, 'map');
  const modelJson = await g.save();
  const onnxPath = path.join(path.dirname(modelJson), 'model.onnx');
  await convertModelToFile(modelJson, onnxPath);
  return { modelJson, onnxPath };
}

describe('parity on random inputs', () => {
  it('passes for a converted GraphModel with two outputs, on all three paths', async () => {
    const { modelJson, onnxPath } = await graphModel(1);
    const { report, predictions } = await checkModelPair({ tfjsModelPath: modelJson, onnxPath, samples: 40, seed: 3, tfjsBackend: 'cpu' });
    expect(predictions.map((p) => p.source)).toEqual(['tfjs GraphModel (cpu)', 'cpu (onnxruntime-node)', 'wasm (onnxruntime-web)']);
    // 40 samples, each row the 4 scores and the 6×6 map.
    expect(predictions.every((p) => p.count === 40 && p.classCount === 4 + 36)).toBe(true);
    expect(report.pairs).toHaveLength(3);
    expect(report.passed).toBe(true);
  });

  it('passes for a Layers model with a float and an int32 input', async () => {
    const image = tf.input({ shape: [5], name: 'features' });
    const tokens = tf.input({ shape: [3], dtype: 'int32', name: 'tokens' });
    const embedded = tf.layers.flatten().apply(tf.layers.embedding({ inputDim: 256, outputDim: 2 }).apply(tokens)) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate().apply([image, embedded]) as tf.SymbolicTensor;
    const output = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(joined) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [image, tokens], outputs: output });
    randomizeWeights(model, 5);
    const modelJson = await saveModel(model);
    const onnxPath = path.join(path.dirname(modelJson), 'model.onnx');
    await convertModelToFile(modelJson, onnxPath);
    const { report } = await checkModelPair({ tfjsModelPath: modelJson, onnxPath, samples: 10, tfjsBackend: 'cpu' });
    expect(report.pairs.map((pair) => pair.samples)).toEqual([10, 10, 10]);
    expect(report.passed).toBe(true);
  });

  it('fails when the ONNX file is another model', async () => {
    const { modelJson } = await graphModel(1);
    const { onnxPath: other } = await graphModel(2);
    const { report } = await checkModelPair({ tfjsModelPath: modelJson, onnxPath: other, samples: 8, tfjsBackend: 'cpu' });
    expect(report.passed).toBe(false);
    expect(report.pairs[0].maxAbsDiff).toBeGreaterThan(1e-3);
    // The two runtimes run the same (wrong) file, so they agree with each other.
    expect(report.pairs[2].passed).toBe(true);
  });

  it('runs as tfjs-onnx parity --random N, and asks for --random when given a GraphModel without it', async () => {
    const { modelJson, onnxPath } = await graphModel(1);
    const ok = runCli(['parity', '--tfjs', modelJson, '--onnx', onnxPath, '--random', '6', '--tfjs-backend', 'cpu']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/ok {3}tfjs GraphModel \(cpu\) vs cpu \(onnxruntime-node\): top-1 agreement 100\.00% of 6/);
    expect(ok.stdout).toMatch(/ok {3}cpu \(onnxruntime-node\) vs wasm \(onnxruntime-web\)/);
    const missing = runCli(['parity', '--tfjs', modelJson, '--onnx', onnxPath]);
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe(
      `error: ${modelJson} is a GraphModel; its inputs are not test-set images, so compare on random inputs with --random N`,
    );
    const bad = runCli(['parity', '--tfjs', modelJson, '--onnx', onnxPath, '--random', '0']);
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toBe('error: --random must be at least 1, got 0');
  });

  it('compares the devices --device names, every pair: cpu ⇄ webgpu and wasm ⇄ webgpu on SwiftShader', async () => {
    useSoftwareWebGpu();
    const { modelJson, onnxPath } = await graphModel(1);
    const run = runCli([
      'parity',
      '--tfjs',
      modelJson,
      '--onnx',
      onnxPath,
      '--random',
      '4',
      '--tfjs-backend',
      'cpu',
      '--device',
      'cpu,wasm,webgpu',
    ]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const webgpu = 'webgpu \\(onnxruntime-node, SwiftShader driver 5\\.0\\.0, software\\)';
    for (const pair of [
      `tfjs GraphModel \\(cpu\\) vs ${webgpu}`,
      `cpu \\(onnxruntime-node\\) vs ${webgpu}`,
      `wasm \\(onnxruntime-web\\) vs ${webgpu}`,
    ]) {
      expect(run.stdout).toMatch(new RegExp(`ok {3}${pair}: top-1 agreement 100\\.00% of 4`));
    }
    expect(run.stdout.trim().split('\n')).toHaveLength(6);
    const gpu = runCli(['parity', '--tfjs', modelJson, '--onnx', onnxPath, '--random', '4', '--device', 'cpu,gpu']);
    expect(gpu.status).toBe(1);
    expect(gpu.stderr.trim()).toBe(
      "error: --device must list devices among cpu, wasm, webgpu, cuda, dml, coreml, got 'gpu' (parity compares named devices; name the GPU one: cuda, webgpu, dml, coreml)",
    );
  });

  /** Boxes and scores in, the boxes NonMaxSuppression keeps out: how many depends on the data. */
  async function detector(iouThreshold: number): Promise<{ modelJson: string; onnxPath: string }> {
    const g = new GraphModelBuilder(3);
    const boxes = g.placeholder('boxes', [null, 4]);
    const scores = g.placeholder('scores', [null]);
    const selected = g.node('NonMaxSuppressionV3', [boxes, scores, g.scalarInt(10), g.scalar(iouThreshold), g.scalar(0.2)]);
    g.node('Identity', [selected], {}, 'selected');
    g.node('GatherV2', [boxes, selected, g.scalarInt(0)], { batch_dims: attr.i(0) }, 'kept');
    const modelJson = await g.save();
    const onnxPath = path.join(path.dirname(modelJson), 'model.onnx');
    await convertModelToFile(modelJson, onnxPath);
    return { modelJson, onnxPath };
  }

  it('compares outputs whose length depends on the data by shape, then values, and says so', async () => {
    const { modelJson, onnxPath } = await detector(0.3);
    const { report } = await checkModelPair({ tfjsModelPath: modelJson, onnxPath, samples: 20, seed: 4, tfjsBackend: 'cpu' });
    expect(report.wholeOutputs).toEqual(['selected', 'kept']);
    expect(report.passed).toBe(true);
    const cli = runCli(['parity', '--tfjs', modelJson, '--onnx', onnxPath, '--random', '20', '--seed', '4', '--tfjs-backend', 'cpu']);
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain('outputs with data-dependent shapes, compared by shape and then values (not per sample): selected, kept');
    // Another threshold keeps another number of boxes: refused by shape, naming the output.
    const { onnxPath: other } = await detector(0.9);
    await expect(checkModelPair({ tfjsModelPath: modelJson, onnxPath: other, samples: 20, seed: 4, tfjsBackend: 'cpu' })).rejects.toThrow(
      /^output "selected" has shape \[\d+\] on tfjs GraphModel \(cpu\) but \[\d+\] on cpu \(onnxruntime-node\) \(random batch 1\)$/,
    );
  });
});
