/** validateMetricsJson (report/validate.ts): metrics.json checked against its contract. */
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../common/errors.ts';
import { validateMetricsJson } from '../../../pipeline/report/index.ts';
import type { UntypedDocument } from '../../helpers/untyped.ts';
import { metricsJsonFixture } from './reportInput.ts';

describe('validateMetricsJson (metrics.json)', () => {
  const withChange = (change: (metrics: UntypedDocument) => void) => {
    const metrics = structuredClone(metricsJsonFixture()) as UntypedDocument;
    change(metrics);
    return () => validateMetricsJson(metrics);
  };

  it('accepts the contract shape with and without a validation split, and reads JSON null (a NaN) as NaN', () => {
    expect(validateMetricsJson(metricsJsonFixture()).summary.totalParams).toBe(101770);
    expect(validateMetricsJson(metricsJsonFixture({ validationSplit: 0.1 })).history[0]!.val_loss).toBeTypeOf('number');
    const diverged = JSON.parse(JSON.stringify({ ...metricsJsonFixture(), test: { loss: NaN, accuracy: 0.1 } }));
    expect(diverged.test.loss).toBeNull();
    expect(validateMetricsJson(diverged).test.loss).toBeNaN();
  });

  it('names metrics.json and the field that is missing or of the wrong type', () => {
    expect(withChange((m) => delete m.recipe.optimizer.beta1)).toThrow(
      new InvalidInputError('metrics.json: recipe.optimizer.beta1 is missing'),
    );
    expect(withChange((m) => delete m.summary)).toThrow(new InvalidInputError('metrics.json: summary is missing'));
    expect(withChange((m) => (m.history[2].test_loss = '0.1'))).toThrow(
      new InvalidInputError('metrics.json: history[2].test_loss must be a number or null, got "0.1"'),
    );
    expect(withChange((m) => (m.summary.layers[0].params = 1.5))).toThrow(
      new InvalidInputError('metrics.json: summary.layers[0].params must be a whole number, got 1.5'),
    );
    expect(withChange((m) => (m.recipe.validationSplit = 1.5))).toThrow(
      new InvalidInputError('metrics.json: recipe.validationSplit must be below 1, got 1.5'),
    );
    expect(withChange((m) => (m.history[0].accuracy = 97.5))).toThrow(
      new InvalidInputError('metrics.json: history[0].accuracy must be at most 1, got 97.5'),
    );
    expect(withChange((m) => (m.recipe.optimizer.name = 'sgd'))).toThrow(
      new InvalidInputError('metrics.json: recipe.optimizer.name must be "adam", got "sgd"'),
    );
    expect(() => validateMetricsJson([])).toThrow(new InvalidInputError('metrics.json: the file must be an object, got []'));
  });

  it("rejects today's older shape: the dataset's directory instead of a source, val_* meaning the test set", () => {
    const old = withChange((m) => {
      m.dataset.directory = '/somewhere/mnist';
      delete m.dataset.source;
    });
    expect(old).toThrow(new InvalidInputError('metrics.json: dataset.source is missing'));
    const testAsValidation = withChange((m) => {
      for (const record of m.history) Object.assign(record, { val_loss: record.test_loss, val_accuracy: record.test_accuracy });
    });
    expect(testAsValidation).toThrow(/^metrics\.json: history\[0\] has val_\* figures but recipe\.validationSplit is null/);
  });

  it('rejects fields that contradict each other', () => {
    expect(withChange((m) => (m.summary.totalParams = 101771))).toThrow(
      new InvalidInputError("metrics.json: summary.totalParams is 101771 but the layers' params add up to 101770"),
    );
    expect(withChange((m) => (m.summary.nonTrainableParams = 5))).toThrow(
      /^metrics\.json: summary\.trainableParams \(101770\) \+ summary\.nonTrainableParams \(5\)/,
    );
    expect(withChange((m) => m.recipe.learningRateSchedule.pop())).toThrow(
      new InvalidInputError('metrics.json: recipe.learningRateSchedule has 4 entries for 5 epochs'),
    );
    expect(withChange((m) => (m.dataset.validationSamples = 6000))).toThrow(
      new InvalidInputError('metrics.json: dataset.validationSamples is 6000 but recipe.validationSplit is null'),
    );
    const splitWithoutFigures = structuredClone(metricsJsonFixture({ validationSplit: 0.1 })) as UntypedDocument;
    delete splitWithoutFigures.history[3].val_accuracy;
    expect(() => validateMetricsJson(splitWithoutFigures)).toThrow(
      new InvalidInputError('metrics.json: history[3] lacks val_loss or val_accuracy although recipe.validationSplit is 0.1'),
    );
  });
});
