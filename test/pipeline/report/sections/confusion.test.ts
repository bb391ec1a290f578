/** The report's confusion matrix and per-class figures (sections/confusion.ts). */
import { describe, expect, it } from 'vitest';
import { formatPercent } from '../../../../pipeline/report/format.ts';
import { renderReport } from '../../../../pipeline/report/index.ts';
import { axisTitles, chartSvg, markItems, sectionHtml, tableRows } from '../pageQueries.ts';
import { metricsJsonFixture, mnistReportInput } from '../reportInput.ts';

describe('renderReport: confusion matrix and per-class figures', () => {
  it('draws one cell per class pair with the counts of the input in reading order', async () => {
    const input = mnistReportInput();
    const svg = chartSvg(await renderReport(input), 'confusion');
    expect(axisTitles(svg)).toEqual(expect.arrayContaining(['true', 'predicted']));
    expect(markItems(svg, 'cells_marks', 'path')).toHaveLength(100);
    expect(markItems(svg, 'counts_marks', 'text').map(Number)).toEqual(input.confusion.flat());
  });

  it('lists precision, recall, F1 and images per class beside the matrix, with the averages', async () => {
    // Hand-checked: class a is predicted 52 times (50 right), has 54 images; F1 = 2·50 / (2·50 + 2 + 4).
    const confusion = [
      [50, 3, 1],
      [2, 40, 0],
      [0, 5, 60],
    ];
    const input = { ...mnistReportInput(metricsJsonFixture({ classNames: ['a', 'b', 'c'] })), confusion, misclassified: [] };
    const page = await renderReport(input);
    const rows = tableRows(page, 'class');
    expect(rows.get('a')).toEqual(['a', formatPercent(50 / 52), formatPercent(50 / 54), formatPercent(100 / 106), '54']);
    expect(rows.get('a')!.slice(1, 4)).toEqual(['96.15%', '92.59%', '94.34%']);
    expect(rows.get('b')).toEqual(['b', '83.33%', '95.24%', '88.89%', '42']);
    expect(rows.get('c')).toEqual(['c', formatPercent(60 / 61), formatPercent(60 / 65), formatPercent(120 / 126), '65']);
    const averages = tableRows(page, 'average');
    expect(averages.get('macro')).toEqual([
      'macro average',
      formatPercent((50 / 52 + 40 / 48 + 60 / 61) / 3),
      formatPercent((50 / 54 + 40 / 42 + 60 / 65) / 3),
      formatPercent((100 / 106 + 80 / 90 + 120 / 126) / 3),
      '161',
    ]);
    expect(averages.get('weighted')![2]).toBe(formatPercent(150 / 161)); // weighted recall is accuracy
    expect(averages.get('accuracy')).toEqual(['accuracy', '', '', formatPercent(150 / 161), '161']);
    // Beside the matrix: the table sits in the same row as the chart, and the weakest class is marked.
    expect(sectionHtml(page, 'confusion')).toMatch(
      /<div class="chart-row">\s*<figure class="chart" data-chart="confusion">[\s\S]*<\/figure>\s*<div class="table-scroll"><table class="data per-class">/,
    );
    expect(page).toMatch(/<tr data-class="b" class="weakest"/);
  });

  it('shows "–" for the precision of a class never predicted, 0% F1, and never rounds a near-perfect recall to 100%', async () => {
    const confusion = [
      [19999, 1, 0],
      [0, 500, 0],
      [3, 0, 0],
    ];
    const page = await renderReport({
      ...mnistReportInput(metricsJsonFixture({ classNames: ['a', 'b', 'c'] })),
      confusion,
      misclassified: [],
    });
    const rows = tableRows(page, 'class');
    expect(rows.get('a')![2]).toBe('99.99%'); // 19,999 of 20,000: 99.995% would round to 100.00%
    expect(rows.get('b')![2]).toBe('100.00%'); // all 500: exactly 1
    expect(rows.get('c')!.slice(1, 4)).toEqual(['–', '0.00%', '0.00%']);
  });
});
