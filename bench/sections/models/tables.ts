/** The models section's table: which MLP and CNN the other sections measured, and where they came from. */
import { failed, type Table } from '../../report/table.ts';
import type { PreparedModels, SectionRun } from '../definition.ts';

export function modelsTables(run: SectionRun<PreparedModels>): Table[] {
  const table: Table = { title: 'Models', header: ['model', 'origin', 'tfjs backend', 'tfjs model', 'ONNX'], rows: [], notes: [] };
  if (!run.data) return [failed(table, run)];
  for (const model of Object.values(run.data)) {
    table.rows.push([
      model.name,
      model.origin === 'trained' ? `trained here, ${model.steps} steps` : 'given',
      model.tfjsBackend,
      shortPath(model.tfjs),
      shortPath(model.onnx),
    ]);
  }
  return [table];
}

/** The run's scratch directory as <scratch>/, whether recorded as scratch/… (bench/paths.ts) or absolute (older results). */
function shortPath(file: string): string {
  return file.replace(/^(?:.*\/tfjs-onnx-bench-[^/]+|scratch)\//, '<scratch>/');
}
