/** Reductions over constant axes, ArgMax/ArgMin, Cumsum in every mode, EuclideanNorm and TopKV2. */
import { afterAll, beforeAll } from 'vitest';
import { randomIntTensor, randomTensor, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { type GraphModelBuilder, attr } from '../harness.ts';
import { describeOpFamily, unaryCase, type OpCase } from './opCases.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const axisInput = (axes: number[]) => (g: GraphModelBuilder) => [g.ints(axes)];

const cases: OpCase[] = [
  unaryCase('Mean keep_dims over H, W', 'Mean', [2, 4, 5, 3], { keep_dims: attr.b(true) }, -2, 2, axisInput([1, 2])),
  ...['Sum', 'Max', 'Min', 'Prod'].map((op) =>
    unaryCase(`${op} over axis -1`, op, [2, 3, 4], { keep_dims: attr.b(false) }, 0.5, 1.5, axisInput([-1])),
  ),
  ...['All', 'Any'].map(
    (op): OpCase => ({
      name: op,
      build: (g) => {
        const x = g.placeholder('x', [3, 4]);
        g.node(op, [g.node('Greater', [x, g.scalar(-0.5)]), g.ints([1])], { keep_dims: attr.b(false) }, 'out');
        return { x: randomTensor([3, 4], 9) };
      },
    }),
  ),
  unaryCase('ArgMax', 'ArgMax', [3, 4, 5], { output_type: attr.type('int32') }, -2, 2, (g) => [g.scalarInt(1)]),
  unaryCase('ArgMin', 'ArgMin', [3, 4, 5], { output_type: attr.type('int32') }, -2, 2, (g) => [g.scalarInt(-1)]),
  ...[false, true].flatMap((exclusive) =>
    [false, true].map((reverse) =>
      unaryCase(
        `Cumsum exclusive ${exclusive} reverse ${reverse}`,
        'Cumsum',
        [2, 5, 3],
        { exclusive: attr.b(exclusive), reverse: attr.b(reverse) },
        -2,
        2,
        (g) => [g.scalarInt(1)],
      ),
    ),
  ),
  {
    // tfjs's cumsum mishandles a negative axis, so the reference needs a positive one.
    name: 'Cumsum int32 over the last axis',
    build: (g) => {
      const a = g.placeholder('a', [3, 6], 'int32');
      g.node('Cumsum', [a, g.scalarInt(1)], { exclusive: attr.b(false), reverse: attr.b(false) }, 'out');
      return { a: randomIntTensor([3, 6], 2, -50, 50) };
    },
  },
  unaryCase('EuclideanNorm over axis 1', 'EuclideanNorm', [2, 5, 3], { keep_dims: attr.b(false) }, -2, 2, axisInput([1])),
  unaryCase('EuclideanNorm keep_dims over axes 0 and 2', 'EuclideanNorm', [2, 5, 3], { keep_dims: attr.b(true) }, -2, 2, axisInput([0, 2])),
  {
    name: 'TopKV2 values and indices',
    build: (g) => {
      const x = g.placeholder('x', [3, 10]);
      const topk = g.node('TopKV2', [x, g.scalarInt(4)], { sorted: attr.b(true) }, 'topk');
      g.node('Identity', [`${topk}:0`], {}, 'values');
      g.node('Identity', [`${topk}:1`], {}, 'indices');
      return { x: randomTensor([3, 10], 5) };
    },
  },
];

describeOpFamily('reductions, cumulative sums', cases);
