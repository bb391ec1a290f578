/** Pooling: max and average (2-D and 3-D), MaxPoolWithArgmax and Dilation2D. */
import { afterAll, beforeAll } from 'vitest';
import { randomTensor, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { attr } from '../harness.ts';
import { describeOpFamily, unaryCase, window, type OpCase } from './opCases.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const cases: OpCase[] = [
  unaryCase('MaxPool SAME stride 2', 'MaxPool', [2, 7, 6, 3], { ksize: attr.ints([1, 3, 3, 1]), ...window([1, 2, 2, 1], 'SAME') }),
  unaryCase('AvgPool VALID', 'AvgPool', [2, 7, 6, 3], { ksize: attr.ints([1, 2, 3, 1]), ...window([1, 2, 1, 1], 'VALID') }),
  unaryCase('AvgPool SAME (padding left out of the mean)', 'AvgPool', [2, 5, 5, 3], {
    ksize: attr.ints([1, 3, 3, 1]),
    ...window([1, 2, 2, 1], 'SAME'),
  }),
  ...[false, true].map(
    (withBatch): OpCase => ({
      name: `MaxPoolWithArgmax SAME, include_batch_in_index ${withBatch}`,
      build: (g) => {
        const x = g.placeholder('x', [null, 5, 6, 3]);
        const pooled = g.node(
          'MaxPoolWithArgmax',
          [x],
          {
            ksize: attr.ints([1, 3, 2, 1]),
            ...window([1, 2, 2, 1], 'SAME'),
            include_batch_in_index: attr.b(withBatch),
            Targmax: attr.type('int32'),
          },
          'pool',
        );
        g.node('Identity', [`${pooled}:0`], {}, 'values');
        g.node('Identity', [`${pooled}:1`], {}, 'argmax');
        return { x: randomTensor([2, 5, 6, 3], 8) };
      },
    }),
  ),
  unaryCase(
    'Dilation2D SAME, rates 1 and 2',
    'Dilation2D',
    [2, 6, 5, 3],
    { strides: attr.ints([1, 1, 1, 1]), rates: attr.ints([1, 1, 2, 1]), padding: attr.s('SAME') },
    -2,
    2,
    (g) => [g.randomConstant([2, 3, 3])],
  ),
  {
    name: 'Dilation2D VALID stride 2 between convolutions (in NCHW)',
    build: (g) => {
      const x = g.placeholder('x', [null, 7, 7, 2]);
      const conv = g.node('Conv2D', [x, g.randomConstant([1, 1, 2, 3])], window([1, 1, 1, 1], 'SAME'));
      const dilated = g.node('Dilation2D', [conv, g.randomConstant([3, 2, 3])], {
        strides: attr.ints([1, 2, 2, 1]),
        rates: attr.ints([1, 1, 1, 1]),
        padding: attr.s('VALID'),
      });
      g.node('Conv2D', [dilated, g.randomConstant([1, 1, 3, 2])], window([1, 1, 1, 1], 'SAME'), 'out');
      return { x: randomTensor([2, 7, 7, 2], 3) };
    },
  },
  ...(['MaxPool3D', 'AvgPool3D'] as const).flatMap((op) =>
    (['SAME', 'VALID'] as const).map((padding) =>
      unaryCase(`${op} ${padding}`, op, [2, 5, 6, 4, 3], {
        ksize: attr.ints([1, 2, 3, 2, 1]),
        strides: attr.ints([1, 2, 2, 1, 1]),
        padding: attr.s(padding),
        data_format: attr.s('NDHWC'),
      }),
    ),
  ),
];

describeOpFamily('pooling', cases);
