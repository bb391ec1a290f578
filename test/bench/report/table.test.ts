import { describe, expect, it } from 'vitest';
import { formatNumber, formatSpread, renderMarkdown, renderText, type Table } from '../../../bench/report/table.ts';

describe('bench tables', () => {
  it('formats figures to at most three significant digits, thousands separated', () => {
    expect(formatNumber(123456.7)).toBe('123,457');
    expect(formatNumber(12.345)).toBe('12.3');
    expect(formatNumber(1.2345)).toBe('1.23');
    expect(formatNumber(0.012345)).toBe('0.0123');
    expect(formatNumber(0)).toBe('0');
    expect(formatSpread({ median: 2000, min: 1500.4, max: 2500, repetitions: 3 })).toBe('2,000 (1,500–2,500)');
  });

  const table: Table = { title: 'T', header: ['name', 'value'], rows: [['a|b', '1']], notes: ['a note'] };

  it('renders the same rows as text and as markdown (pipes escaped)', () => {
    expect(renderText([table])).toBe(['== T', 'name  value', '----  -----', 'a|b   1', '   a note'].join('\n'));
    expect(renderMarkdown([table])).toBe(['### T', '', '| name | value |', '|---|---|', '| a\\|b | 1 |', '', '- a note'].join('\n'));
  });
});
