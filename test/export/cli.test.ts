/** The `convert` command: a thin yargs layer that prints what each layer became. */
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../pipeline/cli.ts';
import { checkOnnxModel, removeTemporaryDirectories, useCpuBackend } from './harness.ts';
import { randomizeWeights, saveModel } from './layersModel/harness.ts';

const run = promisify(execFile);

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);
afterEach(() => vi.restoreAllMocks());

/** Runs `tfjs-onnx convert ...` in this process, through the CLI's own parsing; returns stdout. */
async function runConvert(args: string[]): Promise<string> {
  let printed = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed += String(chunk);
    return true;
  });
  await runCli(['convert', ...args]);
  return printed;
}

async function savedModel(): Promise<string> {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3, name: 'features' }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ units: 10, activation: 'softmax', name: 'digits' }),
    ],
  });
  randomizeWeights(model, 101);
  return saveModel(model);
}

describe('tfjs-onnx convert', () => {
  it('writes the model and prints layers, their ONNX nodes, the I/O signature, opset and size', async () => {
    const modelJson = await savedModel();
    const onnxPath = path.join(path.dirname(modelJson), 'cli.onnx');
    const printed = await runConvert([modelJson, '-o', onnxPath, '--opset', '15']);
    await checkOnnxModel(onnxPath);
    expect(printed).toMatch(/features\s+Conv2D\s+Reshape, Conv/);
    expect(printed).toMatch(/flatten\s+Flatten\s+Flatten\n/);
    expect(printed).toMatch(/digits\s+Dense\s+Gemm, Softmax/);
    expect(printed).toContain('inputs:  features_input [batch, 6, 6, 1]');
    expect(printed).toContain('outputs: digits [batch, 10]');
    expect(printed).toMatch(new RegExp(`opset 15, 5 nodes, [\\d.]+ KiB → ${onnxPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('rejects a bad --opset and a missing -o with clear messages, writing nothing', async () => {
    const modelJson = await savedModel();
    const onnxPath = path.join(path.dirname(modelJson), 'never.onnx');
    await expect(runConvert([modelJson, '-o', onnxPath, '--opset', '11'])).rejects.toThrow(/^--opset must be at least 13, got 11$/);
    await expect(runConvert([modelJson, '-o', onnxPath, '--opset', 'latest'])).rejects.toThrow(
      /^--opset must be a whole number, got 'latest'$/,
    );
    await expect(runConvert([modelJson])).rejects.toThrow(/^-o\/--output is required$/);
    await expect(access(onnxPath)).rejects.toThrow();
  });

  it('runs end to end through the tfjs-onnx binary: exit 0 with the summary, exit 1 with one error line', async () => {
    const modelJson = await savedModel();
    const onnxPath = path.join(path.dirname(modelJson), 'bin.onnx');
    const binary = fileURLToPath(new URL('../../bin/tfjs-onnx.js', import.meta.url));
    const ok = await run(process.execPath, [binary, 'convert', modelJson, '-o', onnxPath]);
    expect(ok.stdout).toContain('outputs: digits [batch, 10]');
    await checkOnnxModel(onnxPath);
    const failed = await run(process.execPath, [binary, 'convert', modelJson, '-o', onnxPath, '--opset', '99']).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr.trim()).toBe('error: --opset must be at most 17, got 99');
  });

  it('reports a missing model.json as a user error', async () => {
    await expect(runConvert(['/nonexistent/model.json', '-o', '/tmp/never.onnx'])).rejects.toThrow(
      /cannot read model file \/nonexistent\/model\.json/,
    );
  });
});
