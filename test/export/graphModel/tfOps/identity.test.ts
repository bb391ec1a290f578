/**
 * Identities (Print, Snapshot, EnsureShape, PlaceholderWithDefault, IdentityN, StopGradient) and
 * Cast.
 */
import { afterAll, beforeAll } from 'vitest';
import { randomTensor, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { attr } from '../harness.ts';
import { T, describeOpFamily, unaryCase, type OpCase } from './opCases.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const cases: OpCase[] = [
  unaryCase('Cast float32 → int32 (truncation)', 'Cast', [2, 5], { SrcT: attr.type('float32'), DstT: attr.type('int32') }, -9, 9),
  unaryCase('Cast float32 → bool', 'Cast', [2, 5], { SrcT: attr.type('float32'), DstT: attr.type('bool') }, -1, 1),
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

describeOpFamily('identities and casts', cases);
