/** Pad, PadV2 and MirrorPad (both modes, and between convolutions without Transposes). */
import { afterAll, beforeAll } from 'vitest';
import { randomTensor, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { attr } from '../harness.ts';
import { describeOpFamily, unaryCase, window, type OpCase } from './opCases.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const cases: OpCase[] = [
  unaryCase('Pad', 'Pad', [2, 3, 4], {}, -2, 2, (g) => [g.ints([0, 0, 1, 2, 2, 0], [3, 2])]),
  unaryCase('PadV2 with a constant value', 'PadV2', [2, 3], {}, -2, 2, (g) => [g.ints([1, 0, 0, 2], [2, 2]), g.scalar(-7)]),
  unaryCase('MirrorPad REFLECT', 'MirrorPad', [2, 4, 3], { mode: attr.s('REFLECT') }, -2, 2, (g) => [g.ints([0, 0, 2, 1, 1, 1], [3, 2])]),
  unaryCase('MirrorPad SYMMETRIC (pads up to the full size)', 'MirrorPad', [2, 4, 3], { mode: attr.s('SYMMETRIC') }, -2, 2, (g) => [
    g.ints([0, 0, 4, 1, 1, 3], [3, 2]),
  ]),
  {
    name: 'MirrorPad SYMMETRIC between convolutions (padded in NCHW, no Transpose between them)',
    build: (g) => {
      const x = g.placeholder('x', [null, 6, 5, 3]);
      const conv = g.node('Conv2D', [x, g.randomConstant([3, 3, 3, 4])], window([1, 1, 1, 1], 'SAME'));
      const padded = g.node('MirrorPad', [conv, g.ints([0, 0, 1, 2, 2, 0, 0, 0], [4, 2])], { mode: attr.s('SYMMETRIC') });
      g.node('Conv2D', [padded, g.randomConstant([3, 3, 4, 2])], window([1, 1, 1, 1], 'VALID'), 'out');
      return { x: randomTensor([2, 6, 5, 3], 4) };
    },
    onnxOps: ['Transpose', 'Conv', 'Slice', 'Slice', 'Concat', 'Slice', 'Concat', 'Conv', 'Transpose'],
  },
];

describeOpFamily('padding', cases);
