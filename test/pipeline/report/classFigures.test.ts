/** classificationFigures (report/classFigures.ts): per-class precision, recall and F1 from a confusion matrix. */
import { describe, expect, it } from 'vitest';
import { classificationFigures } from '../../../pipeline/report/classFigures.ts';

describe('classificationFigures', () => {
  it("gives scikit-learn's figures, counting an undefined precision as 0 in the averages", () => {
    const figures = classificationFigures([
      [8, 2],
      [0, 0],
    ]);
    expect(figures.perClass[0]).toEqual({ precision: 1, recall: 0.8, f1: 16 / 18, support: 10 });
    expect(figures.perClass[1]!.precision).toBe(0);
    expect(figures.perClass[1]!.recall).toBeNaN();
    expect(figures.perClass[1]!.f1).toBe(0);
    expect(figures.macro.recall).toBeCloseTo(0.4, 12);
    expect(figures.weighted.recall).toBeCloseTo(0.8, 12);
    expect(figures.accuracy).toBe(0.8);
  });
});
