/** The report's misclassified images (sections/misclassified.ts), of any size, colour and class names. */
import { describe, expect, it } from 'vitest';
import type { ReportInput } from '../../../../pipeline/report/index.ts';
import { renderReport } from '../../../../pipeline/report/index.ts';
import { chartSvg, decodePngDataUri, imageSources, markItems, sectionHtml, tableRows } from '../pageQueries.ts';
import { metricsJsonFixture, mnistReportInput } from '../reportInput.ts';

describe('renderReport: misclassified images', () => {
  it('embeds every misclassified image as a decodable PNG of its own size, with labels and probability', async () => {
    const input = mnistReportInput();
    const page = await renderReport(input);
    const sources = imageSources(page);
    expect(sources).toHaveLength(input.misclassified.length);
    // Shown most confident mistake first.
    const ordered = [...input.misclassified].sort((a, b) => b.probability - a.probability);
    sources.forEach((source, position) => {
      const image = ordered[position]!;
      const png = decodePngDataUri(source);
      expect([png.width, png.height]).toEqual([28, 28]);
      // A grayscale pixel comes back as R = G = B = the original value.
      const centreRow = 14 * 28;
      for (let x = 0; x < 28; x += 1) expect(png.data[(centreRow + x) * 4]).toBe(image.pixels[centreRow + x]);
    });
    expect(page).toContain('image-rendering: pixelated');
    expect(page).toContain(`#${input.misclassified[3]!.index}`);
    expect(sectionHtml(page, 'misclassified')).toContain('test images that model.onnx on onnxruntime-node misclassified');
  });

  it('keeps colour images in colour and shows any number of classes with any names, escaped', async () => {
    const labels = ['T-shirt/top', '<b>', 'Ankle boot & "sneaker"'];
    const rgb = new Uint8Array(16 * 20 * 3).map((_, offset) => [200, 30, 90][offset % 3]!);
    const input: ReportInput = {
      ...mnistReportInput(metricsJsonFixture({ classNames: labels })),
      title: 'fashion <script>alert(1)</script>',
      confusion: [
        [50, 3, 1],
        [2, 40, 0],
        [0, 5, 60],
      ],
      misclassified: [
        { index: 9, pixels: rgb, height: 16, width: 20, channels: 3, trueLabel: '<b>', predictedLabel: 'T-shirt/top', probability: 0.61 },
      ],
      manifest: { files: [], note: '<img src=x onerror=alert(1)>' },
    };
    const page = await renderReport(input);
    expect(page).not.toContain('<b>');
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('fashion &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&lt;b&gt;');
    expect(page).toContain('Ankle boot &amp; &quot;sneaker&quot;');
    expect([...tableRows(page, 'class').keys()]).toEqual(['T-shirt/top', '&lt;b&gt;', 'Ankle boot &amp; &quot;sneaker&quot;']);
    const svg = chartSvg(page, 'confusion');
    expect(markItems(svg, 'cells_marks', 'path')).toHaveLength(9);
    const png = decodePngDataUri(imageSources(page)[0]!);
    expect([png.width, png.height]).toEqual([20, 16]);
    expect([...png.data.subarray(0, 4)]).toEqual([200, 30, 90, 255]);
  });
});
