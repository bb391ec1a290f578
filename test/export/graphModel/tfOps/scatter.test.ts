/** OneHot, ScatterNd at both opsets, SparseToDense and TensorScatterUpdate. */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomIntTensor, randomTensor, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { GraphModelBuilder, attr, convertGraphModel } from '../harness.ts';
import { T, describeOpFamily, type OpCase } from './opCases.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const cases: OpCase[] = [
  {
    name: 'OneHot float, axis -1, with negative and too-large indices (rows of off values)',
    build: (g) => {
      const i = g.placeholder('i', [null, 4], 'int32');
      g.node('OneHot', [i, g.scalarInt(5), g.scalar(2.5), g.scalar(-1)], { axis: attr.i(-1), T: T }, 'out');
      return { i: randomIntTensor([3, 4], 3, -2, 7) };
    },
  },
  {
    name: 'OneHot with a run-time depth',
    build: (g) => {
      const i = g.placeholder('i', [6], 'int32');
      const depth = g.placeholder('depth', [], 'int32');
      g.node('OneHot', [i, depth, g.scalar(1), g.scalar(0)], { axis: attr.i(-1), T: T }, 'out');
      return { i: randomIntTensor([6], 3, 0, 4), depth: tf.scalar(4, 'int32') };
    },
  },
  {
    name: 'OneHot int32 on axis 0 (against axis -1 and a Transpose; tfjs ignores the axis)',
    build: (g) => {
      const i = g.placeholder('i', [3, 4], 'int32');
      g.node('OneHot', [i, g.scalarInt(5), g.scalarInt(7), g.scalarInt(0)], { axis: attr.i(0), T: attr.type('int32') }, 'out');
      return { i: randomIntTensor([3, 4], 4, 0, 5) };
    },
    reference: (g) => {
      const i = g.placeholder('i', [3, 4], 'int32');
      const hot = g.node('OneHot', [i, g.scalarInt(5), g.scalarInt(7), g.scalarInt(0)], { axis: attr.i(-1), T: attr.type('int32') });
      g.node('Transpose', [hot, g.ints([2, 0, 1])], {}, 'out');
    },
  },
  {
    name: 'ScatterNd at opset 16: run-time indices, repeated ones summed',
    build: (g) => {
      const i = g.placeholder('i', [6, 2], 'int32');
      const u = g.placeholder('u', [6, 3]);
      g.node('ScatterNd', [i, u, g.ints([4, 3, 3])], { Tindices: attr.type('int32') }, 'out');
      return {
        i: tf.tensor(
          [
            [0, 1],
            [3, 2],
            [0, 1],
            [2, 0],
            [3, 2],
            [1, 1],
          ],
          [6, 2],
          'int32',
        ),
        u: randomTensor([6, 3], 2),
      };
    },
    opset: 16,
  },
  {
    name: 'ScatterNd at opset 13: constant unique indices',
    build: (g) => {
      const u = g.placeholder('u', [3, 5]);
      g.node('ScatterNd', [g.ints([4, 0, 2], [3, 1]), u, g.ints([6, 5])], { Tindices: attr.type('int32') }, 'out');
      return { u: randomTensor([3, 5], 2) };
    },
  },
  {
    name: 'SparseToDense: [N, rank] indices with run-time values; run-time 1-D indices with one value',
    build: (g) => {
      const v = g.placeholder('v', [3]);
      const i = g.placeholder('i', [null], 'int32');
      g.node(
        'SparseToDense',
        [g.ints([0, 1, 1, 0, 2, 3], [3, 2]), g.ints([3, 4]), v, g.scalar(-1)],
        { validate_indices: attr.b(true) },
        'rows',
      );
      g.node('SparseToDense', [i, g.ints([6]), g.scalar(2.5), g.scalar(0)], { validate_indices: attr.b(true) }, 'vector');
      return { v: randomTensor([3], 1), i: tf.tensor([1, 4, 5], [3], 'int32') };
    },
  },
  {
    name: 'SparseToDense of constants (folded, as in nanodet: no indices at all)',
    build: (g) => {
      const x = g.placeholder('x', [2, 5], 'int32');
      const dense = g.node('SparseToDense', [g.constant([], [0, 1], 'int32'), g.ints([5]), g.constant([], [0], 'int32'), g.scalarInt(3)], {
        validate_indices: attr.b(true),
      });
      g.node(
        'AddV2',
        [x, g.node('AddV2', [dense, g.node('SparseToDense', [g.ints([4, 1], [2, 1]), g.ints([5]), g.scalarInt(7), g.scalarInt(0)], {})])],
        {},
        'out',
      );
      return { x: randomIntTensor([2, 5], 3, -5, 5) };
    },
    onnxOps: ['Add'],
  },
  {
    name: 'TensorScatterUpdate of rows',
    build: (g) => {
      const x = g.placeholder('x', [5, 3]);
      const u = g.placeholder('u', [2, 3]);
      g.node('TensorScatterUpdate', [x, g.ints([3, 1], [2, 1]), u], {}, 'out');
      return { x: randomTensor([5, 3], 1), u: randomTensor([2, 3], 2) };
    },
  },
];

describeOpFamily('scattering, one-hot', cases);

describe('GraphModel ops: what ONNX cannot express at the chosen opset is refused', () => {
  it('refuses ScatterNd with run-time indices below opset 16, naming the node and the opset that sums repeated indices', async () => {
    const g = new GraphModelBuilder(1);
    g.node('ScatterNd', [g.placeholder('i', [6, 2], 'int32'), g.placeholder('u', [6, 3]), g.ints([4, 3, 3])], {}, 'out');
    await expect(convertGraphModel(await g.save())).rejects.toThrow(/node "out" \(ScatterNd\).*--opset 16/);
  });
});
