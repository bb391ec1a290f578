/** The report's number formats (report/format.ts). */
import { describe, expect, it } from 'vitest';
import { formatPercent, formatScientific } from '../../../pipeline/report/format.ts';

describe('report number formats', () => {
  it('never rounds an imperfect agreement up to 100 % and keeps tiny differences readable', () => {
    expect(formatPercent(0.99996)).toBe('99.99%');
    expect(formatPercent(1)).toBe('100.00%');
    expect(formatPercent(0.9712)).toBe('97.12%');
    expect(formatPercent(0.97729998)).toBe('97.73%'); // as the CLI prints it
    expect(formatScientific(0)).toBe('0');
    expect(formatScientific(1.234e-7)).toBe('1.23e-7');
    expect(formatScientific(12.5)).toBe('1.25e1');
  });
});
