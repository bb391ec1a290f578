/** The report's headline cards (sections/headline.ts) and stage summary (sections/stages.ts). */
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../../../pipeline/report/index.ts';
import { mnistReportInput } from '../reportInput.ts';

describe('renderReport: headline and stages', () => {
  it('puts the headline figures and the stage summary on the page', async () => {
    const page = await renderReport(mnistReportInput());
    expect(page).toMatch(/<div class="card-label">Test accuracy<\/div><div class="card-value">97\.12%</);
    expect(page).toContain('on 10,000 test images');
    expect(page).toMatch(
      /<div class="card-label">Epochs<\/div><div class="card-value">5<\/div><div class="card-detail">train accuracy \d\d\.\d\d% · [\d.]+ s · 101,770 parameters</,
    );
    for (const stage of ['train', 'convert', 'parity', 'report']) expect(page).toContain(`<tr><td>${stage}</td>`);
    expect(page).toContain('25.8 s'); // total of the stage times
  });
});
