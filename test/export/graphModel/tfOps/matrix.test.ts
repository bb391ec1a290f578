/**
 * Matrix products (MatMul, BatchMatMulV2, _FusedMatMul, Einsum) and MatrixBandPart at both opsets.
 */
import { afterAll, beforeAll } from 'vitest';
import { randomTensor, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { type GraphModelBuilder, attr } from '../harness.ts';
import { describeOpFamily, type OpCase } from './opCases.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

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

const cases: OpCase[] = [
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
      g.node(
        '_FusedMatMul',
        [a, g.randomConstant([6, 4]), g.randomConstant([4])],
        { fused_ops: attr.strings(['BiasAdd', 'Relu']), num_args: attr.i(1), transpose_a: attr.b(false), transpose_b: attr.b(false) },
        'out',
      );
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

describeOpFamily('matrices', cases);
