/** Properties of the layout algebra the transpose bookkeeping rests on. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { composePermutations, permuteList, transposeBetween, transposeData } from '../../../../export/backend/graph/layout.ts';

const permutation = (rank: number) => fc.shuffledSubarray([...Array(rank).keys()], { minLength: rank, maxLength: rank });
const shapeAndPerms = fc
  .integer({ min: 1, max: 4 })
  .chain((rank) =>
    fc.tuple(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: rank, maxLength: rank }), permutation(rank), permutation(rank)),
  );

function transposed(values: Float32Array, shape: number[], perm: number[]) {
  return transposeData(values, shape, perm);
}

describe('layout algebra', () => {
  it('transposeBetween(from, to) turns data stored with `from` into data stored with `to`', () => {
    fc.assert(
      fc.property(shapeAndPerms, ([shape, from, to]) => {
        const logical = Float32Array.from({ length: shape.reduce((p, s) => p * s, 1) }, (_, i) => i);
        const storedFrom = transposed(logical, shape, from);
        const storedTo = transposed(logical, shape, to);
        const converted = transposed(storedFrom.values, storedFrom.shape, transposeBetween(from, to));
        expect(converted.shape).toEqual(storedTo.shape);
        expect([...converted.values]).toEqual([...storedTo.values]);
      }),
    );
  });

  it('composePermutations(a, b) equals transposing by a, then by b', () => {
    fc.assert(
      fc.property(shapeAndPerms, ([shape, a, b]) => {
        const data = Float32Array.from({ length: shape.reduce((p, s) => p * s, 1) }, (_, i) => i * 3 + 1);
        const twice = transposed(transposed(data, shape, a).values, permuteList(shape, a), b);
        const once = transposed(data, shape, composePermutations(a, b));
        expect([...once.values]).toEqual([...twice.values]);
      }),
    );
  });
});
