/** `tfjs-onnx convert --dtype`: one precision at -o, or several side by side under the model hubs' names. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertModelVariantsToFiles } from '../../../../export/index.ts';
import { readOnnxInfo } from '../../../../pipeline/onnxInfo.ts';
import { runCli } from '../../../helpers/cli.ts';
import { checkOnnxModel, removeTemporaryDirectories, temporaryDirectory, useCpuBackend } from '../../harness.ts';
import { randomSequential, saveModel } from '../../layersModel/harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

async function savedModel(): Promise<string> {
  return saveModel(
    randomSequential(
      [
        tf.layers.flatten({ inputShape: [8, 8, 1] }),
        tf.layers.dense({ units: 32, activation: 'relu' }),
        tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
      21,
    ),
  );
}

describe('tfjs-onnx convert --dtype', () => {
  it('writes fp32 at -o and model_fp16.onnx, model_quantized.onnx beside it, each checked and labelled', async () => {
    const modelJson = await savedModel();
    const directory = await temporaryDirectory();
    const run = runCli(['convert', modelJson, '-o', path.join(directory, 'model.onnx'), '--dtype', 'q8,fp32,fp16']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect((await readdir(directory)).sort()).toEqual(['model.onnx', 'model_fp16.onnx', 'model_quantized.onnx']);
    for (const [file, dtype] of [
      ['model.onnx', 'fp32'],
      ['model_fp16.onnx', 'fp16'],
      ['model_quantized.onnx', 'q8'],
    ]) {
      await checkOnnxModel(path.join(directory, file));
      expect((await readOnnxInfo(path.join(directory, file))).metadata['tfjs_onnx.dtype']).toBe(dtype);
    }
    expect(run.stdout).toMatch(/fp16: 4 weights stored as float16/);
    expect(run.stdout).toMatch(/Gemm ×2, Relu, Softmax: no float16 kernel in onnxruntime CPU\/wasm/);
    expect(run.stdout).toMatch(/q8: 2 MatMul\/Gemm as dynamically quantized int8 matmuls/);
    expect(run.stdout).toMatch(/dense_Dense\d+\s+Dense\s+DynamicQuantizeLinear, MatMulInteger, Cast, Mul, Mul, Add, Relu/);
  });

  it('rejects an unknown precision with one error line and exit code 1, writing nothing', async () => {
    const modelJson = await savedModel();
    const directory = await temporaryDirectory();
    const failed = runCli(['convert', modelJson, '-o', path.join(directory, 'never.onnx'), '--dtype', 'fp32,int4']);
    expect(failed.status).toBe(1);
    expect(failed.stderr.trim()).toBe('error: --dtype takes fp32, fp16, q8 (comma-separated); "int4" is not one of them');
    expect(await readdir(directory)).toEqual([]);
  });

  it('writes a single precision exactly at the given path (what convert --dtype q8 -o small.onnx asks for)', async () => {
    const modelJson = await savedModel();
    const directory = await temporaryDirectory();
    await convertModelVariantsToFiles(modelJson, path.join(directory, 'small.onnx'), ['q8'], {}, true);
    expect(await readdir(directory)).toEqual(['small.onnx']);
    expect((await readOnnxInfo(path.join(directory, 'small.onnx'))).metadata['tfjs_onnx.dtype']).toBe('q8');
  });
});
