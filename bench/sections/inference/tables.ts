/** The inference section's tables: images/s, latency and × tfjs per path and batch, and the browser bundle sizes. */
import { failed, formatNumber, formatSpread, type Table } from '../../report/table.ts';
import type { SectionRun } from '../definition.ts';
import type { BundleSize } from './bundles.ts';
import type { InferenceData } from './measure.ts';

export function inferenceTables(run: SectionRun<InferenceData>): Table[] {
  const tables = [inferenceTable(run)];
  if (run.data?.bundles) tables.push(bundlesTable(run.data.bundles));
  return tables;
}

function inferenceTable(run: SectionRun<InferenceData>): Table {
  const table: Table = {
    title: 'Inference (images/s and per-call latency)',
    header: ['model', 'path', 'batch', 'images/s', '× tfjs', 'p50 ms', 'p99 ms', '% of fp32 peak'],
    rows: [],
    notes: [],
  };
  if (!run.data) return failed(table, run);
  // Results from before the overhead figures existed render as they did.
  const withOverhead = run.data.rows.some((row) => row.overBareOnnxruntime);
  if (withOverhead) table.header.push('time ÷ bare ort (predictBatch / run)');
  const engines = new Map<string, string>();
  for (const row of run.data.rows) {
    engines.set(row.path, row.engine);
    table.rows.push([
      row.model,
      row.path,
      String(row.batch),
      formatSpread(row.imagesPerSecond),
      row.path === 'tfjs'
        ? '1'
        : `${formatNumber(row.speedupOverTfjs.median)} (${formatNumber(row.speedupOverTfjs.min)}–${formatNumber(row.speedupOverTfjs.max)})`,
      formatSpread(row.latencyMs.p50),
      formatSpread(row.latencyMs.p99),
      row.fractionOfPeak ? `${formatNumber(row.fractionOfPeak.median * 100)} (${formatNumber(row.gflops!.median)} GFLOP/s)` : '',
      ...(withOverhead
        ? [
            row.overBareOnnxruntime
              ? `${row.overBareOnnxruntime.predictBatch.median.toFixed(3)} / ${row.overBareOnnxruntime.run.median.toFixed(3)}`
              : '',
          ]
        : []),
    ]);
  }
  table.notes.push(`Paths: ${[...engines].map(([path, engine]) => `${path} = ${engine}`).join('; ')}.`);
  if (/\bsoftware\b/.test(engines.get('webgpu') ?? '')) {
    table.notes.push(
      'webgpu rows ran on a software adapter (the GPU API on the CPU): they show the WebGPU path runs and agrees, not GPU speed.',
    );
  }
  if (run.data.webgpuSkipped) table.notes.push(`No webgpu rows: ${run.data.webgpuSkipped}.`);
  table.notes.push(
    'images/s, latency and × tfjs: median (min–max) over repetitions; × tfjs is paired per repetition. p99 of fewer than 100 calls is the slowest call.',
  );
  if (withOverhead)
    table.notes.push(
      'time ÷ bare ort: predictBatch() and Model.run() against a bare InferenceSession.run of the same session on the same Float32Array, in alternating ~20 ms blocks, paired per round; median over repetitions (1.050 = 5% overhead).',
    );
  table.notes.push(
    `% of fp32 peak: cpu MLP images/s × ${run.data.mlpFlopsPerImage.toLocaleString('en-US')} FLOPs per image (2 × Dense multiply-adds) ÷ ${run.data.fp32PeakGflops} GFLOP/s.`,
  );
  return table;
}

function bundlesTable(bundles: BundleSize[]): Table {
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(2);
  return {
    title: 'Browser bundles (Vite build of a page that loads a classifier)',
    header: ['import', 'JavaScript MB', '.wasm MB', '.wasm files'],
    rows: bundles.map((b) => [`\`${b.entry}\``, mb(b.jsBytes), mb(b.wasmBytes), b.wasmFiles.join(', ')]),
    notes: [
      "'@tfjs-onnx/runtime' carries onnxruntime-web's WebGPU + WebAssembly build; '@tfjs-onnx/runtime/wasm' its plain WebAssembly build (no device 'webgpu').",
    ],
  };
}
