/** The report's model summary (sections/modelSummary.ts), laid out like Keras' summary(). */
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../../../pipeline/report/index.ts';
import { sectionHtml } from '../pageQueries.ts';
import { metricsJsonFixture, mlpSummary, mnistReportInput } from '../reportInput.ts';

describe('renderReport: model summary', () => {
  it("lists every layer like Keras' summary() with the totals: 101,770 parameters for the MLP", async () => {
    const page = await renderReport(mnistReportInput());
    const section = sectionHtml(page, 'model');
    const rows = [...section.matchAll(/<tr>(<td><code>[\s\S]*?)<\/tr>/g)].map((row) =>
      [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => cell[1]!.replace(/<[^>]+>/g, '')),
    );
    expect(rows).toEqual([
      ['flatten', 'Flatten', '[-1, 784]', '0', 'yes'],
      ['dense', 'Dense', '[-1, 128]', '100,480', 'yes'],
      ['dense_1', 'Dense', '[-1, 10]', '1,290', 'yes'],
    ]);
    expect(section).toMatch(/data-total="total">101,770</);
    expect(section).toMatch(/data-total="trainable">101,770</);
    expect(section).toMatch(/data-total="non-trainable">0</);
  });

  it('marks frozen layers and counts their parameters as non-trainable', async () => {
    const metrics = metricsJsonFixture();
    const summary = mlpSummary();
    summary.layers[1]!.trainable = false;
    Object.assign(summary, { trainableParams: 1290, nonTrainableParams: 100480 });
    const page = await renderReport(mnistReportInput({ ...metrics, summary }));
    const section = sectionHtml(page, 'model');
    expect(section).toMatch(/<tr class="frozen"><td><code>dense<\/code><\/td>[\s\S]*?<td>no<\/td><\/tr>/);
    expect(section).toMatch(/data-total="non-trainable">100,480</);
  });
});
