import { describe, expect, it } from 'vitest';
import { resultTables } from '../../../../bench/report/resultTables.ts';
import type { Table } from '../../../../bench/report/table.ts';
import type { BenchResults } from '../../../../bench/results.ts';

/** A measured figure around its median. */
const figure = (median: number) => ({ median, min: median * 0.9, max: median * 1.1, repetitions: 3 });
/** A training section's result with the given PyTorch epochs. */
const training = (pytorch: NonNullable<NonNullable<BenchResults['training']>['data']>['pytorch']) =>
  ({
    seconds: 1,
    peakRssMB: 1,
    childProcesses: [],
    data: {
      recipe: { batchSize: 32, optimizer: 'adam', learningRate: 0.001, loss: 'sparseCategoricalCrossentropy' },
      rows: [
        {
          model: 'mlp',
          backend: 'wasm',
          warmupSteps: 20,
          steps: 200,
          samplesPerSecond: figure(12000),
          fit: { samplesPerSecond: figure(5000), speedup: figure(2.4) },
        },
      ],
      skipped: [{ model: 'mlp', backend: 'tensorflow', reason: 'does not load here' }],
      kernelsPerStep: [{ model: 'mlp', backend: 'wasm', fit: 193.5, lean: 49, leanKernels: { Identity: 13, Reshape: 10 } }],
      pytorch,
    },
  }) as NonNullable<BenchResults['training']>;
/** Every table of a results file holding only that training section. */
const tablesFor = (run: NonNullable<BenchResults['training']>) =>
  resultTables({
    machine: { cpu: {}, fp32Peak: {}, loadAverageAtStart: [], versions: {} },
    sections: ['training'],
    training: run,
    totalSeconds: 1,
  } as unknown as BenchResults);
const byTitle = (tables: Table[], title: string) => tables.find((table) => table.title.startsWith(title))!;

describe("the training section's tables", () => {
  it('shows the training section with fit() beside it, the kernel counts and the PyTorch epochs, or why PyTorch was not measured', () => {
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
    expect(byTitle(measured, 'Training').rows).toContainEqual([
      'mlp',
      'wasm',
      '20 + 200',
      '12,000 (10,800–13,200)',
      '5,000 (4,500–5,500)',
      '2.40 (2.16–2.64)',
      '3',
    ]);
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
