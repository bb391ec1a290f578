/**
 * GatherV2, GatherNd and Where (Gather v1 is tested with Concat v1 in joining.test.ts, Select and
 * SelectV2 in arithmetic.test.ts).
 */
import { afterAll, beforeAll } from 'vitest';
import { randomTensor, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { attr } from '../harness.ts';
import { describeOpFamily, type OpCase } from './opCases.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const cases: OpCase[] = [
  {
    name: 'GatherV2 and GatherNd',
    build: (g) => {
      const x = g.placeholder('x', [4, 5, 3]);
      g.node('GatherV2', [x, g.ints([3, 0, 0, 2]), g.scalarInt(1)], { batch_dims: attr.i(0) }, 'gather');
      g.node('GatherNd', [x, g.ints([1, 2, 3, 4, 0, 1], [3, 2])], {}, 'gathernd');
      return { x: randomTensor([4, 5, 3], 1) };
    },
  },
  {
    name: 'Where (coordinates of true elements)',
    build: (g) => {
      const x = g.placeholder('x', [3, 4]);
      g.node('Where', [g.node('Greater', [x, g.scalar(0)])], {}, 'out');
      return { x: randomTensor([3, 4], 1) };
    },
  },
];

describeOpFamily('gathering and selecting', cases);
