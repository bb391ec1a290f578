/**
 * Per-class precision, recall and F1 from the confusion matrix, with the averages scikit-learn's
 * classification_report prints. They are read off the matrix the page shows beside them, so the
 * two can never disagree.
 */

export interface ClassFigures {
  /** Of the images predicted as this class, the share that are it; NaN when none was predicted as it. */
  precision: number;
  /** Of the images of this class, the share predicted as it; NaN when the test set has none. */
  recall: number;
  /**
   * Harmonic mean of precision and recall, as 2·TP / (2·TP + FP + FN): 0 when the class was
   * never predicted correctly, NaN only when it neither occurs nor is predicted.
   */
  f1: number;
  /** Test images of this class. */
  support: number;
}

export interface ClassificationFigures {
  perClass: ClassFigures[];
  /** Unweighted mean over the classes. Like scikit-learn, an undefined (NaN) figure counts as 0. */
  macro: Omit<ClassFigures, 'support'>;
  /** Mean weighted by support (for recall this equals accuracy). */
  weighted: Omit<ClassFigures, 'support'>;
  accuracy: number;
  samples: number;
}

/** confusion[true][predicted] counts → the figures of each class and their averages. */
export function classificationFigures(confusion: number[][]): ClassificationFigures {
  const classCount = confusion.length;
  const predictedAs = Array.from({ length: classCount }, (_, column) => confusion.reduce((sum, row) => sum + row[column]!, 0));
  const perClass = confusion.map((row, index): ClassFigures => {
    const truePositives = row[index]!;
    const support = row.reduce((sum, cell) => sum + cell, 0);
    const falsePositives = predictedAs[index]! - truePositives;
    const falseNegatives = support - truePositives;
    const f1Denominator = 2 * truePositives + falsePositives + falseNegatives;
    return {
      precision: predictedAs[index]! > 0 ? truePositives / predictedAs[index]! : NaN,
      recall: support > 0 ? truePositives / support : NaN,
      f1: f1Denominator > 0 ? (2 * truePositives) / f1Denominator : NaN,
      support,
    };
  });
  const samples = perClass.reduce((sum, figures) => sum + figures.support, 0);
  const correct = confusion.reduce((sum, row, index) => sum + row[index]!, 0);
  return {
    perClass,
    macro: averageOf(perClass, () => 1),
    weighted: averageOf(perClass, (figures) => figures.support),
    accuracy: samples > 0 ? correct / samples : NaN,
    samples,
  };
}

function averageOf(perClass: ClassFigures[], weightOf: (figures: ClassFigures) => number): Omit<ClassFigures, 'support'> {
  const totalWeight = perClass.reduce((sum, figures) => sum + weightOf(figures), 0);
  const mean = (key: 'precision' | 'recall' | 'f1') => {
    const weighted = perClass.reduce((sum, figures) => sum + (Number.isFinite(figures[key]) ? figures[key] : 0) * weightOf(figures), 0);
    return totalWeight > 0 ? weighted / totalWeight : NaN;
  };
  return { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') };
}
