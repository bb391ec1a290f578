/** Local response normalization (FusedBatchNorm is tested within the blocks of blocks.test.ts). */
import { afterAll, beforeAll } from 'vitest';
import { removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { attr } from '../harness.ts';
import { describeOpFamily, unaryCase, type OpCase } from './opCases.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const cases: OpCase[] = [
  unaryCase('LRN depth_radius 2', 'LRN', [2, 4, 3, 7], {
    depth_radius: attr.i(2),
    bias: attr.f(1.5),
    alpha: attr.f(0.3),
    beta: attr.f(0.75),
  }),
  unaryCase('LRN defaults (depth_radius 5 wider than the channels)', 'LRN', [1, 3, 3, 4], {}),
];

describeOpFamily('normalization', cases);
