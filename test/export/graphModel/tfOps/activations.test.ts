/** Activations, LeakyRelu with its alpha and Prelu with constant slopes. */
import { afterAll, beforeAll } from 'vitest';
import { removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { attr } from '../harness.ts';
import { describeOpFamily, unaryCase, type OpCase } from './opCases.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const cases: OpCase[] = [
  ...['Relu', 'Relu6', 'Elu', 'Selu', 'Sigmoid', 'Tanh', 'Softplus', 'Softmax', 'LogSoftmax'].map((op) =>
    unaryCase(op, op, [2, 3, 5], {}, -8, 8),
  ),
  unaryCase('LeakyRelu (alpha 0.1)', 'LeakyRelu', [2, 3, 5], { alpha: attr.f(0.1) }),
  unaryCase('Prelu', 'Prelu', [2, 3, 5], {}, -2, 2, (g) => [g.randomConstant([5], 0, 0.5)]),
];

describeOpFamily('activations', cases);
