/** The precision section's tables: variants, then q8 forms; each cell images/s with its ratio to fp32 from the same repetitions. */
import { failed, formatNumber, type Table } from '../../report/table.ts';
import type { SectionRun } from '../definition.ts';
import type { PrecisionData, PrecisionRow } from './measure.ts';

type PrecisionRun = SectionRun<PrecisionData>;

const DEVICES = ['cpu', 'wasm'] as const;

export function precisionTables(run: PrecisionRun): Table[] {
  const batches = run.data?.batchSizes ?? [];
  const speedHeader = DEVICES.flatMap((device) => batches.map((batch) => `${device} b${batch}`));
  const variants: Table = {
    title: 'Precision variants (size, accuracy, images/s × fp32)',
    header: ['model', 'variant', 'KiB (× fp32)', 'test accuracy', 'top-1 = fp32', ...speedHeader],
    rows: [],
    notes: [],
  };
  const forms: Table = {
    title: 'q8 forms (images/s × fp32 in the same repetitions)',
    header: ['model', 'form', 'KiB (× fp32)', 'test accuracy', 'top-1 = fp32', ...speedHeader],
    rows: [],
    notes: [],
  };
  if (!run.data) return [failed(variants, run)];
  for (const row of run.data.variants) variants.rows.push(rowCells(row, batches));
  for (const row of run.data.forms) forms.rows.push(rowCells(row, batches));
  variants.notes.push(
    `Speed: ${run.data.speedMethod}. Cells: median images/s (median ratio to fp32). Accuracy on the 10,000 MNIST test images (device cpu, onnxruntime-node).`,
  );
  variants.notes.push(...slowerNotes(run.data.variants));
  forms.notes.push(
    "The converter writes the default forms; the others are what onnxruntime's own quantizer would write (integer ConvInteger, QDQ) or weight-only storage, measured to choose.",
  );
  return [variants, forms];
}

function rowCells(row: PrecisionRow, batches: number[]): string[] {
  const speeds = DEVICES.flatMap((device) =>
    batches.map((batch) => {
      const speed = row.speed[device].find((entry) => entry.batch === batch);
      if (!speed) return '—';
      return row.variant === 'fp32'
        ? formatNumber(speed.imagesPerSecond.median)
        : `${formatNumber(speed.imagesPerSecond.median)} (${speed.ratioToFp32.toFixed(2)}×)`;
    }),
  );
  return [
    row.model,
    row.variant,
    `${formatNumber(row.bytes / 1024)} (${row.sizeRatio.toFixed(3)})`,
    `${(row.testAccuracy * 100).toFixed(2)}%`,
    `${(row.top1AgreementWithFp32 * 100).toFixed(2)}%`,
    ...speeds,
  ];
}

const WHY_SLOWER: Record<string, string> = {
  fp16: 'fp16 runs the same float32 kernels as fp32 (onnxruntime CPU/wasm have no float16 arithmetic kernels; its float16 weights are cast to float32 once at load), so any difference is measurement noise',
  q8: "q8 adds a DynamicQuantizeLinear pass over each call's activations before its integer matmul; on small batches and small matmuls that fixed cost outweighs the faster int8 arithmetic",
};

/** One note per variant that ran slower than fp32 somewhere, naming where, and why. */
function slowerNotes(rows: PrecisionRow[]): string[] {
  const notes: string[] = [];
  for (const row of rows) {
    if (row.variant === 'fp32') continue;
    const slower = DEVICES.flatMap((device) =>
      row.speed[device]
        .filter((speed) => speed.ratioToFp32 < 1)
        .map((speed) => `${device} batch ${speed.batch} (${speed.ratioToFp32.toFixed(2)}×)`),
    );
    if (slower.length > 0)
      notes.push(`Slower than fp32: ${row.model} ${row.variant} on ${slower.join(', ')}. ${WHY_SLOWER[row.dtype] ?? ''}`.trim());
  }
  return notes;
}
