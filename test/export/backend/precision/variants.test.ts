/**
 * fp16 and q8 conversions of small seeded models: each variant passes the official checker,
 * records its precision, has the size its storage promises, and predicts what tfjs predicts on
 * onnxruntime-node and onnxruntime-web within the precision's error.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ortWeb from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertLayersModelToFile, convertModelVariantsToFiles, type Dtype } from '../../../../export/index.ts';
import { readOnnxInfo } from '../../../../pipeline/onnxInfo.ts';
import {
  checkOnnxModel,
  maxAbsDifference,
  randomTensor,
  removeTemporaryDirectories,
  runOnnxInOrder,
  temporaryDirectory,
  useCpuBackend,
} from '../../harness.ts';
import { randomSequential, saveModel } from '../../layersModel/harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

/** The lecture's MLP and CNN shapes, smaller, with enough weights (~40k) to dominate the file as in the real ones. */
function mlp(seed: number): tf.Sequential {
  return randomSequential(
    [
      tf.layers.flatten({ inputShape: [16, 16, 1] }),
      tf.layers.dense({ units: 160, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
    seed,
  );
}

function cnn(seed: number): tf.Sequential {
  return randomSequential(
    [
      tf.layers.conv2d({ inputShape: [16, 16, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
      tf.layers.batchNormalization(),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 96, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
    seed,
  );
}

async function runOnWasm(onnxPath: string, input: tf.Tensor): Promise<Float32Array> {
  const session = await ortWeb.InferenceSession.create(new Uint8Array(await readFile(onnxPath)), { executionProviders: ['wasm'] });
  try {
    const result = await session.run({
      [session.inputNames[0]]: new ortWeb.Tensor('float32', input.dataSync() as Float32Array, input.shape),
    });
    return result[session.outputNames[0]].data as Float32Array;
  } finally {
    await session.release();
  }
}

function top1Agreement(a: Float32Array, b: Float32Array, classes: number): number {
  let agree = 0;
  const rows = a.length / classes;
  const argmax = (values: Float32Array, row: number) => {
    let best = 0;
    for (let k = 1; k < classes; k++) if (values[row * classes + k] > values[row * classes + best]) best = k;
    return best;
  };
  for (let row = 0; row < rows; row++) if (argmax(a, row) === argmax(b, row)) agree++;
  return agree / rows;
}

/** Largest |Δp| each precision may show on these random models (probabilities of 10 classes). */
const TOLERANCE: Record<Dtype, number> = { fp32: 1e-4, fp16: 5e-3, q8: 6e-2 };

describe.each([
  ['MLP', mlp, { fp16: [0.49, 0.52], q8: [0.24, 0.28] }],
  ['CNN', cnn, { fp16: [0.49, 0.53], q8: [0.24, 0.3] }],
] as const)('%s in fp32, fp16 and q8', (_, build, sizeRatios) => {
  let variants: Awaited<ReturnType<typeof convertModelVariantsToFiles>>;
  let expected: Float32Array;
  let input: tf.Tensor;

  beforeAll(async () => {
    const model = build(7);
    const modelJson = await saveModel(model);
    variants = await convertModelVariantsToFiles(modelJson, path.join(path.dirname(path.dirname(modelJson)), 'model.onnx'), [
      'fp32',
      'fp16',
      'q8',
    ]);
    input = randomTensor([64, 16, 16, 1], 11, 0, 1);
    expected = (model.predict(input) as tf.Tensor).dataSync() as Float32Array;
  });

  it('writes model.onnx, model_fp16.onnx and model_quantized.onnx side by side', () => {
    expect(variants.map((variant) => [variant.dtype, path.basename(variant.path)])).toEqual([
      ['fp32', 'model.onnx'],
      ['fp16', 'model_fp16.onnx'],
      ['q8', 'model_quantized.onnx'],
    ]);
  });

  it('each variant passes the ONNX checker and records its dtype in metadata_props, with float32 inputs and outputs', async () => {
    for (const variant of variants) {
      await checkOnnxModel(variant.path);
      const info = await readOnnxInfo(variant.path);
      expect(info.metadata['tfjs_onnx.dtype']).toBe(variant.dtype);
      expect([...info.inputs, ...info.outputs].map((tensor) => tensor.elementType)).toEqual(['float32', 'float32']);
    }
  });

  it('fp16 is about half the fp32 file and q8 about a quarter', () => {
    const [fp32, fp16, q8] = variants.map((variant) => variant.fileBytes);
    expect(fp16 / fp32).toBeGreaterThan(sizeRatios.fp16[0]);
    expect(fp16 / fp32).toBeLessThan(sizeRatios.fp16[1]);
    expect(q8 / fp32).toBeGreaterThan(sizeRatios.q8[0]);
    expect(q8 / fp32).toBeLessThan(sizeRatios.q8[1]);
  });

  it('every variant predicts what tfjs predicts, within its precision, on onnxruntime-node and onnxruntime-web', async () => {
    for (const variant of variants) {
      const native = (await runOnnxInOrder(variant.path, [input])).outputs[0].data as Float32Array;
      const wasm = await runOnWasm(variant.path, input);
      for (const [backend, actual] of [
        ['native', native],
        ['wasm', wasm],
      ] as const) {
        expect(maxAbsDifference(actual, expected), `${variant.dtype} on ${backend}: max |Δp|`).toBeLessThanOrEqual(
          TOLERANCE[variant.dtype],
        );
        expect(top1Agreement(actual, expected, 10), `${variant.dtype} on ${backend}: top-1 agreement`).toBeGreaterThanOrEqual(
          variant.dtype === 'fp32' ? 1 : 0.95,
        );
      }
    }
  });
});

describe('precision passes on other layers', () => {
  it.each(['fp16', 'q8'] as const)(
    '%s converts embeddings, layer normalization, upsampling and transposed convolutions to checked, close models',
    async (dtype) => {
      const sequence = randomSequential(
        [
          tf.layers.embedding({ inputDim: 50, outputDim: 16, inputLength: 6 }),
          tf.layers.layerNormalization(),
          tf.layers.flatten(),
          tf.layers.dense({ units: 5 }),
        ],
        3,
      );
      const images = randomSequential(
        [
          tf.layers.conv2dTranspose({ inputShape: [4, 4, 3], filters: 4, kernelSize: 3, strides: 2, padding: 'same' }),
          tf.layers.upSampling2d({ size: [2, 2] }),
          tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2 }),
          tf.layers.globalAveragePooling2d({}),
        ],
        4,
      );
      const cases: [tf.Sequential, tf.Tensor][] = [
        [
          sequence,
          tf.tensor2d(
            Float32Array.from({ length: 18 }, (_, i) => (i * 7) % 50),
            [3, 6],
          ),
        ],
        [images, randomTensor([3, 4, 4, 3], 5)],
      ];
      for (const [model, input] of cases) {
        const modelJson = await saveModel(model);
        const onnxPath = path.join(await temporaryDirectory(), `${dtype}.onnx`);
        const summary = await convertLayersModelToFile(modelJson, onnxPath, { opset: 17, dtype });
        await checkOnnxModel(onnxPath);
        expect(summary.dtype).toBe(dtype);
        const expected = (model.predict(input) as tf.Tensor).dataSync();
        const actual = (await runOnnxInOrder(onnxPath, [input])).outputs[0].data as Float32Array;
        const scale = Math.max(...Array.from(expected, Math.abs));
        expect(maxAbsDifference(actual, expected) / scale, `${dtype}: max |Δ| relative to the largest output`).toBeLessThan(
          dtype === 'fp16' ? 5e-3 : 5e-2,
        );
      }
    },
  );
});
