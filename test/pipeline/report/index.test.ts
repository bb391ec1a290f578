/** renderReport (report/index.ts): the page around the sections, which sections it shows, what it refuses. */
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../common/errors.ts';
import { renderReport } from '../../../pipeline/report/index.ts';
import { REPORT_SECTIONS } from '../../../pipeline/report/sections/index.ts';
import { metricsJsonFixture, mnistReportInput } from './reportInput.ts';

describe('renderReport: the page', () => {
  it('references nothing on the network and runs no script', async () => {
    const page = await renderReport(mnistReportInput());
    expect(page).not.toMatch(/https?:\/\//);
    expect(page).not.toMatch(/<script|<link|@import|<iframe/i);
    expect(page).toContain('<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;');
  });
});

describe('renderReport: the sections', () => {
  it('renders the registered sections in order with a contents list linking each', async () => {
    const page = await renderReport(mnistReportInput());
    const ids = REPORT_SECTIONS.map((section) => section.id);
    expect([...page.matchAll(/<section id="([^"]+)">/g)].map((match) => match[1])).toEqual(ids);
    expect([...page.matchAll(/<nav class="contents"[^>]*>([\s\S]*?)<\/nav>/g)][0]![1]!.match(/href="#[^"]+"/g)).toEqual(
      ids.map((id) => `href="#${id}"`),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('leaves out what the run did not produce: no stages, no manifest; says so for parity and history', async () => {
    const metrics = { ...metricsJsonFixture(), history: [] };
    const input = { ...mnistReportInput(metrics), parity: undefined, stages: undefined, manifest: undefined };
    const page = await renderReport(input);
    expect(page).toContain('Parity was not checked in this run.');
    expect(page).toContain('No training history was recorded in this run.');
    expect(page).not.toContain('id="stages"');
    expect(page).not.toContain('id="manifest"');
    expect(page).not.toContain('href="#manifest"');
  });

  it('rejects a confusion matrix that does not match the classes, and images whose pixels do not match their size', async () => {
    const input = mnistReportInput();
    await expect(renderReport({ ...input, confusion: input.confusion.slice(1) })).rejects.toThrow(InvalidInputError);
    const image = { ...input.misclassified[0]!, channels: 3 };
    await expect(renderReport({ ...input, misclassified: [image] })).rejects.toThrow(/image #100 has 784 pixel values for 28×28×3/);
  });
});
