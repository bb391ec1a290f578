/**
 * Image ops: resizing (each coordinate mode, run-time sizes), depth/space rearrangements,
 * CropAndResize, and the SpaceToBatchND dilated-convolution pattern.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll } from 'vitest';
import { randomTensor, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { attr } from '../harness.ts';
import { describeOpFamily, nhwc, stridedSlice, unaryCase, window, type OpCase } from './opCases.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

function resizeCase(op: string, alignCorners: boolean, halfPixel: boolean): OpCase {
  return unaryCase(
    `${op} align_corners ${alignCorners} half_pixel_centers ${halfPixel}`,
    op,
    [2, 5, 4, 3],
    { align_corners: attr.b(alignCorners), half_pixel_centers: attr.b(halfPixel) },
    -2,
    2,
    (g) => [g.ints([9, 7])],
  );
}

/** SpaceToDepth block 2 against its definition (tfjs lacks the op): the blocks split out of H and W, moved before the channels, merged into them. */
function spaceToDepthCase(format: 'NHWC' | 'NCHW'): OpCase {
  const nchw = format === 'NCHW';
  const shape = nchw ? [2, 3, 4, 6] : [2, 4, 6, 3];
  const [blocks, perm, merged] = nchw
    ? [
        [-1, 3, 2, 2, 3, 2],
        [0, 3, 5, 1, 2, 4],
        [-1, 12, 2, 3],
      ]
    : [
        [-1, 2, 2, 3, 2, 3],
        [0, 1, 3, 2, 4, 5],
        [-1, 2, 3, 12],
      ];
  return {
    name: `SpaceToDepth ${format} block 2 (against its Reshape/Transpose definition; tfjs lacks the op)`,
    build: (g) => {
      g.node(
        'SpaceToDepth',
        [g.placeholder('x', [null, ...shape.slice(1)])],
        { block_size: attr.i(2), data_format: attr.s(format) },
        'out',
      );
      return { x: randomTensor(shape, 5) };
    },
    reference: (g) => {
      const split = g.node('Reshape', [g.placeholder('x', [null, ...shape.slice(1)]), g.ints(blocks)]);
      g.node('Reshape', [g.node('Transpose', [split, g.ints(perm)]), g.ints(merged)], {}, 'out');
    },
  };
}

const cases: OpCase[] = [
  ...['ResizeBilinear', 'ResizeNearestNeighbor'].flatMap((op) => [
    resizeCase(op, false, false),
    resizeCase(op, true, false),
    resizeCase(op, false, true),
  ]),
  ...['ResizeBilinear', 'ResizeNearestNeighbor'].map(
    (op): OpCase => ({
      name: `${op} to twice a run-time input size (as in MoveNet MultiPose, whose input has any resolution)`,
      build: (g) => {
        const x = g.placeholder('x', [1, null, null, 3]);
        const spatial = g.node(
          'StridedSlice',
          [g.node('Shape', [x], { out_type: attr.type('int32') }), g.ints([1]), g.ints([3]), g.ints([1])],
          stridedSlice({}),
        );
        g.node(
          op,
          [x, g.node('Mul', [spatial, g.scalarInt(2)])],
          { align_corners: attr.b(false), half_pixel_centers: attr.b(true) },
          'out',
        );
        return { x: randomTensor([1, 5, 4, 3], 6) };
      },
    }),
  ),
  unaryCase('DepthToSpace block 2', 'DepthToSpace', [2, 3, 4, 8], { block_size: attr.i(2), ...nhwc }),
  {
    name: 'DepthToSpace NCHW (against NHWC between Transposes; tfjs runs NHWC only)',
    build: (g) => {
      const x = g.placeholder('x', [null, 8, 3, 4]);
      g.node('DepthToSpace', [x], { block_size: attr.i(2), data_format: attr.s('NCHW') }, 'out');
      return { x: randomTensor([2, 8, 3, 4], 5) };
    },
    reference: (g) => {
      const x = g.placeholder('x', [null, 8, 3, 4]);
      const moved = g.node('DepthToSpace', [g.node('Transpose', [x, g.ints([0, 2, 3, 1])])], { block_size: attr.i(2), ...nhwc });
      g.node('Transpose', [moved, g.ints([0, 3, 1, 2])], {}, 'out');
    },
  },
  {
    name: 'CropAndResize bilinear, boxes partly outside the image (extrapolation), a run-time box count',
    build: (g) => {
      const image = g.placeholder('image', [null, 6, 7, 3]);
      const b = g.placeholder('boxes', [null, 4]);
      const index = g.placeholder('box_ind', [null], 'int32');
      g.node('CropAndResize', [image, b, index, g.ints([4, 5])], { method: attr.s('bilinear'), extrapolation_value: attr.f(-2) }, 'out');
      const boxes = tf.tensor(
        [
          [0.1, 0.2, 0.7, 0.9],
          [-0.2, 0.3, 0.5, 1.3],
          [0.9, 0.8, 0.2, 0.1],
          [0, 0, 1, 1],
          [0.25, 0.5, 0.25, 0.75],
        ],
        [5, 4],
      );
      return { image: randomTensor([2, 6, 7, 3], 5), boxes, box_ind: tf.tensor([1, 0, 1, 0, 1], [5], 'int32') };
    },
  },
  {
    // Positions are kept off .5, where float32 (onnxruntime) and float64 (tfjs) arithmetic may round apart.
    name: 'CropAndResize nearest, a crop height of 1 (the box centre)',
    build: (g) => {
      const image = g.placeholder('image', [2, 5, 6, 2]);
      const b = g.placeholder('boxes', [3, 4]);
      g.node(
        'CropAndResize',
        [image, b, g.ints([0, 1, 1]), g.ints([1, 4])],
        { method: attr.s('nearest'), extrapolation_value: attr.f(0) },
        'out',
      );
      return {
        image: randomTensor([2, 5, 6, 2], 5),
        boxes: tf.tensor(
          [
            [0.1, 0.15, 0.62, 0.85],
            [0.3, -0.4, 0.6, 0.6],
            [0.05, 0.88, 0.95, 0.1],
          ],
          [3, 4],
        ),
      };
    },
  },
  spaceToDepthCase('NHWC'),
  spaceToDepthCase('NCHW'),
  {
    name: 'SpaceToBatchND → Conv2D → BatchToSpaceND (the dilated convolution pattern, fused into one Conv)',
    build: (g) => {
      const x = g.placeholder('x', [1, 8, 8, 3]);
      const spaced = g.node('SpaceToBatchND', [x, g.ints([2, 2]), g.ints([2, 2, 2, 2], [2, 2])]);
      const conv = g.node(
        'Conv2D',
        [spaced, g.randomConstant([3, 3, 3, 4])],
        window([1, 1, 1, 1], 'VALID', { dilations: attr.ints([1, 1, 1, 1]) }),
      );
      g.node('BatchToSpaceND', [conv, g.ints([2, 2]), g.ints([0, 0, 0, 0], [2, 2])], {}, 'out');
      return { x: randomTensor([1, 8, 8, 3], 5) };
    },
    onnxOps: ['Transpose', 'Conv', 'Transpose'],
  },
  {
    name: 'SpaceToBatchND and BatchToSpaceND on their own (crops, a symbolic batch)',
    build: (g) => {
      const x = g.placeholder('x', [null, 6, 4, 2]);
      const spaced = g.node('SpaceToBatchND', [x, g.ints([2, 2]), g.ints([1, 1, 0, 2], [2, 2])], {}, 'spaced');
      g.node('BatchToSpaceND', [g.node('Neg', [spaced]), g.ints([2, 2]), g.ints([0, 1, 1, 0], [2, 2])], {}, 'out');
      return { x: randomTensor([3, 6, 4, 2], 5) };
    },
  },
];

describeOpFamily('image', cases);
