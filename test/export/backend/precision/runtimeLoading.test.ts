/**
 * The converter's file names and metadata are what the runtime's `dtype` option looks for: given
 * the folder (or model.onnx) the converter wrote, loadModel picks each precision on devices cpu and wasm
 * and reports it.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadModel } from '@tfjs-onnx/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertModelVariantsToFiles, type Dtype } from '../../../../export/index.ts';
import { removeTemporaryDirectories, temporaryDirectory, useCpuBackend } from '../../harness.ts';
import { randomSequential, saveModel } from '../../layersModel/harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

describe('loading the variants by dtype', () => {
  it.each(['cpu', 'wasm'] as const)(
    'loadModel picks model.onnx, model_fp16.onnx and model_quantized.onnx by dtype on %s',
    async (device) => {
      const model = randomSequential(
        [
          tf.layers.flatten({ inputShape: [6, 6, 1] }),
          tf.layers.dense({ units: 24, activation: 'relu' }),
          tf.layers.dense({ units: 4, activation: 'softmax' }),
        ],
        31,
      );
      const directory = await temporaryDirectory();
      const written = await convertModelVariantsToFiles(await saveModel(model), path.join(directory, 'model.onnx'), ['fp32', 'fp16', 'q8']);
      const input = { type: 'float32' as const, dims: [2, 6, 6, 1], data: Float32Array.from({ length: 72 }, (_, i) => (i % 9) / 9) };
      for (const { dtype, path: file } of written) {
        for (const source of [directory, path.join(directory, 'model.onnx')]) {
          const byDtype = await loadModel(source, { device, dtype: dtype as Dtype });
          const byFile = await loadModel(file, { device });
          try {
            expect(byDtype.dtype).toBe(dtype);
            expect(byFile.dtype).toBe(dtype);
            const [picked, direct] = await Promise.all([
              byDtype.run({ [byDtype.inputs[0].name]: input }),
              byFile.run({ [byFile.inputs[0].name]: input }),
            ]);
            expect(Object.values(picked)[0].data).toEqual(Object.values(direct)[0].data);
          } finally {
            await byDtype.dispose();
            await byFile.dispose();
          }
        }
      }
    },
  );
});
