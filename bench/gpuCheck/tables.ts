/** The GPU check's two printed tables: the providers offered here, and the models on each usable one. */
import type { Table } from '../report/table.ts';
import type { GpuCheckResult } from './check.ts';
import { AGREEMENT_SAMPLES } from './measure.ts';

export function gpuCheckTables(result: GpuCheckResult, batches: number[]): Table[] {
  const providers: Table = {
    title: 'Execution providers onnxruntime offers here',
    header: ['provider', 'package', 'device', 'status'],
    rows: [],
    notes: [],
  };
  for (const p of result.providers)
    providers.rows.push([p.provider, p.runtime, p.device ?? '—', p.status === 'ok' ? `ok${p.adapter ? `: ${p.adapter}` : ''}` : p.status]);
  const table: Table = {
    title: 'Models on each usable provider',
    header: [
      'provider',
      'package',
      'adapter or GPU',
      'model',
      'agreement with cpu',
      ...batches.map((batch) => `img/s b${batch}`),
      'first run ms',
    ],
    rows: [],
    notes: [
      ...result.notes,
      '— (too slow): a smaller batch of that model took more than --max-call-seconds per call there.',
      `Agreement: top-1 on ${AGREEMENT_SAMPLES.classifier} MNIST test digits (classifiers), and max |Δ| over every output scaled by max(1, max |cpu|), on ${AGREEMENT_SAMPLES.graphModel} seeded inputs for the GraphModels. First run: session creation and the first batch-1 run (shader compilation on WebGPU).`,
    ],
  };
  for (const row of result.rows) {
    const agreement = `${row.top1Agreement !== undefined ? `top-1 ${(row.top1Agreement * 100).toFixed(1)}%, ` : ''}max |Δ| ${row.maxScaledDiff.toExponential(1)}`;
    const rates = batches.map((batch) => {
      const rate = row.imagesPerSecond[batch];
      return typeof rate === 'number' ? Math.round(rate).toLocaleString('en-US') : (rate ?? '—');
    });
    table.rows.push([
      row.device,
      row.runtime,
      row.adapter ?? '—',
      row.model,
      agreement,
      ...rates,
      Math.round(row.firstRunMs).toLocaleString('en-US'),
    ]);
  }
  return [providers, table];
}
