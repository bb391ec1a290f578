/**
 * Op by op: a small GraphModel per TF op (and per interesting attribute), converted and compared
 * with tfjs-converter on seeded random inputs, max |diff| ≤ 1e-4 · max(1, max |expected|). Every
 * converted file goes through the official checker in one batch at the end.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryOpNames, unaryOpNames } from '../../../export/graphModel/tfOps/arithmetic.ts';
import { checkOnnxModels, onnxNodes, randomIntTensor, randomTensor, removeTemporaryDirectories, useCpuBackend } from '../harness.ts';
import { GraphModelBuilder, type MatchOptions, attr, convertGraphModel, expectGraphModelMatches } from './harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const converted: { name: string; onnxPath: string }[] = [];

type Feeds = Record<string, tf.Tensor>;
interface OpCase {
  name: string;
  build: (g: GraphModelBuilder) => Feeds;
  /** An equivalent graph for tfjs, when tfjs-converter lacks the op. */
  reference?: (g: GraphModelBuilder) => void;
  opset?: number;
  /** The converted graph's op types, where the point is what the op becomes. */
  onnxOps?: string[];
}

const T = attr.type('float32');
const nhwc = { data_format: attr.s('NHWC') };
const window = (strides: number[], padding: string, extra = {}) => ({ strides: attr.ints(strides), padding: attr.s(padding), dilations: attr.ints([1, 1, 1, 1]), ...nhwc, ...extra });
const stridedSlice = (masks: Partial<Record<'begin_mask' | 'end_mask' | 'ellipsis_mask' | 'new_axis_mask' | 'shrink_axis_mask', number>>) =>
  Object.fromEntries(['begin_mask', 'end_mask', 'ellipsis_mask', 'new_axis_mask', 'shrink_axis_mask'].map((mask) => [mask, attr.i(masks[mask as keyof typeof masks] ?? 0)]));

/** One input x of `shape` (values in [low, high)) through one op; the node is named `out`. */
function unaryCase(name: string, op: string, shape: number[], attributes: Record<string, unknown> = {}, low = -2, high = 2, extraInputs: (g: GraphModelBuilder) => string[] = () => []): OpCase {
  return {
    name,
    build: (g) => {
      const x = g.placeholder('x', shape.map((s, i) => (i === 0 ? null : s)));
      g.node(op, [x, ...extraInputs(g)], attributes, 'out');
      return { x: randomTensor(shape, 7, low, high) };
    },
  };
}

/** Domains where each unary op is defined and well conditioned. */
const unaryDomains: Record<string, [number, number]> = {
  Log: [0.1, 3], Log1p: [-0.5, 3], Sqrt: [0.1, 3], Rsqrt: [0.1, 3], Reciprocal: [0.5, 3], Acosh: [1.1, 3], Asin: [-0.9, 0.9], Acos: [-0.9, 0.9], Atanh: [-0.9, 0.9],
};
const boolOps = new Set(['LogicalAnd', 'LogicalOr', 'LogicalNot']);
/** Tested on special values instead (random inputs hold no NaN or infinity). */
const classifyingOps = new Set(['IsNan', 'IsInf', 'IsFinite']);

const arithmeticCases: OpCase[] = [
  ...unaryOpNames.filter((op) => !boolOps.has(op) && !classifyingOps.has(op)).map((op) => unaryCase(op, op, [2, 3, 4], {}, ...(unaryDomains[op] ?? [-2, 2]))),
  ...binaryOpNames.filter((op) => !boolOps.has(op)).map((op): OpCase => ({
    name: `${op} (broadcast)`,
    build: (g) => {
      const a = g.placeholder('a', [null, 3, 4]);
      const b = g.placeholder('b', [3, 4]);
      g.node(op, [a, b], {}, 'out');
      const positive = op === 'Pow';
      const divisor = ['RealDiv', 'Div', 'DivNoNan', 'FloorDiv', 'FloorMod', 'Mod'].includes(op);
      return { a: randomTensor([2, 3, 4], 3, positive ? 0.2 : -3, 3), b: randomTensor([3, 4], 4, divisor ? 0.5 : -3, 3) };
    },
  })),
  ...['FloorDiv', 'FloorMod', 'Mod', 'Div', 'Maximum', 'Mul', 'Sub'].map((op): OpCase => ({
    name: `${op} (int32)`,
    build: (g) => {
      const a = g.placeholder('a', [2, 5], 'int32');
      g.node(op, [a, g.constant([3, -4, 5, -2, 7], [5], 'int32')], {}, 'out');
      return { a: randomIntTensor([2, 5], 5, -20, 20) };
    },
  })),
  ...['LogicalAnd', 'LogicalOr'].map((op): OpCase => ({
    name: op,
    build: (g) => {
      const a = g.placeholder('a', [2, 6]);
      const b = g.placeholder('b', [2, 6]);
      g.node(op, [g.node('Greater', [a, g.scalar(0)]), g.node('Less', [b, g.scalar(0.3)])], {}, 'out');
      return { a: randomTensor([2, 6], 1), b: randomTensor([2, 6], 2) };
    },
  })),
  {
    name: 'LogicalNot, Select',
    build: (g) => {
      const c = g.placeholder('c', [4, 3]);
      const t = g.placeholder('t', [4, 3]);
      const condition = g.node('LogicalNot', [g.node('Greater', [c, g.scalar(0)])]);
      g.node('Select', [condition, t, g.node('Neg', [t])], {}, 'out');
      return { c: randomTensor([4, 3], 1), t: randomTensor([4, 3], 2) };
    },
  },
  {
    name: 'IsNan, IsInf, IsFinite on NaN, ±Infinity and finite values',
    build: (g) => {
      const x = g.placeholder('x', [2, 4]);
      for (const op of classifyingOps) g.node(op, [x], {}, op);
      return { x: tf.tensor([NaN, Infinity, -Infinity, 0, -1.5, 3e38, NaN, 2], [2, 4]) };
    },
  },
  unaryCase('ClipByValue (scalar bounds)', 'ClipByValue', [2, 3, 4], {}, -2, 2, (g) => [g.scalar(-0.5), g.scalar(1.25)]),
  {
    name: 'ClipByValue int32',
    build: (g) => {
      const a = g.placeholder('a', [3, 4], 'int32');
      g.node('ClipByValue', [a, g.scalarInt(-3), g.scalarInt(4)], {}, 'out');
      return { a: randomIntTensor([3, 4], 5, -9, 9) };
    },
  },
  {
    name: 'ClipByValue (per-channel bounds, against Minimum → Maximum; tfjs reads only scalar bounds)',
    build: (g) => {
      const x = g.placeholder('x', [null, 3, 4]);
      g.node('ClipByValue', [x, g.constant([-1, -0.5, 0, 0.2], [4]), g.constant([0.5, 1, 1.5, 0.3], [4])], {}, 'out');
      return { x: randomTensor([2, 3, 4], 6, -2, 2) };
    },
    reference: (g) => {
      const x = g.placeholder('x', [null, 3, 4]);
      const low = g.constant([-1, -0.5, 0, 0.2], [4]);
      const high = g.constant([0.5, 1, 1.5, 0.3], [4]);
      g.node('Maximum', [g.node('Minimum', [x, high]), low], {}, 'out');
    },
  },
  {
    name: 'SelectV2 (broadcast), AddN, BiasAdd',
    build: (g) => {
      const x = g.placeholder('x', [null, 3, 4]);
      const sum = g.node('AddN', [x, x, g.node('Neg', [x])], { N: attr.i(3) });
      const biased = g.node('BiasAdd', [sum, g.randomConstant([4])], { data_format: attr.s('NHWC') });
      g.node('SelectV2', [g.node('Greater', [x, g.scalar(0)]), biased, g.scalar(-1)], {}, 'out');
      return { x: randomTensor([2, 3, 4], 1) };
    },
  },
];

const activationCases: OpCase[] = [
  ...['Relu', 'Relu6', 'Elu', 'Selu', 'Sigmoid', 'Tanh', 'Softplus', 'Softmax', 'LogSoftmax'].map((op) => unaryCase(op, op, [2, 3, 5], {}, -8, 8)),
  unaryCase('LeakyRelu (alpha 0.1)', 'LeakyRelu', [2, 3, 5], { alpha: attr.f(0.1) }),
  unaryCase('Prelu', 'Prelu', [2, 3, 5], {}, -2, 2, (g) => [g.randomConstant([5], 0, 0.5)]),
];

function convCase(name: string, op: string, filterShape: number[], attributes: Record<string, unknown>, inputShape = [2, 9, 8, 3], extra: (g: GraphModelBuilder) => string[] = () => []): OpCase {
  return {
    name,
    build: (g) => {
      const x = g.placeholder('x', [null, ...inputShape.slice(1)]);
      g.node(op, [x, g.randomConstant(filterShape), ...extra(g)], attributes, 'out');
      return { x: randomTensor(inputShape, 11) };
    },
  };
}

const fused = (ops: string[], args: number, extra = {}) => ({ ...window([1, 2, 2, 1], 'SAME'), fused_ops: attr.strings(ops), num_args: attr.i(args), dilations: attr.ints([1, 1, 1, 1]), ...extra });

const convolutionCases: OpCase[] = [
  convCase('Conv2D SAME stride 2', 'Conv2D', [3, 3, 3, 4], window([1, 2, 2, 1], 'SAME')),
  convCase('Conv2D VALID dilation 2', 'Conv2D', [3, 2, 3, 4], window([1, 1, 1, 1], 'VALID', { dilations: attr.ints([1, 2, 2, 1]) })),
  convCase('Conv2D EXPLICIT padding', 'Conv2D', [3, 3, 3, 2], window([1, 1, 2, 1], 'EXPLICIT', { explicit_paddings: attr.ints([0, 0, 1, 2, 0, 1, 0, 0]) })),
  convCase('DepthwiseConv2dNative multiplier 2', 'DepthwiseConv2dNative', [3, 3, 3, 2], window([1, 1, 1, 1], 'SAME')),
  convCase('_FusedConv2D BiasAdd+Relu6', '_FusedConv2D', [3, 3, 3, 4], fused(['BiasAdd', 'Relu6'], 1), undefined, (g) => [g.randomConstant([4])]),
  convCase('_FusedConv2D BiasAdd+LeakyRelu', '_FusedConv2D', [1, 1, 3, 4], fused(['BiasAdd', 'LeakyRelu'], 1, { leakyrelu_alpha: attr.f(0.3) }), undefined, (g) => [g.randomConstant([4])]),
  convCase('_FusedConv2D BiasAdd+Prelu', '_FusedConv2D', [3, 3, 3, 4], fused(['BiasAdd', 'Prelu'], 2), undefined, (g) => [g.randomConstant([4]), g.randomConstant([4], 0, 0.5)]),
  convCase('_FusedConv2D BiasAdd+Sigmoid', '_FusedConv2D', [2, 2, 3, 4], fused(['BiasAdd', 'Sigmoid'], 1), undefined, (g) => [g.randomConstant([4])]),
  convCase('_FusedConv2D BiasAdd+Elu', '_FusedConv2D', [2, 2, 3, 4], fused(['BiasAdd', 'Elu'], 1), undefined, (g) => [g.randomConstant([4])]),
  convCase('FusedDepthwiseConv2dNative BiasAdd+Relu', 'FusedDepthwiseConv2dNative', [3, 3, 3, 1], fused(['BiasAdd', 'Relu'], 1), undefined, (g) => [g.randomConstant([3])]),
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
      const norm = g.node('FusedBatchNormV3', [conv, ...stats], { epsilon: attr.f(0.001), data_format: attr.s('NHWC'), is_training: attr.b(false) });
      g.node('Relu', [norm], {}, 'out');
    },
  },
  convCase('Conv3D SAME strides 1, 2, 2', 'Conv3D', [2, 3, 3, 3, 4], { strides: attr.ints([1, 1, 2, 2, 1]), padding: attr.s('SAME'), dilations: attr.ints([1, 1, 1, 1, 1]), data_format: attr.s('NDHWC') }, [2, 5, 6, 4, 3]),
  convCase('Conv3D VALID stride 2 in depth', 'Conv3D', [3, 2, 2, 3, 2], { strides: attr.ints([1, 2, 1, 1, 1]), padding: attr.s('VALID'), dilations: attr.ints([1, 1, 1, 1, 1]), data_format: attr.s('NDHWC') }, [2, 7, 5, 4, 3]),
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
  ].map(([padding, stride, outputShape]): OpCase => ({
    name: `Conv2DBackpropInput ${padding} stride ${stride}`,
    build: (g) => {
      const x = g.placeholder('x', [null, 4, 3, 5]);
      g.node('Conv2DBackpropInput', [g.ints(outputShape as number[]), g.randomConstant([3, 3, 4, 5]), x], window([1, stride as number, stride as number, 1], padding as string, { dilations: attr.ints([1, 1, 1, 1]) }), 'out');
      return { x: randomTensor([2, 4, 3, 5], 5) };
    },
  })),
];

const poolingCases: OpCase[] = [
  unaryCase('MaxPool SAME stride 2', 'MaxPool', [2, 7, 6, 3], { ksize: attr.ints([1, 3, 3, 1]), ...window([1, 2, 2, 1], 'SAME') }),
  unaryCase('AvgPool VALID', 'AvgPool', [2, 7, 6, 3], { ksize: attr.ints([1, 2, 3, 1]), ...window([1, 2, 1, 1], 'VALID') }),
  unaryCase('AvgPool SAME (padding left out of the mean)', 'AvgPool', [2, 5, 5, 3], { ksize: attr.ints([1, 3, 3, 1]), ...window([1, 2, 2, 1], 'SAME') }),
  ...[false, true].map((withBatch): OpCase => ({
    name: `MaxPoolWithArgmax SAME, include_batch_in_index ${withBatch}`,
    build: (g) => {
      const x = g.placeholder('x', [null, 5, 6, 3]);
      const pooled = g.node('MaxPoolWithArgmax', [x], { ksize: attr.ints([1, 3, 2, 1]), ...window([1, 2, 2, 1], 'SAME'), include_batch_in_index: attr.b(withBatch), Targmax: attr.type('int32') }, 'pool');
      g.node('Identity', [`${pooled}:0`], {}, 'values');
      g.node('Identity', [`${pooled}:1`], {}, 'argmax');
      return { x: randomTensor([2, 5, 6, 3], 8) };
    },
  })),
  unaryCase('Dilation2D SAME, rates 1 and 2', 'Dilation2D', [2, 6, 5, 3], { strides: attr.ints([1, 1, 1, 1]), rates: attr.ints([1, 1, 2, 1]), padding: attr.s('SAME') }, -2, 2, (g) => [g.randomConstant([2, 3, 3])]),
  {
    name: 'Dilation2D VALID stride 2 between convolutions (in NCHW)',
    build: (g) => {
      const x = g.placeholder('x', [null, 7, 7, 2]);
      const conv = g.node('Conv2D', [x, g.randomConstant([1, 1, 2, 3])], window([1, 1, 1, 1], 'SAME'));
      const dilated = g.node('Dilation2D', [conv, g.randomConstant([3, 2, 3])], { strides: attr.ints([1, 2, 2, 1]), rates: attr.ints([1, 1, 1, 1]), padding: attr.s('VALID') });
      g.node('Conv2D', [dilated, g.randomConstant([1, 1, 3, 2])], window([1, 1, 1, 1], 'SAME'), 'out');
      return { x: randomTensor([2, 7, 7, 2], 3) };
    },
  },
  ...(['MaxPool3D', 'AvgPool3D'] as const).flatMap((op) => (['SAME', 'VALID'] as const).map((padding) =>
    unaryCase(`${op} ${padding}`, op, [2, 5, 6, 4, 3], { ksize: attr.ints([1, 2, 3, 2, 1]), strides: attr.ints([1, 2, 2, 1, 1]), padding: attr.s(padding), data_format: attr.s('NDHWC') }))),
];

const matrixCases: OpCase[] = [
  {
    name: 'MatMul transpose_a, transpose_b (constant b)',
    build: (g) => {
      const a = g.placeholder('a', [5, 3]);
      g.node('MatMul', [a, g.randomConstant([4, 5])], { transpose_a: attr.b(true), transpose_b: attr.b(true) }, 'out');
      return { a: randomTensor([5, 3], 1) };
    },
  },
  {
    name: 'BatchMatMulV2 adj_y with broadcasting batch',
    build: (g) => {
      const a = g.placeholder('a', [2, 3, 4]);
      const b = g.placeholder('b', [1, 5, 4]);
      g.node('BatchMatMulV2', [a, b], { adj_x: attr.b(false), adj_y: attr.b(true) }, 'out');
      return { a: randomTensor([2, 3, 4], 1), b: randomTensor([1, 5, 4], 2) };
    },
  },
  {
    name: '_FusedMatMul BiasAdd+Relu',
    build: (g) => {
      const a = g.placeholder('a', [null, 6]);
      g.node('_FusedMatMul', [a, g.randomConstant([6, 4]), g.randomConstant([4])], { fused_ops: attr.strings(['BiasAdd', 'Relu']), num_args: attr.i(1), transpose_a: attr.b(false), transpose_b: attr.b(false) }, 'out');
      return { a: randomTensor([3, 6], 1) };
    },
  },
  bandPartCase(1, 1, 13),
  bandPartCase(1, 1, 14),
  bandPartCase(-1, 0, 14),
  bandPartCase(2, -1, 13),
  {
    name: 'Einsum of one operand (bij->jb: a transpose and a sum) and an outer product (i,j->ij)',
    build: (g) => {
      const a = g.placeholder('a', [2, 3, 4]);
      const u = g.placeholder('u', [3]);
      const v = g.placeholder('v', [5]);
      g.node('Einsum', [a], { equation: attr.s('bij->jb'), N: attr.i(1) }, 'reduced');
      g.node('Einsum', [u, v], { equation: attr.s('i,j->ij'), N: attr.i(2) }, 'outer');
      return { a: randomTensor([2, 3, 4], 1), u: randomTensor([3], 2), v: randomTensor([5], 3) };
    },
  },
  {
    name: 'Einsum bij,bjk->bik',
    build: (g) => {
      const a = g.placeholder('a', [2, 3, 4]);
      const b = g.placeholder('b', [2, 4, 5]);
      g.node('Einsum', [a, b], { equation: attr.s('bij,bjk->bik'), N: attr.i(2) }, 'out');
      return { a: randomTensor([2, 3, 4], 1), b: randomTensor([2, 4, 5], 2) };
    },
  },
];

/** TensorFlow's band: keep [m, n] where (lower < 0 or m − n ≤ lower) and (upper < 0 or n − m ≤ upper). */
function bandMask(rows: number, columns: number, lower: number, upper: number): number[] {
  return Array.from({ length: rows * columns }, (_, i) => {
    const [m, n] = [Math.floor(i / columns), i % columns];
    return Number((lower < 0 || m - n <= lower) && (upper < 0 || n - m <= upper));
  });
}

/** tfjs-converter reads num_upper from input 1 as well, so tfjs itself serves only for equal bounds. */
function bandPartCase(lower: number, upper: number, opset: number): OpCase {
  const build = (g: GraphModelBuilder, reference: boolean) => {
    const x = g.placeholder('x', [null, 4, 5]);
    if (!reference) g.node('MatrixBandPart', [x, g.scalarInt(lower), g.scalarInt(upper)], {}, 'out');
    else g.node('SelectV2', [g.constant(bandMask(4, 5, lower, upper), [4, 5], 'bool'), x, g.scalar(0)], {}, 'out');
    return { x: randomTensor([2, 4, 5], 3) };
  };
  return {
    name: `MatrixBandPart (${lower}, ${upper}) at opset ${opset}${lower === upper ? '' : ', against SelectV2 with the band mask'}`,
    build: (g) => build(g, false),
    ...(lower === upper ? {} : { reference: (g: GraphModelBuilder) => void build(g, true) }),
    opset,
  };
}

const axisInput = (axes: number[]) => (g: GraphModelBuilder) => [g.ints(axes)];
const reductionCases: OpCase[] = [
  unaryCase('Mean keep_dims over H, W', 'Mean', [2, 4, 5, 3], { keep_dims: attr.b(true) }, -2, 2, axisInput([1, 2])),
  ...['Sum', 'Max', 'Min', 'Prod'].map((op) => unaryCase(`${op} over axis -1`, op, [2, 3, 4], { keep_dims: attr.b(false) }, 0.5, 1.5, axisInput([-1]))),
  ...['All', 'Any'].map((op): OpCase => ({
    name: op,
    build: (g) => {
      const x = g.placeholder('x', [3, 4]);
      g.node(op, [g.node('Greater', [x, g.scalar(-0.5)]), g.ints([1])], { keep_dims: attr.b(false) }, 'out');
      return { x: randomTensor([3, 4], 9) };
    },
  })),
  unaryCase('ArgMax', 'ArgMax', [3, 4, 5], { output_type: attr.type('int32') }, -2, 2, (g) => [g.scalarInt(1)]),
  unaryCase('ArgMin', 'ArgMin', [3, 4, 5], { output_type: attr.type('int32') }, -2, 2, (g) => [g.scalarInt(-1)]),
  ...[false, true].flatMap((exclusive) => [false, true].map((reverse) =>
    unaryCase(`Cumsum exclusive ${exclusive} reverse ${reverse}`, 'Cumsum', [2, 5, 3], { exclusive: attr.b(exclusive), reverse: attr.b(reverse) }, -2, 2, (g) => [g.scalarInt(1)]))),
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

function resizeCase(op: string, alignCorners: boolean, halfPixel: boolean): OpCase {
  return unaryCase(`${op} align_corners ${alignCorners} half_pixel_centers ${halfPixel}`, op, [2, 5, 4, 3], { align_corners: attr.b(alignCorners), half_pixel_centers: attr.b(halfPixel) }, -2, 2, (g) => [g.ints([9, 7])]);
}

/** SpaceToDepth block 2 against its definition (tfjs lacks the op): the blocks split out of H and W, moved before the channels, merged into them. */
function spaceToDepthCase(format: 'NHWC' | 'NCHW'): OpCase {
  const nchw = format === 'NCHW';
  const shape = nchw ? [2, 3, 4, 6] : [2, 4, 6, 3];
  const [blocks, perm, merged] = nchw
    ? [[-1, 3, 2, 2, 3, 2], [0, 3, 5, 1, 2, 4], [-1, 12, 2, 3]]
    : [[-1, 2, 2, 3, 2, 3], [0, 1, 3, 2, 4, 5], [-1, 2, 3, 12]];
  return {
    name: `SpaceToDepth ${format} block 2 (against its Reshape/Transpose definition; tfjs lacks the op)`,
    build: (g) => {
      g.node('SpaceToDepth', [g.placeholder('x', [null, ...shape.slice(1)])], { block_size: attr.i(2), data_format: attr.s(format) }, 'out');
      return { x: randomTensor(shape, 5) };
    },
    reference: (g) => {
      const split = g.node('Reshape', [g.placeholder('x', [null, ...shape.slice(1)]), g.ints(blocks)]);
      g.node('Reshape', [g.node('Transpose', [split, g.ints(perm)]), g.ints(merged)], {}, 'out');
    },
  };
}

const imageCases: OpCase[] = [
  ...['ResizeBilinear', 'ResizeNearestNeighbor'].flatMap((op) => [resizeCase(op, false, false), resizeCase(op, true, false), resizeCase(op, false, true)]),
  ...['ResizeBilinear', 'ResizeNearestNeighbor'].map((op): OpCase => ({
    name: `${op} to twice a run-time input size (as in MoveNet MultiPose, whose input has any resolution)`,
    build: (g) => {
      const x = g.placeholder('x', [1, null, null, 3]);
      const spatial = g.node('StridedSlice', [g.node('Shape', [x], { out_type: attr.type('int32') }), g.ints([1]), g.ints([3]), g.ints([1])], stridedSlice({}));
      g.node(op, [x, g.node('Mul', [spatial, g.scalarInt(2)])], { align_corners: attr.b(false), half_pixel_centers: attr.b(true) }, 'out');
      return { x: randomTensor([1, 5, 4, 3], 6) };
    },
  })),
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
      const boxes = tf.tensor([[0.1, 0.2, 0.7, 0.9], [-0.2, 0.3, 0.5, 1.3], [0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1], [0.25, 0.5, 0.25, 0.75]], [5, 4]);
      return { image: randomTensor([2, 6, 7, 3], 5), boxes, box_ind: tf.tensor([1, 0, 1, 0, 1], [5], 'int32') };
    },
  },
  {
    // Positions are kept off .5, where float32 (onnxruntime) and float64 (tfjs) arithmetic may round apart.
    name: 'CropAndResize nearest, a crop height of 1 (the box centre)',
    build: (g) => {
      const image = g.placeholder('image', [2, 5, 6, 2]);
      const b = g.placeholder('boxes', [3, 4]);
      g.node('CropAndResize', [image, b, g.ints([0, 1, 1]), g.ints([1, 4])], { method: attr.s('nearest'), extrapolation_value: attr.f(0) }, 'out');
      return { image: randomTensor([2, 5, 6, 2], 5), boxes: tf.tensor([[0.1, 0.15, 0.62, 0.85], [0.3, -0.4, 0.6, 0.6], [0.05, 0.88, 0.95, 0.1]], [3, 4]) };
    },
  },
  spaceToDepthCase('NHWC'),
  spaceToDepthCase('NCHW'),
  {
    name: 'SpaceToBatchND → Conv2D → BatchToSpaceND (the dilated convolution pattern, fused into one Conv)',
    build: (g) => {
      const x = g.placeholder('x', [1, 8, 8, 3]);
      const spaced = g.node('SpaceToBatchND', [x, g.ints([2, 2]), g.ints([2, 2, 2, 2], [2, 2])]);
      const conv = g.node('Conv2D', [spaced, g.randomConstant([3, 3, 3, 4])], window([1, 1, 1, 1], 'VALID', { dilations: attr.ints([1, 1, 1, 1]) }));
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

function boxes(count: number, seed: number): tf.Tensor {
  const corners = randomTensor([count, 2], seed, 0, 0.8).arraySync() as number[][];
  const sizes = randomTensor([count, 2], seed + 1, 0.1, 0.3).arraySync() as number[][];
  return tf.tensor(corners.map(([y, x], i) => [y, x, y + sizes[i][0], x + sizes[i][1]]), [count, 4]);
}

const detectionCases: OpCase[] = [
  {
    name: 'NonMaxSuppressionV2 (no score threshold)',
    build: (g) => {
      const b = g.placeholder('boxes', [20, 4]);
      const s = g.placeholder('scores', [20]);
      g.node('NonMaxSuppressionV2', [b, s, g.scalarInt(6), g.scalar(0.4)], {}, 'out');
      return { boxes: boxes(20, 5), scores: randomTensor([20], 6, 0, 1) };
    },
  },
  ...(['NonMaxSuppressionV3', 'NonMaxSuppressionV4', 'NonMaxSuppressionV5'] as const).map((op): OpCase => ({
    name: op,
    build: (g) => {
      const b = g.placeholder('boxes', [20, 4]);
      const s = g.placeholder('scores', [20]);
      const inputs = [b, s, g.scalarInt(6), g.scalar(0.4), g.scalar(0.2)];
      if (op === 'NonMaxSuppressionV5') inputs.push(g.scalar(0));
      const nms = g.node(op, inputs, op === 'NonMaxSuppressionV4' ? { pad_to_max_output_size: attr.b(true) } : {}, 'nms');
      g.node('Identity', [`${nms}:0`], {}, 'selected');
      if (op === 'NonMaxSuppressionV5') g.node('Identity', [`${nms}:1`], {}, 'selected_scores');
      return { boxes: boxes(20, 3), scores: randomTensor([20], 4, 0, 1) };
    },
  })),
];

const plumbingCases: OpCase[] = [
  unaryCase('Cast float32 → int32 (truncation)', 'Cast', [2, 5], { SrcT: attr.type('float32'), DstT: attr.type('int32') }, -9, 9),
  unaryCase('Cast float32 → bool', 'Cast', [2, 5], { SrcT: attr.type('float32'), DstT: attr.type('bool') }, -1, 1),
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
  {
    name: 'Flatten through Shape → StridedSlice → Pack → Reshape with a symbolic batch',
    build: (g) => {
      const x = g.placeholder('x', [null, 3, 4, 2]);
      const shape = g.node('Shape', [x], { out_type: attr.type('int32') });
      const batch = g.node('StridedSlice', [shape, g.ints([0]), g.ints([1]), g.ints([1])], { shrink_axis_mask: attr.i(1), begin_mask: attr.i(0), end_mask: attr.i(0), ellipsis_mask: attr.i(0), new_axis_mask: attr.i(0) });
      const rest = g.node('StridedSlice', [shape, g.ints([1]), g.ints([0]), g.ints([1])], { end_mask: attr.i(1), shrink_axis_mask: attr.i(0), begin_mask: attr.i(0), ellipsis_mask: attr.i(0), new_axis_mask: attr.i(0) });
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
  unaryCase('Pad', 'Pad', [2, 3, 4], {}, -2, 2, (g) => [g.ints([0, 0, 1, 2, 2, 0], [3, 2])]),
  unaryCase('PadV2 with a constant value', 'PadV2', [2, 3], {}, -2, 2, (g) => [g.ints([1, 0, 0, 2], [2, 2]), g.scalar(-7)]),
  unaryCase('MirrorPad REFLECT', 'MirrorPad', [2, 4, 3], { mode: attr.s('REFLECT') }, -2, 2, (g) => [g.ints([0, 0, 2, 1, 1, 1], [3, 2])]),
  unaryCase('MirrorPad SYMMETRIC (pads up to the full size)', 'MirrorPad', [2, 4, 3], { mode: attr.s('SYMMETRIC') }, -2, 2, (g) => [g.ints([0, 0, 4, 1, 1, 3], [3, 2])]),
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
  {
    name: 'LinSpace: run-time start and stop; constant ones (folded)',
    build: (g) => {
      const start = g.placeholder('start', []);
      const stop = g.placeholder('stop', []);
      g.node('LinSpace', [start, stop, g.scalarInt(7)], { Tidx: attr.type('int32') }, 'runtime');
      g.node('Mul', [g.node('LinSpace', [g.scalar(-1), g.scalar(2), g.scalarInt(4)], {}), start], {}, 'folded');
      return { start: tf.scalar(-0.75), stop: tf.scalar(2.5) };
    },
  },
  {
    name: 'Print (its first input; the printing is left out)',
    build: (g) => {
      const x = g.placeholder('x', [2, 3]);
      g.node('Mul', [g.node('Print', [x, x], { message: attr.s('x is'), summarize: attr.i(1) }), g.scalar(2)], {}, 'out');
      return { x: randomTensor([2, 3], 1) };
    },
  },
  {
    // tfjs-converter reads EnsureShape's shape from a second input (TensorFlow has it as an attribute only).
    name: 'Snapshot, EnsureShape, PlaceholderWithDefault (its default when not fed, as in tfjs)',
    build: (g) => {
      const x = g.placeholder('x', [null, 3]);
      const scale = g.node('PlaceholderWithDefault', [g.randomConstant([3])], { dtype: T, shape: attr.shape([3]) });
      const checked = g.node('EnsureShape', [g.node('Snapshot', [x]), g.ints([2, 3])], { shape: attr.shape([null, 3]) });
      g.node('Mul', [checked, scale], {}, 'out');
      return { x: randomTensor([2, 3], 1) };
    },
  },
  {
    name: 'Identity, IdentityN, StopGradient',
    build: (g) => {
      const x = g.placeholder('x', [2, 3]);
      const both = g.node('IdentityN', [x, g.node('StopGradient', [x])], {});
      g.node('Mul', [`${both}:0`, `${both}:1`], {}, 'out');
      return { x: randomTensor([2, 3], 1) };
    },
  },
];


function sliceCase(name: string, begin: number[], end: number[], strides: number[], masks: Parameters<typeof stridedSlice>[0]): OpCase {
  return unaryCase(`StridedSlice ${name}`, 'StridedSlice', [3, 6, 5, 4], stridedSlice(masks), -2, 2, (g) => [g.ints(begin), g.ints(end), g.ints(strides)]);
}

const slicingCases: OpCase[] = [
  sliceCase('begin/end masks and steps', [1, 0, 1, 0], [3, 5, 0, 3], [1, 2, 1, 2], { begin_mask: 0b0010, end_mask: 0b0100 }),
  sliceCase('negative strides', [0, -1, 4, 0], [0, 0, 0, 0], [1, -2, -1, 1], { begin_mask: 0b1001, end_mask: 0b1011 }),
  sliceCase('ellipsis and shrink', [0, 1], [0, 2], [1, 1], { ellipsis_mask: 0b01, shrink_axis_mask: 0b10 }),
  sliceCase('new axis and negative shrink index', [0, -1, 0], [0, 0, 0], [1, 1, 1], { new_axis_mask: 0b001, shrink_axis_mask: 0b010, begin_mask: 0b100, end_mask: 0b100 }),
  unaryCase('Slice with size -1', 'Slice', [3, 6, 5], {}, -2, 2, (g) => [g.ints([1, 2, 0]), g.ints([2, -1, 3])]),
  {
    name: 'Pack, Unpack, ConcatV2',
    build: (g) => {
      const x = g.placeholder('x', [3, 4]);
      const y = g.placeholder('y', [3, 4]);
      const packed = g.node('Pack', [x, y], { axis: attr.i(1), N: attr.i(2) }, 'packed');
      const parts = g.node('Unpack', [packed], { axis: attr.i(2), num: attr.i(4) });
      g.node('ConcatV2', [`${parts}:3`, `${parts}:0`, g.randomConstant([3, 1]), g.scalarInt(1)], { N: attr.i(3) }, 'out');
      return { x: randomTensor([3, 4], 1), y: randomTensor([3, 4], 2) };
    },
  },
  {
    name: 'Split and SplitV',
    build: (g) => {
      const x = g.placeholder('x', [2, 6, 5]);
      const halves = g.node('Split', [g.scalarInt(1), x], { num_split: attr.i(3) });
      const parts = g.node('SplitV', [x, g.ints([1, -1, 2]), g.scalarInt(-1)], { num_split: attr.i(3) });
      g.node('Identity', [`${halves}:2`], {}, 'split');
      g.node('Identity', [`${parts}:1`], {}, 'splitv');
      return { x: randomTensor([2, 6, 5], 1) };
    },
  },
  {
    name: 'GatherV2 and GatherNd',
    build: (g) => {
      const x = g.placeholder('x', [4, 5, 3]);
      g.node('GatherV2', [x, g.ints([3, 0, 0, 2]), g.scalarInt(1)], { batch_dims: attr.i(0) }, 'gather');
      g.node('GatherNd', [x, g.ints([1, 2, 3, 4, 0, 1], [3, 2])], {}, 'gathernd');
      return { x: randomTensor([4, 5, 3], 1) };
    },
  },
  unaryCase('ReverseV2 over axes 0 and -1', 'ReverseV2', [2, 3, 4], {}, -2, 2, (g) => [g.ints([0, -1])]),
  unaryCase('Reverse (v1, one bool per axis)', 'Reverse', [2, 3, 4], {}, -2, 2, (g) => [g.constant([0, 1, 1], [3], 'bool')]),
  {
    name: 'Concat (v1, axis first) and Gather (v1)',
    build: (g) => {
      const x = g.placeholder('x', [3, 4]);
      g.node('Concat', [g.scalarInt(-1), x, g.randomConstant([3, 2])], { N: attr.i(2) }, 'concat');
      g.node('Gather', [x, g.ints([2, 0, 2])], {}, 'gather');
      return { x: randomTensor([3, 4], 1) };
    },
  },
  {
    name: 'Where (coordinates of true elements)',
    build: (g) => {
      const x = g.placeholder('x', [3, 4]);
      g.node('Where', [g.node('Greater', [x, g.scalar(0)])], {}, 'out');
      return { x: randomTensor([3, 4], 1) };
    },
  },
];

const normalizationCases: OpCase[] = [
  unaryCase('LRN depth_radius 2', 'LRN', [2, 4, 3, 7], { depth_radius: attr.i(2), bias: attr.f(1.5), alpha: attr.f(0.3), beta: attr.f(0.75) }),
  unaryCase('LRN defaults (depth_radius 5 wider than the channels)', 'LRN', [1, 3, 3, 4], {}),
];

const scatterCases: OpCase[] = [
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
      return { i: tf.tensor([[0, 1], [3, 2], [0, 1], [2, 0], [3, 2], [1, 1]], [6, 2], 'int32'), u: randomTensor([6, 3], 2) };
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
      g.node('SparseToDense', [g.ints([0, 1, 1, 0, 2, 3], [3, 2]), g.ints([3, 4]), v, g.scalar(-1)], { validate_indices: attr.b(true) }, 'rows');
      g.node('SparseToDense', [i, g.ints([6]), g.scalar(2.5), g.scalar(0)], { validate_indices: attr.b(true) }, 'vector');
      return { v: randomTensor([3], 1), i: tf.tensor([1, 4, 5], [3], 'int32') };
    },
  },
  {
    name: 'SparseToDense of constants (folded, as in nanodet: no indices at all)',
    build: (g) => {
      const x = g.placeholder('x', [2, 5], 'int32');
      const dense = g.node('SparseToDense', [g.constant([], [0, 1], 'int32'), g.ints([5]), g.constant([], [0], 'int32'), g.scalarInt(3)], { validate_indices: attr.b(true) });
      g.node('AddV2', [x, g.node('AddV2', [dense, g.node('SparseToDense', [g.ints([4, 1], [2, 1]), g.ints([5]), g.scalarInt(7), g.scalarInt(0)], {})])], {}, 'out');
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

const setCases: OpCase[] = [
  {
    name: 'Unique of int32 and float vectors, UniqueV2 of rows (axis 0)',
    build: (g) => {
      const i = g.placeholder('i', [10], 'int32');
      const f = g.placeholder('f', [6]);
      const m = g.placeholder('m', [5, 2], 'int32');
      const ints = g.node('Unique', [i], { out_idx: attr.type('int32') }, 'unique_int');
      const floats = g.node('Unique', [f], { out_idx: attr.type('int32') }, 'unique_float');
      const rows = g.node('UniqueV2', [m, g.ints([0])], { out_idx: attr.type('int32') }, 'unique_rows');
      for (const [node, label] of [[ints, 'int'], [floats, 'float'], [rows, 'rows']]) {
        g.node('Identity', [`${node}:0`], {}, `values_${label}`);
        g.node('Identity', [`${node}:1`], {}, `indices_${label}`);
      }
      return { i: randomIntTensor([10], 2, 0, 5), f: tf.tensor([0.5, -1, 0.5, 2, -1, 3]), m: tf.tensor([[1, 2], [3, 4], [1, 2], [0, 0], [3, 4]], [5, 2], 'int32') };
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
      return { v: tf.tensor([[-2, 0, 1, 3, 9], [0, 2.5, 5, -1, 4]], [2, 5]) };
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

const families: [string, OpCase[]][] = [
  ['arithmetic, comparison, logic', arithmeticCases],
  ['activations', activationCases],
  ['convolution', convolutionCases],
  ['pooling', poolingCases],
  ['matrices', matrixCases],
  ['normalization', normalizationCases],
  ['reductions, cumulative sums', reductionCases],
  ['sets, counts, sorted search', setCases],
  ['image', imageCases],
  ['detection', detectionCases],
  ['plumbing and shapes', plumbingCases],
  ['slicing, joining, gathering', slicingCases],
  ['scattering, one-hot', scatterCases],
];

for (const [family, cases] of families) {
  describe(`GraphModel ops: ${family}`, () => {
    it.each(cases.map((c) => [c.name, c] as const))('%s', async (name, opCase) => {
      const builder = new GraphModelBuilder(1);
      const feeds = opCase.build(builder);
      const modelJson = await builder.save();
      const options: MatchOptions = { checked: false, opset: opCase.opset };
      if (opCase.reference) {
        const reference = new GraphModelBuilder(1);
        opCase.reference(reference);
        options.reference = await reference.save();
      }
      const { onnxPath } = await expectGraphModelMatches(modelJson, feeds, options);
      if (opCase.onnxOps) expect((await onnxNodes(onnxPath)).map((node) => node.opType)).toEqual(opCase.onnxOps);
      converted.push({ name, onnxPath });
    });
  });
}

describe('GraphModel ops: what ONNX cannot express at the chosen opset is refused', () => {
  it('refuses ScatterNd with run-time indices below opset 16, naming the node and the opset that sums repeated indices', async () => {
    const g = new GraphModelBuilder(1);
    g.node('ScatterNd', [g.placeholder('i', [6, 2], 'int32'), g.placeholder('u', [6, 3]), g.ints([4, 3, 3])], {}, 'out');
    await expect(convertGraphModel(await g.save())).rejects.toThrow(/node "out" \(ScatterNd\).*--opset 16/);
  });
});

describe('GraphModel ops: the official checker', () => {
  it('accepts every converted op model', async () => {
    expect(converted.length).toBeGreaterThan(100);
    const errors = await checkOnnxModels(converted.map((c) => c.onnxPath));
    const failures = converted.map((c, i) => (errors[i] ? `${c.name}: ${errors[i]}` : '')).filter(Boolean);
    expect(failures).toEqual([]);
  });
});
