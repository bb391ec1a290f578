/** StridedSlice with every mask, Slice, ReverseV2 and Reverse (v1). */
import { afterAll, beforeAll } from 'vitest';
import { removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { describeOpFamily, stridedSlice, unaryCase, type OpCase } from './opCases.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

function sliceCase(name: string, begin: number[], end: number[], strides: number[], masks: Parameters<typeof stridedSlice>[0]): OpCase {
  return unaryCase(`StridedSlice ${name}`, 'StridedSlice', [3, 6, 5, 4], stridedSlice(masks), -2, 2, (g) => [
    g.ints(begin),
    g.ints(end),
    g.ints(strides),
  ]);
}

const cases: OpCase[] = [
  sliceCase('begin/end masks and steps', [1, 0, 1, 0], [3, 5, 0, 3], [1, 2, 1, 2], { begin_mask: 0b0010, end_mask: 0b0100 }),
  sliceCase('negative strides', [0, -1, 4, 0], [0, 0, 0, 0], [1, -2, -1, 1], { begin_mask: 0b1001, end_mask: 0b1011 }),
  sliceCase('ellipsis and shrink', [0, 1], [0, 2], [1, 1], { ellipsis_mask: 0b01, shrink_axis_mask: 0b10 }),
  sliceCase('new axis and negative shrink index', [0, -1, 0], [0, 0, 0], [1, 1, 1], {
    new_axis_mask: 0b001,
    shrink_axis_mask: 0b010,
    begin_mask: 0b100,
    end_mask: 0b100,
  }),
  unaryCase('Slice with size -1', 'Slice', [3, 6, 5], {}, -2, 2, (g) => [g.ints([1, 2, 0]), g.ints([2, -1, 3])]),
  unaryCase('ReverseV2 over axes 0 and -1', 'ReverseV2', [2, 3, 4], {}, -2, 2, (g) => [g.ints([0, -1])]),
  unaryCase('Reverse (v1, one bool per axis)', 'Reverse', [2, 3, 4], {}, -2, 2, (g) => [g.constant([0, 1, 1], [3], 'bool')]),
];

describeOpFamily('slicing and reversing', cases);
