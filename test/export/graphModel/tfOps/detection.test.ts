/** Non-maximum suppression, V2 to V5. */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll } from 'vitest';
import { randomTensor, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { attr } from '../harness.ts';
import { describeOpFamily, type OpCase } from './opCases.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

function boxes(count: number, seed: number): tf.Tensor {
  const corners = randomTensor([count, 2], seed, 0, 0.8).arraySync() as number[][];
  const sizes = randomTensor([count, 2], seed + 1, 0.1, 0.3).arraySync() as number[][];
  return tf.tensor(
    corners.map(([y, x], i) => [y, x, y + sizes[i][0], x + sizes[i][1]]),
    [count, 4],
  );
}

const cases: OpCase[] = [
  {
    name: 'NonMaxSuppressionV2 (no score threshold)',
    build: (g) => {
      const b = g.placeholder('boxes', [20, 4]);
      const s = g.placeholder('scores', [20]);
      g.node('NonMaxSuppressionV2', [b, s, g.scalarInt(6), g.scalar(0.4)], {}, 'out');
      return { boxes: boxes(20, 5), scores: randomTensor([20], 6, 0, 1) };
    },
  },
  ...(['NonMaxSuppressionV3', 'NonMaxSuppressionV4', 'NonMaxSuppressionV5'] as const).map(
    (op): OpCase => ({
      name: op,
      build: (g) => {
        const b = g.placeholder('boxes', [20, 4]);
        const s = g.placeholder('scores', [20]);
        const inputs = [b, s, g.scalarInt(6), g.scalar(0.4), g.scalar(0.2)];
        if (op === 'NonMaxSuppressionV5') inputs.push(g.scalar(0));
        const nms = g.node(op, inputs, op === 'NonMaxSuppressionV4' ? { pad_to_max_output_size: attr.b(true) } : {}, 'nms');
        g.node('Identity', [`${nms}:0`], {}, 'selected');
        if (op === 'NonMaxSuppressionV5') g.node('Identity', [`${nms}:1`], {}, 'selected_scores');
        return { boxes: boxes(20, 3), scores: randomTensor([20], 4, 0, 1) };
      },
    }),
  ),
];

describeOpFamily('detection', cases);
