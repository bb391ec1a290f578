/** Unique, ListDiff, LowerBound/UpperBound, Bincount and DenseBincount. */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll } from 'vitest';
import { randomIntTensor, randomTensor, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { attr } from '../harness.ts';
import { describeOpFamily, type OpCase } from './opCases.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const cases: OpCase[] = [
  {
    name: 'Unique of int32 and float vectors, UniqueV2 of rows (axis 0)',
    build: (g) => {
      const i = g.placeholder('i', [10], 'int32');
      const f = g.placeholder('f', [6]);
      const m = g.placeholder('m', [5, 2], 'int32');
      const ints = g.node('Unique', [i], { out_idx: attr.type('int32') }, 'unique_int');
      const floats = g.node('Unique', [f], { out_idx: attr.type('int32') }, 'unique_float');
      const rows = g.node('UniqueV2', [m, g.ints([0])], { out_idx: attr.type('int32') }, 'unique_rows');
      for (const [node, label] of [
        [ints, 'int'],
        [floats, 'float'],
        [rows, 'rows'],
      ]) {
        g.node('Identity', [`${node}:0`], {}, `values_${label}`);
        g.node('Identity', [`${node}:1`], {}, `indices_${label}`);
      }
      return {
        i: randomIntTensor([10], 2, 0, 5),
        f: tf.tensor([0.5, -1, 0.5, 2, -1, 3]),
        m: tf.tensor(
          [
            [1, 2],
            [3, 4],
            [1, 2],
            [0, 0],
            [3, 4],
          ],
          [5, 2],
          'int32',
        ),
      };
    },
  },
  {
    name: 'ListDiff (elements of x not in y, and their positions)',
    build: (g) => {
      const x = g.placeholder('x', [8], 'int32');
      const y = g.placeholder('y', [3], 'int32');
      const diff = g.node('ListDiff', [x, y], { out_idx: attr.type('int32') }, 'diff');
      g.node('Identity', [`${diff}:0`], {}, 'values');
      g.node('Identity', [`${diff}:1`], {}, 'positions');
      return { x: tf.tensor([4, 1, 7, 1, 9, 3, 4, 0], [8], 'int32'), y: tf.tensor([1, 4, 8], [3], 'int32') };
    },
  },
  {
    name: 'LowerBound and UpperBound (values equal to elements tell them apart)',
    build: (g) => {
      const values = g.placeholder('v', [2, 5]);
      const sorted = g.constant([-1, 0, 0, 1.5, 2, 3, 0, 1, 2, 3, 4, 5], [2, 6]);
      g.node('LowerBound', [sorted, values], { out_type: attr.type('int32') }, 'lower');
      g.node('UpperBound', [sorted, values], { out_type: attr.type('int32') }, 'upper');
      return {
        v: tf.tensor(
          [
            [-2, 0, 1, 3, 9],
            [0, 2.5, 5, -1, 4],
          ],
          [2, 5],
        ),
      };
    },
  },
  {
    name: 'Bincount with weights and without (values past size count nowhere)',
    build: (g) => {
      const x = g.placeholder('x', [9], 'int32');
      const w = g.placeholder('w', [9]);
      g.node('Bincount', [x, g.scalarInt(5), w], {}, 'weighted');
      g.node('Bincount', [x, g.scalarInt(5), g.constant([], [0])], {}, 'counts');
      return { x: tf.tensor([0, 3, 3, 6, 1, 4, 3, 0, 5], [9], 'int32'), w: randomTensor([9], 2) };
    },
  },
  {
    name: 'DenseBincount of rows, binary_output (which ignores the weights, zeros included)',
    build: (g) => {
      const x = g.placeholder('x', [3, 6], 'int32');
      const w = g.placeholder('w', [3, 6]);
      g.node('DenseBincount', [x, g.scalarInt(4), w], { binary_output: attr.b(true) }, 'binary');
      g.node('DenseBincount', [x, g.scalarInt(4), g.constant([], [0])], { binary_output: attr.b(false) }, 'counts');
      return { x: randomIntTensor([3, 6], 6, 0, 5), w: tf.tensor([0, 0, 0, 1, 2, 0, 0.5, 0, 0, 0, 0, 3, 0, 1, 0, 0, 0, 0], [3, 6]) };
    },
  },
];

describeOpFamily('sets, counts, sorted search', cases);
