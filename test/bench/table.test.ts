import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BenchResults } from '../../bench/results.ts';
import { README_END, README_START, formatNumber, formatSpread, renderMarkdown, renderText, replaceResultsSection, resultTables, resultsSection, type Table } from '../../bench/table.ts';

const BENCH = path.resolve(import.meta.dirname, '..', '..', 'bench');

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

  it('replaces only the text between the README markers', () => {
    const readme = `# Title\n\n${README_START}\nold\n${README_END}\n\nafter\n`;
    const updated = replaceResultsSection(readme, 'new table');
    expect(resultsSection(updated)).toBe('new table');
    expect(updated.startsWith('# Title\n\n')).toBe(true);
    expect(updated.endsWith(`${README_END}\n\nafter\n`)).toBe(true);
    expect(() => replaceResultsSection('# no markers', 'x')).toThrow(/markers/);
  });

  // The README's table is generated from latest.json; this catches a hand edit or a forgotten refresh.
  it.runIf(existsSync(path.join(BENCH, 'results', 'latest.json')))('bench/README.md shows exactly what results/latest.json holds', () => {
    const results = JSON.parse(readFileSync(path.join(BENCH, 'results', 'latest.json'), 'utf8')) as BenchResults;
    const readme = readFileSync(path.join(BENCH, 'README.md'), 'utf8');
    expect(resultsSection(readme)).toBe(renderMarkdown(resultTables(results)));
  });

  it('shows the training section with fit() beside it, the kernel counts and the PyTorch epochs, or why PyTorch was not measured', () => {
    const figure = (median: number) => ({ median, min: median * 0.9, max: median * 1.1, repetitions: 3 });
    const training = (pytorch: NonNullable<NonNullable<BenchResults['training']>['data']>['pytorch']) =>
      ({
        seconds: 1,
        peakRssMB: 1,
        childProcesses: [],
        data: {
          recipe: { batchSize: 32, optimizer: 'adam', learningRate: 0.001, loss: 'sparseCategoricalCrossentropy' },
          rows: [{ model: 'mlp', backend: 'wasm', warmupSteps: 20, steps: 200, samplesPerSecond: figure(12000), fit: { samplesPerSecond: figure(5000), speedup: figure(2.4) } }],
          skipped: [{ model: 'mlp', backend: 'tensorflow', reason: 'does not load here' }],
          kernelsPerStep: [{ model: 'mlp', backend: 'wasm', fit: 193.5, lean: 49, leanKernels: { Identity: 13, Reshape: 10 } }],
          pytorch,
        },
      }) as NonNullable<BenchResults['training']>;
    const tablesFor = (run: NonNullable<BenchResults['training']>) =>
      resultTables({ machine: { cpu: {}, fp32Peak: {}, loadAverageAtStart: [], versions: {} }, sections: ['training'], training: run, totalSeconds: 1 } as unknown as BenchResults);
    const measured = tablesFor(
      training({
        measured: true,
        ourBackend: 'wasm',
        torch: '1.13.1',
        threads: 1,
        warmupSteps: 200,
        epochSeconds: { ours: figure(4.5), pytorch: figure(9.5) },
        ratio: figure(0.47),
        testAccuracy: { ours: figure(0.955), pytorch: figure(0.952) },
        goal: 0.75,
      }),
    );
    const byTitle = (tables: Table[], title: string) => tables.find((table) => table.title.startsWith(title))!;
    expect(byTitle(measured, 'Training').rows).toContainEqual(['mlp', 'wasm', '20 + 200', '12,000 (10,800–13,200)', '5,000 (4,500–5,500)', '2.40 (2.16–2.64)', '3']);
    expect(byTitle(measured, 'Training').notes.join(' ')).toContain('speed cannot be measured on this machine');
    expect(byTitle(measured, 'Kernels').rows).toEqual([['mlp', 'wasm', '194', '49.0', 'Identity 13.0, Reshape 10.0']]);
    expect(byTitle(measured, 'MLP epoch').rows).toEqual([
      ["ours (tfjs wasm, train()'s epoch loop)", '4.50 (4.05–4.95)', '95.5%'],
      ['PyTorch 1.13.1 (1 thread)', '9.50 (8.55–10.5)', '95.2%'],
      ['ours ÷ PyTorch, paired', '0.470 (0.423–0.517) (meets the goal of ≤ 0.75)', '—'],
    ]);
    const unavailable = tablesFor(training({ measured: false, reason: 'PyTorch is not installed' }));
    expect(byTitle(unavailable, 'MLP epoch').rows).toEqual([['PyTorch', 'not measured: PyTorch is not installed', '—']]);
  });
});
