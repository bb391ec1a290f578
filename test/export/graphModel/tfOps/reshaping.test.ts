/** Reshape (also with a partly known target), Squeeze, ExpandDims, Transpose and Tile. */
import { afterAll, beforeAll } from 'vitest';
import { randomTensor, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { attr } from '../harness.ts';
import { describeOpFamily, unaryCase, type OpCase } from './opCases.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const cases: OpCase[] = [
  {
    name: 'Flatten through Shape → StridedSlice → Pack → Reshape with a symbolic batch',
    build: (g) => {
      const x = g.placeholder('x', [null, 3, 4, 2]);
      const shape = g.node('Shape', [x], { out_type: attr.type('int32') });
      const batch = g.node('StridedSlice', [shape, g.ints([0]), g.ints([1]), g.ints([1])], {
        shrink_axis_mask: attr.i(1),
        begin_mask: attr.i(0),
        end_mask: attr.i(0),
        ellipsis_mask: attr.i(0),
        new_axis_mask: attr.i(0),
      });
      const rest = g.node('StridedSlice', [shape, g.ints([1]), g.ints([0]), g.ints([1])], {
        end_mask: attr.i(1),
        shrink_axis_mask: attr.i(0),
        begin_mask: attr.i(0),
        ellipsis_mask: attr.i(0),
        new_axis_mask: attr.i(0),
      });
      const size = g.node('Prod', [rest, g.ints([0])], { keep_dims: attr.b(false) });
      const target = g.node('Pack', [batch, size], { axis: attr.i(0), N: attr.i(2) });
      g.node('Reshape', [x, target], {}, 'out');
      return { x: randomTensor([3, 3, 4, 2], 1) };
    },
  },
  unaryCase('Reshape with -1', 'Reshape', [2, 3, 4], {}, -2, 2, (g) => [g.ints([-1, 6])]),
  unaryCase('Squeeze', 'Squeeze', [2, 1, 3, 1], { squeeze_dims: attr.ints([1, 3]) }),
  unaryCase('ExpandDims', 'ExpandDims', [2, 3], {}, -2, 2, (g) => [g.scalarInt(-1)]),
  unaryCase('Transpose', 'Transpose', [2, 3, 4], {}, -2, 2, (g) => [g.ints([2, 0, 1])]),
  unaryCase('Tile', 'Tile', [2, 3], {}, -2, 2, (g) => [g.ints([2, 3])]),
];

describeOpFamily('reshaping, transposing, tiling', cases);
