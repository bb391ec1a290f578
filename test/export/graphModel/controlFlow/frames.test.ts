/**
 * TF1 while frames (tf.while_loop): fixed and run-time trip counts and a nested loop, each
 * converted, checked and compared with tfjs-converter's executeAsync.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomTensor, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { GraphModelBuilder, attr, expectGraphModelMatches } from '../harness.ts';
import { F, I, increment, onnxOps, whileLoop } from './tf1Graphs.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

describe('control flow: while loops (TF1 frames)', () => {
  it('a while loop with a fixed trip count becomes one Loop', async () => {
    const g = new GraphModelBuilder(1);
    const x = g.placeholder('x', [null, 3]);
    const [, acc] = whileLoop(
      g,
      'loop',
      [g.scalarInt(0), x],
      ([i]) => g.node('Less', [i, g.scalarInt(5)], I),
      ([i, a]) => [increment(g, i), g.node('AddV2', [g.node('Mul', [a, g.scalar(0.5)], F), g.scalar(1)], F)],
    );
    g.node('Identity', [acc], F, 'out');
    const { onnxPath } = await expectGraphModelMatches(await g.save(), { x: randomTensor([2, 3], 2, -4, 4) });
    expect((await onnxOps(onnxPath)).top.filter((op) => op === 'Loop')).toHaveLength(1);
  });

  it('a while loop whose trip count is an input runs that many times, zero included', async () => {
    const g = new GraphModelBuilder(2);
    const x = g.placeholder('x', [null, 3]);
    const n = g.placeholder('n', [], 'int32');
    // acc += x · i for i < n; x and n enter the frame as constants.
    const [, acc] = whileLoop(
      g,
      'loop',
      [g.scalarInt(0), g.node('ZerosLike', [x], F)],
      ([i], [, count]) => g.node('Less', [i, count], I),
      ([i, a], [input]) => [
        increment(g, i),
        g.node('AddV2', [a, g.node('Mul', [input, g.node('Cast', [i], { DstT: attr.type('float32') })], F)], F),
      ],
      [x, n],
    );
    g.node('Identity', [acc], F, 'out');
    const modelJson = await g.save();
    for (const count of [4, 0, 1]) await expectGraphModelMatches(modelJson, { x: randomTensor([2, 3], 3), n: tf.scalar(count, 'int32') });
  });

  it('a loop nested in a loop', async () => {
    const g = new GraphModelBuilder(5);
    const x = g.placeholder('x', [2, 3]);
    // for i < 2: for j < 3: acc = acc · 0.5 + x · (i + 1). Captured values go round the loops unchanged, as TF2's
    // lowered loops pass them: tfjs-converter cannot run an is_constant Enter inside a nested frame.
    const [, result] = whileLoop(
      g,
      'outer',
      [g.scalarInt(0), x, x],
      ([i]) => g.node('Less', [i, g.scalarInt(2)], I),
      ([i, acc, input]) => {
        const scale = g.node('Cast', [g.node('AddV2', [i, g.scalarInt(1)], I)], { DstT: attr.type('float32') });
        // The inner counter starts from a value of the outer frame (TF puts its constant there), so tfjs enters the inner frame once per outer round.
        const [, inner] = whileLoop(
          g,
          'outer/inner',
          [g.node('Sub', [i, i], I), acc, input, scale],
          ([j]) => g.node('Less', [j, g.scalarInt(3)], I),
          ([j, a, value, factor]) => [
            increment(g, j),
            g.node('AddV2', [g.node('Mul', [a, g.scalar(0.5)], F), g.node('Mul', [value, factor], F)], F),
            value,
            factor,
          ],
        );
        return [increment(g, i), inner, input];
      },
    );
    g.node('Identity', [result], F, 'out');
    const { onnxPath } = await expectGraphModelMatches(await g.save(), { x: randomTensor([2, 3], 6) });
    expect((await onnxOps(onnxPath)).all.filter((op) => op === 'Loop')).toHaveLength(2);
  });
});
