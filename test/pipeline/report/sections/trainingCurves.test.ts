/** The report's training curves (sections/trainingCurves.ts): loss and accuracy per epoch for each split. */
import { describe, expect, it } from 'vitest';
import { formatPercent } from '../../../../pipeline/report/format.ts';
import { renderReport } from '../../../../pipeline/report/index.ts';
import { axisTitles, chartSvg, markItems, sectionHtml } from '../pageQueries.ts';
import { metricsJsonFixture, mnistReportInput } from '../reportInput.ts';

describe('renderReport: training curves', () => {
  it('draws train and test curves, names the test set as such and says the lecture passes it as validation_data', async () => {
    const page = await renderReport(mnistReportInput());
    for (const metric of ['loss', 'accuracy']) {
      const svg = chartSvg(page, metric);
      expect(axisTitles(svg)).toEqual(expect.arrayContaining(['epoch', metric]));
      expect(markItems(svg, 'points_marks', 'path')).toHaveLength(5 * 2);
      expect(svg).toMatch(/role-legend[\s\S]*>train<[\s\S]*>test</);
      expect(svg).not.toContain('>validation<');
    }
    const section = sectionHtml(page, 'training');
    expect(section).toContain('the 10,000 test images, evaluated after each epoch');
    expect(section).toContain('passes the test set to <code>fit()</code> as <code>validation_data</code>');
    expect(section).not.toContain('<strong>validation</strong>');
  });

  it('shows validation and test apart when training held out a validation split', async () => {
    const page = await renderReport(mnistReportInput(metricsJsonFixture({ validationSplit: 0.1 })));
    for (const metric of ['loss', 'accuracy']) {
      const svg = chartSvg(page, metric);
      expect(markItems(svg, 'points_marks', 'path')).toHaveLength(5 * 3);
      expect(svg).toMatch(/role-legend[\s\S]*>train<[\s\S]*>validation<[\s\S]*>test</);
    }
    const section = sectionHtml(page, 'training');
    expect(section).toContain(
      '<strong>validation</strong>: the last 10% of the training data (6,000 images, <code>--validation-split 0.1</code>)',
    );
    expect(section).toContain('the 54,000 training images');
  });

  it('plots the recorded figures of each split at their epochs', async () => {
    const metrics = metricsJsonFixture({ validationSplit: 0.1 });
    const page = await renderReport(mnistReportInput(metrics));
    const history = metrics.history as Record<string, number>[];
    // Each point's accessible label carries its epoch, split and value, formatted like the rest of the page.
    const pointGroup = /role-mark points_marks[\s\S]*?<\/g>/.exec(chartSvg(page, 'accuracy'))![0];
    const points = [...pointGroup.matchAll(/aria-label="epoch (\d+), (\w+) accuracy: ([\d.]+%)"/g)].map((match) => [
      match[2],
      Number(match[1]),
      match[3],
    ]);
    const expected = (split: string, key: string) => history.map((record) => [split, record.epoch, formatPercent(record[key]!)]);
    expect(points).toEqual(
      expect.arrayContaining([
        ...expected('train', 'accuracy'),
        ...expected('validation', 'val_accuracy'),
        ...expected('test', 'test_accuracy'),
      ]),
    );
    expect(points).toHaveLength(15);
  });
});
