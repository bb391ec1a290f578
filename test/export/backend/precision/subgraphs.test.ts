/**
 * The precision passes on graphs with subgraphs: fp16 and q8 variants of a converted loop stay
 * valid, Loop bodies staying float32 and reading float16 values through a Cast.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertModelVariantsToFiles } from '../../../../export/index.ts';
import { F, I, increment, onnxOps, whileLoop } from '../../graphModel/controlFlow/tf1Graphs.ts';
import { GraphModelBuilder, attr } from '../../graphModel/harness.ts';
import { checkOnnxModels, randomTensor, removeTemporaryDirectories, runOnnx, useCpuBackend } from '../../harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

describe('fp16 and q8 of control flow', () => {
  it('fp16 and q8 variants of a loop stay valid: bodies stay float32 and read float16 values through a Cast', async () => {
    const g = new GraphModelBuilder(10);
    const x = g.placeholder('x', [null, 8]);
    // The weight is used outside the loop first and then read inside it by name: stored as float16, the body gets it through a Cast.
    const weight = g.randomConstant([8, 8], -0.5, 0.5);
    const matMul = (a: string, b: string) => g.node('MatMul', [a, b], { ...F, transpose_a: attr.b(false), transpose_b: attr.b(false) });
    const [, acc] = whileLoop(
      g,
      'loop',
      [g.scalarInt(0), matMul(x, weight)],
      ([i]) => g.node('Less', [i, g.scalarInt(3)], I),
      ([i, a], [w]) => [increment(g, i), g.node('Mul', [matMul(a, w), g.scalar(0.5)], F)],
      [weight],
    );
    g.node('Identity', [acc], F, 'out');
    const modelJson = await g.save();
    const variants = await convertModelVariantsToFiles(modelJson, path.join(path.dirname(modelJson), 'variants.onnx'), [
      'fp32',
      'fp16',
      'q8',
    ]);
    expect(await checkOnnxModels(variants.map((variant) => variant.path))).toEqual(['', '', '']);
    const feeds = { x: randomTensor([2, 8], 13) };
    const [fp32, fp16, q8] = await Promise.all(variants.map((variant) => runOnnx(variant.path, feeds)));
    const body = (await onnxOps(variants[1].path)).all;
    expect(body).toContain('Cast');
    for (const [variant, bound] of [
      [fp16, 1e-2],
      [q8, 5e-2],
    ] as const) {
      const [want, got] = [fp32.out.data as Float32Array, variant.out.data as Float32Array];
      expect(Math.max(...want.map((value, i) => Math.abs(value - got[i])))).toBeLessThan(bound * Math.max(1, ...want.map(Math.abs)));
    }
  });
});
