/** The report's manifest section (sections/manifest.ts): tables, never JSON. */
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../../../pipeline/report/index.ts';
import { sectionHtml } from '../pageQueries.ts';
import { mnistReportInput } from '../reportInput.ts';

describe('renderReport: manifest', () => {
  it('shows the manifest as tables: files with size and sha256, versions, signature, every other field; no JSON', async () => {
    const page = await renderReport(mnistReportInput());
    const manifest = sectionHtml(page, 'manifest');
    expect(manifest).toMatch(
      /<tr><td><code>model\.onnx<\/code><\/td><td class="num" title="408,112 bytes">398\.5 KiB<\/td><td><code class="hash">c{64}<\/code><\/td><\/tr>/,
    );
    expect(manifest).toMatch(/<tfoot><tr><td>3 files<\/td><td class="num">798\.4 KiB</);
    expect(manifest).toMatch(/<tr data-field="opset"><th>opset<\/th><td>13<\/td><\/tr>/);
    expect(manifest).toMatch(/<dt>onnxruntime-web<\/dt><dd>1\.22\.0<\/dd>/);
    expect(manifest).toContain(
      '<tr><td>input</td><td><code>flatten_input</code></td><td>float32</td><td><code>[batch, 28, 28, 1]</code></td></tr>',
    );
    expect(manifest).toContain('<tr><td>output</td><td><code>dense_1</code></td><td>float32</td><td><code>[batch, 10]</code></td></tr>');
    expect(manifest).toMatch(/<tr data-field="testAccuracy"><th>testAccuracy<\/th><td>97\.12%<\/td><\/tr>/);
    expect(manifest).toMatch(/<tr data-field="labels"><th>labels<\/th><td>0, 1, 2, 3, 4, 5, 6, 7, 8, 9<\/td><\/tr>/);
    // Nested lists of objects become tables with their keys as columns.
    expect(manifest).toMatch(/<th>a<\/th><th>b<\/th><th>samples<\/th><th>top1Agreement<\/th>/);
    expect(manifest).toMatch(/<dt>passed<\/dt><dd>no<\/dd>/);
    // No JSON anywhere on the page: no braces-and-quotes, no <pre> blocks.
    const text = page.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<svg[\s\S]*?<\/svg>/g, '');
    expect(text).not.toMatch(/<pre|\{\s*&quot;|&quot;\s*:|\[\s*\{/);
  });
});
