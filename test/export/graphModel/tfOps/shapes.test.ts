/**
 * Shapes as values: Shape, ShapeN, Size, Rank and BroadcastArgs of symbolic batches, and what they
 * feed.
 */
import { afterAll, beforeAll } from 'vitest';
import { randomTensor, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { attr } from '../harness.ts';
import { describeOpFamily, type OpCase } from './opCases.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const cases: OpCase[] = [
  {
    name: 'Shape/Size/Rank of a symbolic batch, Fill, Range, ZerosLike, OnesLike, BroadcastTo',
    build: (g) => {
      const x = g.placeholder('x', [null, 3, 2]);
      g.node('Shape', [x], { out_type: attr.type('int32') }, 'shape');
      g.node('Size', [x], { out_type: attr.type('int32') }, 'size');
      g.node('Rank', [x], {}, 'rank');
      g.node('Fill', [g.ints([2, 3]), g.scalar(1.5)], {}, 'fill');
      g.node('Range', [g.scalarInt(2), g.scalarInt(11), g.scalarInt(3)], { Tidx: attr.type('int32') }, 'range');
      g.node('ZerosLike', [x], {}, 'zeros');
      g.node('OnesLike', [x], {}, 'ones');
      g.node('BroadcastTo', [g.randomConstant([3, 1]), g.node('Shape', [x], { out_type: attr.type('int32') })], {}, 'broadcast');
      return { x: randomTensor([4, 3, 2], 1) };
    },
  },
  {
    // tfjs-converter's ShapeN gives float32 shapes (TensorFlow: out_type), which its BroadcastArgs refuses, hence Shape there.
    name: 'ShapeN, and BroadcastArgs of a symbolic shape feeding BroadcastTo',
    build: (g) => {
      const x = g.placeholder('x', [null, 1, 4]);
      const y = g.placeholder('y', [2, 5]);
      const shapes = g.node('ShapeN', [x, y], { N: attr.i(2), out_type: attr.type('int32') }, 'shapes');
      g.node('Identity', [`${shapes}:0`], {}, 'shape_x');
      g.node('Identity', [`${shapes}:1`], {}, 'shape_y');
      const args = g.node('BroadcastArgs', [g.node('Shape', [x], { out_type: attr.type('int32') }), g.ints([3, 1])], {}, 'args');
      g.node('BroadcastTo', [g.randomConstant([3, 1]), args], {}, 'broadcast');
      return { x: randomTensor([2, 1, 4], 1), y: randomTensor([2, 5], 2) };
    },
  },
];

describeOpFamily('shapes', cases);
