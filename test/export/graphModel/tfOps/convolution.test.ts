/**
 * Convolutions: padding modes, strides and dilations, depthwise, the fused forms with each
 * activation, 3-D, transposed (Conv2DBackpropInput), and NCHW runs without Transposes between
 * them.
 */
import { afterAll, beforeAll } from 'vitest';
import { randomTensor, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { type GraphModelBuilder, attr } from '../harness.ts';
import { describeOpFamily, window, type OpCase } from './opCases.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

function convCase(
  name: string,
  op: string,
  filterShape: number[],
  attributes: Record<string, unknown>,
  inputShape = [2, 9, 8, 3],
  extra: (g: GraphModelBuilder) => string[] = () => [],
): OpCase {
  return {
    name,
    build: (g) => {
      const x = g.placeholder('x', [null, ...inputShape.slice(1)]);
      g.node(op, [x, g.randomConstant(filterShape), ...extra(g)], attributes, 'out');
      return { x: randomTensor(inputShape, 11) };
    },
  };
}

const fused = (ops: string[], args: number, extra = {}) => ({
  ...window([1, 2, 2, 1], 'SAME'),
  fused_ops: attr.strings(ops),
  num_args: attr.i(args),
  dilations: attr.ints([1, 1, 1, 1]),
  ...extra,
});

const cases: OpCase[] = [
  convCase('Conv2D SAME stride 2', 'Conv2D', [3, 3, 3, 4], window([1, 2, 2, 1], 'SAME')),
  convCase('Conv2D VALID dilation 2', 'Conv2D', [3, 2, 3, 4], window([1, 1, 1, 1], 'VALID', { dilations: attr.ints([1, 2, 2, 1]) })),
  convCase(
    'Conv2D EXPLICIT padding',
    'Conv2D',
    [3, 3, 3, 2],
    window([1, 1, 2, 1], 'EXPLICIT', { explicit_paddings: attr.ints([0, 0, 1, 2, 0, 1, 0, 0]) }),
  ),
  convCase('DepthwiseConv2dNative multiplier 2', 'DepthwiseConv2dNative', [3, 3, 3, 2], window([1, 1, 1, 1], 'SAME')),
  convCase('_FusedConv2D BiasAdd+Relu6', '_FusedConv2D', [3, 3, 3, 4], fused(['BiasAdd', 'Relu6'], 1), undefined, (g) => [
    g.randomConstant([4]),
  ]),
  convCase(
    '_FusedConv2D BiasAdd+LeakyRelu',
    '_FusedConv2D',
    [1, 1, 3, 4],
    fused(['BiasAdd', 'LeakyRelu'], 1, { leakyrelu_alpha: attr.f(0.3) }),
    undefined,
    (g) => [g.randomConstant([4])],
  ),
  convCase('_FusedConv2D BiasAdd+Prelu', '_FusedConv2D', [3, 3, 3, 4], fused(['BiasAdd', 'Prelu'], 2), undefined, (g) => [
    g.randomConstant([4]),
    g.randomConstant([4], 0, 0.5),
  ]),
  convCase('_FusedConv2D BiasAdd+Sigmoid', '_FusedConv2D', [2, 2, 3, 4], fused(['BiasAdd', 'Sigmoid'], 1), undefined, (g) => [
    g.randomConstant([4]),
  ]),
  convCase('_FusedConv2D BiasAdd+Elu', '_FusedConv2D', [2, 2, 3, 4], fused(['BiasAdd', 'Elu'], 1), undefined, (g) => [
    g.randomConstant([4]),
  ]),
  convCase(
    'FusedDepthwiseConv2dNative BiasAdd+Relu',
    'FusedDepthwiseConv2dNative',
    [3, 3, 3, 1],
    fused(['BiasAdd', 'Relu'], 1),
    undefined,
    (g) => [g.randomConstant([3])],
  ),
  {
    name: '_FusedConv2D FusedBatchNorm+Relu (against Conv2D → FusedBatchNormV3 → Relu; tfjs cannot run the fused form)',
    build: (g) => {
      const x = g.placeholder('x', [null, 7, 7, 3]);
      const filter = g.randomConstant([3, 3, 3, 4]);
      const stats = [g.randomConstant([4]), g.randomConstant([4]), g.randomConstant([4]), g.randomConstant([4], 0.5, 1.5)];
      g.node('_FusedConv2D', [x, filter, ...stats], fused(['FusedBatchNorm', 'Relu'], 4, { epsilon: attr.f(0.001) }), 'out');
      return { x: randomTensor([2, 7, 7, 3], 3) };
    },
    reference: (g) => {
      const x = g.placeholder('x', [null, 7, 7, 3]);
      const filter = g.randomConstant([3, 3, 3, 4]);
      const stats = [g.randomConstant([4]), g.randomConstant([4]), g.randomConstant([4]), g.randomConstant([4], 0.5, 1.5)];
      const conv = g.node('Conv2D', [x, filter], window([1, 2, 2, 1], 'SAME', { dilations: attr.ints([1, 1, 1, 1]) }));
      const norm = g.node('FusedBatchNormV3', [conv, ...stats], {
        epsilon: attr.f(0.001),
        data_format: attr.s('NHWC'),
        is_training: attr.b(false),
      });
      g.node('Relu', [norm], {}, 'out');
    },
  },
  convCase(
    'Conv3D SAME strides 1, 2, 2',
    'Conv3D',
    [2, 3, 3, 3, 4],
    { strides: attr.ints([1, 1, 2, 2, 1]), padding: attr.s('SAME'), dilations: attr.ints([1, 1, 1, 1, 1]), data_format: attr.s('NDHWC') },
    [2, 5, 6, 4, 3],
  ),
  convCase(
    'Conv3D VALID stride 2 in depth',
    'Conv3D',
    [3, 2, 2, 3, 2],
    { strides: attr.ints([1, 2, 1, 1, 1]), padding: attr.s('VALID'), dilations: attr.ints([1, 1, 1, 1, 1]), data_format: attr.s('NDHWC') },
    [2, 7, 5, 4, 3],
  ),
  {
    name: 'LRN, ClipByValue, ReverseV2, Cumsum between convolutions (all in NCHW, no Transpose between them)',
    build: (g) => {
      const x = g.placeholder('x', [null, 6, 5, 3]);
      const conv = g.node('Conv2D', [x, g.randomConstant([3, 3, 3, 4])], window([1, 1, 1, 1], 'SAME'));
      const normalized = g.node('LRN', [conv], { depth_radius: attr.i(1), bias: attr.f(1), alpha: attr.f(0.5), beta: attr.f(0.5) });
      const clipped = g.node('ClipByValue', [normalized, g.scalar(-0.6), g.scalar(0.8)]);
      const reversed = g.node('ReverseV2', [clipped, g.ints([2])]);
      const summed = g.node('Cumsum', [reversed, g.scalarInt(1)], { exclusive: attr.b(true), reverse: attr.b(false) });
      g.node('Conv2D', [summed, g.randomConstant([3, 3, 4, 2])], window([1, 1, 1, 1], 'VALID'), 'out');
      return { x: randomTensor([2, 6, 5, 3], 4) };
    },
    onnxOps: ['Transpose', 'Conv', 'LRN', 'Clip', 'Slice', 'CumSum', 'Conv', 'Transpose'],
  },
  {
    name: 'Conv1D as TensorFlow writes it: ExpandDims → Conv2D → Squeeze',
    build: (g) => {
      const x = g.placeholder('x', [null, 10, 3]);
      const expanded = g.node('ExpandDims', [x, g.scalarInt(1)]);
      const conv = g.node('Conv2D', [expanded, g.randomConstant([1, 3, 3, 4])], window([1, 1, 2, 1], 'SAME'));
      g.node('Squeeze', [conv], { squeeze_dims: attr.ints([1]) }, 'out');
      return { x: randomTensor([2, 10, 3], 12) };
    },
  },
  ...[
    ['SAME', 2, [2, 8, 6, 4]],
    ['VALID', 2, [2, 9, 7, 4]],
    ['SAME', 1, [2, 4, 3, 4]],
  ].map(
    ([padding, stride, outputShape]): OpCase => ({
      name: `Conv2DBackpropInput ${padding} stride ${stride}`,
      build: (g) => {
        const x = g.placeholder('x', [null, 4, 3, 5]);
        g.node(
          'Conv2DBackpropInput',
          [g.ints(outputShape as number[]), g.randomConstant([3, 3, 4, 5]), x],
          window([1, stride as number, stride as number, 1], padding as string, { dilations: attr.ints([1, 1, 1, 1]) }),
          'out',
        );
        return { x: randomTensor([2, 4, 3, 5], 5) };
      },
    }),
  ),
];

describeOpFamily('convolution', cases);
