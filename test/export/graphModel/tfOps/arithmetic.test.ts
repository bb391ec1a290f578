/**
 * Elementwise arithmetic, comparisons and logic (unary and broadcasting binary ops, int32 forms,
 * NaN and infinity tests, ClipByValue, AddN, BiasAdd, Select).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll } from 'vitest';
import { binaryOpNames, unaryOpNames } from '../../../../export/graphModel/tfOps/arithmetic.ts';
import { randomIntTensor, randomTensor, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { attr } from '../harness.ts';
import { describeOpFamily, unaryCase, type OpCase } from './opCases.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

/** Domains where each unary op is defined and well conditioned. */
const unaryDomains: Record<string, [number, number]> = {
  Log: [0.1, 3],
  Log1p: [-0.5, 3],
  Sqrt: [0.1, 3],
  Rsqrt: [0.1, 3],
  Reciprocal: [0.5, 3],
  Acosh: [1.1, 3],
  Asin: [-0.9, 0.9],
  Acos: [-0.9, 0.9],
  Atanh: [-0.9, 0.9],
};
const boolOps = new Set(['LogicalAnd', 'LogicalOr', 'LogicalNot']);
/** Tested on special values instead (random inputs hold no NaN or infinity). */
const classifyingOps = new Set(['IsNan', 'IsInf', 'IsFinite']);

const cases: OpCase[] = [
  ...unaryOpNames
    .filter((op) => !boolOps.has(op) && !classifyingOps.has(op))
    .map((op) => unaryCase(op, op, [2, 3, 4], {}, ...(unaryDomains[op] ?? [-2, 2]))),
  ...binaryOpNames
    .filter((op) => !boolOps.has(op))
    .map(
      (op): OpCase => ({
        name: `${op} (broadcast)`,
        build: (g) => {
          const a = g.placeholder('a', [null, 3, 4]);
          const b = g.placeholder('b', [3, 4]);
          g.node(op, [a, b], {}, 'out');
          const positive = op === 'Pow';
          const divisor = ['RealDiv', 'Div', 'DivNoNan', 'FloorDiv', 'FloorMod', 'Mod'].includes(op);
          return { a: randomTensor([2, 3, 4], 3, positive ? 0.2 : -3, 3), b: randomTensor([3, 4], 4, divisor ? 0.5 : -3, 3) };
        },
      }),
    ),
  ...['FloorDiv', 'FloorMod', 'Mod', 'Div', 'Maximum', 'Mul', 'Sub'].map(
    (op): OpCase => ({
      name: `${op} (int32)`,
      build: (g) => {
        const a = g.placeholder('a', [2, 5], 'int32');
        g.node(op, [a, g.constant([3, -4, 5, -2, 7], [5], 'int32')], {}, 'out');
        return { a: randomIntTensor([2, 5], 5, -20, 20) };
      },
    }),
  ),
  ...['LogicalAnd', 'LogicalOr'].map(
    (op): OpCase => ({
      name: op,
      build: (g) => {
        const a = g.placeholder('a', [2, 6]);
        const b = g.placeholder('b', [2, 6]);
        g.node(op, [g.node('Greater', [a, g.scalar(0)]), g.node('Less', [b, g.scalar(0.3)])], {}, 'out');
        return { a: randomTensor([2, 6], 1), b: randomTensor([2, 6], 2) };
      },
    }),
  ),
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

describeOpFamily('arithmetic, comparison, logic', cases);
