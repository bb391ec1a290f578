/** The conversion section's table: seconds per convertLayersModel() for the MLP, the CNN and a MobileNetV2-sized model. */
import { failed, formatSpread, type Table } from '../../report/table.ts';
import type { SectionRun } from '../definition.ts';
import type { ConversionData } from './measure.ts';

export function conversionTables(run: SectionRun<ConversionData>): Table[] {
  const table: Table = {
    title: 'Conversion (convertLayersModel, seconds)',
    header: ['model', 'parameters', 'ONNX nodes', 'ONNX MB', 'seconds', 'reps'],
    rows: [],
    notes: [],
  };
  if (!run.data) return [failed(table, run)];
  for (const row of run.data.rows) {
    table.rows.push([
      row.model,
      row.parameters.toLocaleString('en-US'),
      String(row.onnxNodes),
      (row.onnxBytes / 2 ** 20).toFixed(2),
      formatSpread(row.seconds),
      String(row.seconds.repetitions),
    ]);
    table.notes.push(`${row.model}: ${row.description}.`);
  }
  return [table];
}
