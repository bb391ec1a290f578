/** The report's precision variants section (sections/variants.ts). */
import { describe, expect, it } from 'vitest';
import { variantsSection } from '../../../../pipeline/report/sections/variants.ts';
import type { ReportInput } from '../../../../pipeline/report/types.ts';
import { figures, variantsReport as report } from '../../variants/figures.ts';

describe('renderReport: variants', () => {
  it('shows every variant with its speed ratios, and says where and why a variant was slower than fp32', () => {
    const content = variantsSection.render({
      variants: report([
        figures('fp32', { cpu: 1, wasm: 1 }),
        figures('fp16', { cpu: 1, wasm: 1.01 }),
        figures('q8', { cpu: 2, wasm: 0.8 }),
      ]),
    } as ReportInput);
    const markup = (content as { body: { markup: string } }).body.markup;
    expect(markup.match(/<tr data-dtype="/g)).toHaveLength(3);
    expect(markup).toContain('2.0k (2.00×)');
    expect(markup).toContain(
      'q8 was slower than fp32 on wasm (onnxruntime-web) at batch 1 (0.80×), wasm (onnxruntime-web) at batch 256 (0.80×): q8 quantizes',
    );
    expect(markup).not.toContain('fp16 was slower');
  });

  it('says so when the run wrote no variants', () => {
    const content = variantsSection.render({} as ReportInput) as { body: { markup: string } };
    expect(content.body.markup).toContain('This run wrote no reduced-precision variants');
  });
});
