/** Pack, Unpack, ConcatV2, Split, SplitV and Concat (v1). */
import { afterAll, beforeAll } from 'vitest';
import { randomTensor, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { attr } from '../harness.ts';
import { describeOpFamily, type OpCase } from './opCases.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const cases: OpCase[] = [
  {
    name: 'Pack, Unpack, ConcatV2',
    build: (g) => {
      const x = g.placeholder('x', [3, 4]);
      const y = g.placeholder('y', [3, 4]);
      const packed = g.node('Pack', [x, y], { axis: attr.i(1), N: attr.i(2) }, 'packed');
      const parts = g.node('Unpack', [packed], { axis: attr.i(2), num: attr.i(4) });
      g.node('ConcatV2', [`${parts}:3`, `${parts}:0`, g.randomConstant([3, 1]), g.scalarInt(1)], { N: attr.i(3) }, 'out');
      return { x: randomTensor([3, 4], 1), y: randomTensor([3, 4], 2) };
    },
  },
  {
    name: 'Split and SplitV',
    build: (g) => {
      const x = g.placeholder('x', [2, 6, 5]);
      const halves = g.node('Split', [g.scalarInt(1), x], { num_split: attr.i(3) });
      const parts = g.node('SplitV', [x, g.ints([1, -1, 2]), g.scalarInt(-1)], { num_split: attr.i(3) });
      g.node('Identity', [`${halves}:2`], {}, 'split');
      g.node('Identity', [`${parts}:1`], {}, 'splitv');
      return { x: randomTensor([2, 6, 5], 1) };
    },
  },
  {
    name: 'Concat (v1, axis first) and Gather (v1)',
    build: (g) => {
      const x = g.placeholder('x', [3, 4]);
      g.node('Concat', [g.scalarInt(-1), x, g.randomConstant([3, 2])], { N: attr.i(2) }, 'concat');
      g.node('Gather', [x, g.ints([2, 0, 2])], {}, 'gather');
      return { x: randomTensor([3, 4], 1) };
    },
  },
];

describeOpFamily('joining and splitting', cases);
