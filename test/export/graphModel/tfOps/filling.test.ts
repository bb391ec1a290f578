/**
 * LinSpace with run-time and constant bounds (Fill, Range, ZerosLike and OnesLike are in
 * shapes.test.ts, fed by Shape).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll } from 'vitest';
import { removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { attr } from '../harness.ts';
import { describeOpFamily, type OpCase } from './opCases.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const cases: OpCase[] = [
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
];

describeOpFamily('filled tensors and ranges', cases);
