/** The CLI section's table: milliseconds from spawn to exit for each --help and --version, against a bare node. */
import { failed, formatSpread, type Table } from '../../report/table.ts';
import type { SectionRun } from '../definition.ts';
import type { CliData } from './measure.ts';

export function cliTables(run: SectionRun<CliData>): Table[] {
  const table: Table = {
    title: 'CLI start-up (ms, spawn to exit)',
    header: ['command', 'ms', '× bare node', `under ${run.data?.goalMs ?? 300} ms`],
    rows: [],
    notes: [],
  };
  if (!run.data) return [failed(table, run)];
  for (const row of run.data.rows)
    table.rows.push([row.command, formatSpread(row.ms), formatSpread(row.overNode), row.underGoal ? 'yes' : 'no']);
  table.notes.push(
    `Bare \`node -e ""\` on the same machine: ${formatSpread(run.data.nodeMs)} ms. Median (min–max) over ${run.data.nodeMs.repetitions} round-robin rounds; × bare node is paired per round.`,
  );
  return [table];
}
