/**
 * Switch/Merge conditionals (tf.cond) taking each branch, branches told apart by control inputs,
 * and a loop inside a conditional.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOnnxModels, randomTensor, removeTemporaryDirectories, runOnnx, useCpuBackend } from '../../harness.ts';
import { GraphModelBuilder, attr, convertGraphModel, expectGraphModelMatches } from '../harness.ts';
import { F, I, conditional, increment, onnxOps, whileLoop } from './tf1Graphs.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

describe('control flow: conditionals (Switch/Merge)', () => {
  it('a Switch/Merge conditional takes each branch', async () => {
    const g = new GraphModelBuilder(6);
    const x = g.placeholder('x', [2, 3]);
    const predicate = g.node('Greater', [g.node('Sum', [x, g.ints([0, 1])], { keep_dims: attr.b(false) }), g.scalar(0)], F);
    conditional(
      g,
      'cond',
      predicate,
      x,
      (v) => g.node('Mul', [v, g.scalar(2)], F),
      (v) => g.node('Sub', [v, g.scalar(1)], F),
    );
    g.node('Identity', ['cond/Merge'], F, 'out');
    const modelJson = await g.save();
    const { onnxPath } = await expectGraphModelMatches(modelJson, { x: randomTensor([2, 3], 7, 0.1, 1) });
    await expectGraphModelMatches(modelJson, { x: randomTensor([2, 3], 8, -1, -0.1) });
    expect((await onnxOps(onnxPath)).top).toContain('If');
  });

  it('a conditional whose branches are constants is told apart by their control inputs (TensorFlow semantics)', async () => {
    // tfjs-converter keeps constants live on both sides and returns Merge's first input, so this one is checked against TensorFlow's meaning.
    const g = new GraphModelBuilder(7);
    const x = g.placeholder('x', [3]);
    const predicate = g.node('Greater', [g.node('Sum', [x, g.ints([0])], { keep_dims: attr.b(false) }), g.scalar(0)], F);
    const pivots = g.node('Switch', [predicate, predicate], {}, 'cond/Switch');
    const [pivotFalse, pivotTrue] = [0, 1].map((side) =>
      g.node('Identity', [`${pivots}:${side}`], {}, `cond/switch_${side === 1 ? 't' : 'f'}`),
    );
    const [whenFalse, whenTrue] = [-10, 10].map((value) => g.scalar(value));
    g.nodes.find((node) => node.name === whenFalse)!.input = [`^${pivotFalse}`];
    g.nodes.find((node) => node.name === whenTrue)!.input = [`^${pivotTrue}`];
    g.node('Merge', [whenFalse, whenTrue], {}, 'which');
    const { onnxPath } = await convertGraphModel(await g.save());
    expect(await checkOnnxModels([onnxPath])).toEqual(['']);
    for (const [values, expected] of [
      [[1, 2, 3], 10],
      [[-1, -2, -3], -10],
    ] as const) {
      const { which } = await runOnnx(onnxPath, { x: tf.tensor(values) });
      expect(Array.from(which.data as Float32Array)).toEqual([expected]);
    }
  });

  it('a loop inside a conditional', async () => {
    const g = new GraphModelBuilder(8);
    const x = g.placeholder('x', [2, 3]);
    const predicate = g.node('Greater', [g.node('Sum', [x, g.ints([0, 1])], { keep_dims: attr.b(false) }), g.scalar(0)], F);
    conditional(
      g,
      'cond',
      predicate,
      x,
      (v) => {
        const [, doubled] = whileLoop(
          g,
          'cond/while',
          [g.scalarInt(0), v],
          ([i]) => g.node('Less', [i, g.scalarInt(3)], I),
          ([i, a]) => [increment(g, i), g.node('Mul', [a, g.scalar(2)], F)],
        );
        return doubled;
      },
      (v) => g.node('Neg', [v], F),
    );
    g.node('Identity', ['cond/Merge'], F, 'out');
    const modelJson = await g.save();
    const { onnxPath } = await expectGraphModelMatches(modelJson, { x: randomTensor([2, 3], 9, 0.1, 1) });
    await expectGraphModelMatches(modelJson, { x: randomTensor([2, 3], 10, -1, -0.1) });
    const ops = await onnxOps(onnxPath);
    expect(ops.top).toContain('If');
    expect(ops.all).toContain('Loop');
  });
});
