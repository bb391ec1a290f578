/**
 * Every table of a results file, in order: the machine and the run, each section's own tables
 * (sections/registry.ts), and the peak memory of every section's process.
 */
import type { BenchResults } from '../results.ts';
import type { SectionRun } from '../sections/definition.ts';
import { MODELS_SECTION, SECTIONS, SECTION_NAMES } from '../sections/registry.ts';
import type { Table } from './table.ts';

export function resultTables(results: BenchResults): Table[] {
  const tables = [machineTable(results)];
  if (results.models) tables.push(...MODELS_SECTION.tables(results.models));
  for (const name of SECTION_NAMES) {
    const run = results[name];
    if (run) tables.push(...(SECTIONS[name].tables as (run: SectionRun<unknown>) => Table[])(run));
  }
  tables.push(memoryTable(results));
  return tables;
}

function machineTable(results: BenchResults): Table {
  const { machine } = results;
  const versions = Object.entries(machine.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  return {
    title: 'Machine and run',
    header: ['what', 'value'],
    rows: [
      [
        'run',
        `${results.quick ? 'quick (--quick)' : 'full'}, ${results.generatedAt}, ${results.totalSeconds.toFixed(0)} s, sections: ${results.sections.join(', ')}`,
      ],
      ['CPU', `${machine.cpu.model}, ${machine.cpu.logicalCpus} logical CPUs at ${machine.cpu.mhz} MHz`],
      ['fp32 peak', `${machine.fp32Peak.gflops} GFLOP/s: ${machine.fp32Peak.derivation}`],
      ['load average at start', `${machine.loadAverageAtStart.join(' / ')} (1 / 5 / 15 min)`],
      ['memory', `${machine.memoryTotalMB} MB`],
      ['platform', `${machine.platform}, Node ${machine.node}`],
      ['libraries', versions],
    ],
    notes: [],
  };
}

function memoryTable(results: BenchResults): Table {
  const table: Table = {
    title: 'Peak resident memory per section',
    header: ['section', 'seconds', 'section process MB', 'processes it started (peak MB)'],
    rows: [],
    notes: [],
  };
  for (const name of ['models', ...results.sections] as const) {
    const run = results[name];
    if (!run) continue;
    const children = groupByCommand(run.childProcesses)
      .map(({ command, count, peakRssMB }) => `${command}${count > 1 ? ` ×${count}` : ''}: ${peakRssMB.toFixed(0)}`)
      .join('; ');
    table.rows.push([name, run.seconds.toFixed(1), run.peakRssMB.toFixed(0), children || '—']);
  }
  table.notes.push(
    'Each section runs in its own process: its peak is getrusage maxrss at the end; the processes it starts (servers, in the order started) are sampled for VmHWM every 200 ms.',
  );
  table.notes.push(
    "The serving section's own process is the load generator (autocannon); the servers are the processes it started, the last one being the server whose growth is measured.",
  );
  return table;
}

/** Processes started with the same command (the CLI section spawns each many times) as one entry with the highest peak, in first-start order. */
function groupByCommand(children: { command: string; peakRssMB: number }[]): { command: string; count: number; peakRssMB: number }[] {
  const groups = new Map<string, { command: string; count: number; peakRssMB: number }>();
  for (const child of children) {
    const group = groups.get(child.command) ?? { command: child.command, count: 0, peakRssMB: 0 };
    group.count++;
    group.peakRssMB = Math.max(group.peakRssMB, child.peakRssMB);
    groups.set(child.command, group);
  }
  return [...groups.values()];
}
