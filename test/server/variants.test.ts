/**
 * Reduced-precision variants through the serving paths: `serve` answers with each variant's own
 * predictions, and `export-triton` writes a repository for each with the same float32 signature.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadClassifier } from '@tfjs-onnx/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertModelVariantsToFiles } from '../../export/index.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import { exportTriton } from '../../server/triton.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { IMAGE_SIZE, PIXELS, makeTestModel, normalize, testImage } from './helpers/fixtures.ts';

let directory: string;
let variants: { dtype: string; path: string }[];
let server: RunningServer;

beforeAll(async () => {
  directory = tempDir('tfjs-onnx-server-variants-');
  const { modelJson } = await makeTestModel(directory, { name: 'digits' });
  variants = (await convertModelVariantsToFiles(modelJson, path.join(directory, 'models', 'digits.onnx'), ['fp32', 'fp16', 'q8'])).map(
    ({ dtype, path: file }) => ({ dtype, path: file }),
  );
  server = await startServer({ modelPaths: variants.map((variant) => variant.path), port: 0, log: () => undefined });
});
afterAll(async () => {
  await server?.close();
});

describe('serving fp16 and q8 variants', () => {
  it('serves each variant under its file name with its own predictions', async () => {
    const pixels = [testImage(1), testImage(2)];
    const input = new Float32Array(2 * PIXELS);
    for (const variant of variants) {
      const classifier = await loadClassifier(variant.path, { device: 'cpu' });
      pixels.forEach((image, i) => {
        input.set(normalize(image, classifier.preprocess), i * PIXELS);
      });
      const expected = await classifier.predictBatch(input, 2);
      const name = path.basename(variant.path, '.onnx');
      const response = await fetch(`${server.url}/v2/models/${name}/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          inputs: [{ name: classifier.inputName, shape: [2, IMAGE_SIZE, IMAGE_SIZE, 1], datatype: 'FP32', data: Array.from(input) }],
        }),
      });
      expect(response.status, `${variant.dtype}: ${name}`).toBe(200);
      const body = (await response.json()) as { outputs: { datatype: string; data: number[] }[] };
      expect(body.outputs[0].datatype).toBe('FP32');
      body.outputs[0].data.forEach((value, i) => {
        expect(Math.abs(value - expected[i])).toBeLessThan(1e-5);
      });
      await classifier.dispose();
    }
  });

  it('exports each variant to a Triton repository with the float32 signature and the variant bytes as model.onnx', async () => {
    for (const variant of variants) {
      const exported = await exportTriton(variant.path, path.join(directory, 'repository'));
      expect(exported.name).toBe(path.basename(variant.path, '.onnx'));
      expect(exported.inputs.map((tensor) => [tensor.datatype, tensor.dims])).toEqual([['FP32', [IMAGE_SIZE, IMAGE_SIZE, 1]]]);
      expect(exported.outputs.map((tensor) => [tensor.datatype, tensor.dims])).toEqual([['FP32', [10]]]);
      expect(exported.config).toMatch(/data_type: TYPE_FP32/);
      expect(readFileSync(exported.modelPath).equals(readFileSync(variant.path))).toBe(true);
    }
  });
});
