/** The report's runtime parity table (sections/parity.ts). */
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../../../pipeline/report/index.ts';
import { mnistReportInput } from '../reportInput.ts';

describe('renderReport: parity', () => {
  it('lists every parity pair with its figures, status badges and the thresholds', async () => {
    const page = await renderReport(mnistReportInput());
    const rows = [...page.matchAll(/<tr data-pair="([^"]+)">([\s\S]*?)<\/tr>/g)];
    expect(rows.map((row) => row[1])).toEqual(['tfjs-node ⇄ onnxruntime-node', 'onnxruntime-node ⇄ onnxruntime-web']);
    const [passing, failing] = rows.map((row) => row[2]!);
    expect(passing).toContain('100.00%');
    expect(passing).toContain('2.30e-6');
    expect(passing).toContain('4.10e-8');
    expect(passing).toContain('badge-pass');
    expect(failing).toContain('99.87%');
    expect(failing).toMatch(/class="num out-of-tolerance">3\.40e-3</);
    expect(failing).toMatch(/>13<div class="muted small sample-list">#17, #250, #891, #1200, #3333, #4000, …</);
    expect(failing).toContain('badge-fail');
    expect(page).toMatch(/top-1 agreement ≥ <strong>99\.90%<\/strong> and max \|Δp\| ≤ <strong>1\.00e-4<\/strong>/);
    expect(page).toMatch(/<h2>Runtime parity <span class="badge badge-fail">fail<\/span><\/h2>/);
    expect(page).toMatch(/<div class="card tone-bad"><div class="card-label">Parity<\/div><div class="card-value">failed</);
  });
});
