/**
 * The precision pass on real GraphModels (two of @vladmandic/human's, the npm source the GraphModel
 * tests use): fp16 and q8 variants pass the checker and compute what the fp32 conversion computes,
 * within their precision, on onnxruntime-node. The pass works on the finished ONNX graph, so the
 * front end a model came through does not matter; this checks it.
 */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { NPM_GRAPH_MODELS, npmGraphModelPath } from '../../../../bench/models/npmGraphModels.ts';
import { convertModelVariantsToFiles } from '../../../../export/index.ts';
import { checkOnnxModels, removeTemporaryDirectories, seededRandom, temporaryDirectory, withSession } from '../../harness.ts';

afterAll(removeTemporaryDirectories);

async function outputs(onnxPath: string, range: [number, number]): Promise<Float32Array[]> {
  return withSession(onnxPath, async (session) => {
    const random = seededRandom(9);
    const feeds = Object.fromEntries(
      session.inputMetadata.map((input) => {
        const shape = (input.isTensor ? input.shape : []).map((size) => (typeof size === 'number' && size > 0 ? size : 1));
        const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => range[0] + (range[1] - range[0]) * random());
        return [input.name, new ort.Tensor('float32', data, shape)];
      }),
    );
    const result = await session.run(feeds);
    return session.outputNames.map((name) => result[name].data as Float32Array);
  });
}

describe('fp16 and q8 of real GraphModels', () => {
  it.each(['emotion', 'antispoof'])('%s: both variants pass the checker and stay close to fp32', async (name) => {
    const model = NPM_GRAPH_MODELS.find((candidate) => candidate.name === name)!;
    const variants = await convertModelVariantsToFiles(npmGraphModelPath(name), path.join(await temporaryDirectory(), `${name}.onnx`), [
      'fp32',
      'fp16',
      'q8',
    ]);
    expect(await checkOnnxModels(variants.map((variant) => variant.path))).toEqual(['', '', '']);
    expect(variants.map((variant) => variant.sourceFormat)).toEqual(['graph-model', 'graph-model', 'graph-model']);
    expect(variants[1].fileBytes / variants[0].fileBytes).toBeLessThan(0.53);
    expect(variants[2].fileBytes / variants[0].fileBytes).toBeLessThan(0.3);
    const [fp32, fp16, q8] = await Promise.all(variants.map((variant) => outputs(variant.path, model.inputRange)));
    fp32.forEach((expected, i) => {
      const scale = Math.max(1, ...Array.from(expected, Math.abs));
      const error = (actual: Float32Array) => Math.max(...Array.from(actual, (value, k) => Math.abs(value - expected[k]))) / scale;
      expect(error(fp16[i]), `fp16 output ${i}`).toBeLessThan(1e-3);
      expect(error(q8[i]), `q8 output ${i}`).toBeLessThan(1e-2);
    });
  });
});
