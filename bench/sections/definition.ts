/**
 * What a section of `npm run bench` is: a measurement that runs in its own child process and
 * returns JSON-able data, and the tables that data renders as. The list of sections is
 * sections/registry.ts; each section's folder holds its measure.ts and its tables.ts.
 */
import type { Table } from '../report/table.ts';
import type { BenchSettings, ModelName } from '../settings.ts';

export interface PreparedModel {
  name: ModelName;
  /** tfjs Layers model.json. */
  tfjs: string;
  onnx: string;
  /** 'trained' by this run (random start, `steps` Adam steps) or 'given' on the command line. */
  origin: 'trained' | 'given';
  steps?: number;
  /** The tfjs backend it was trained on, which tfjs predict is benchmarked on. */
  tfjsBackend: string;
}

export type PreparedModels = Record<ModelName, PreparedModel>;

/** What a section's child process gets: the settings and the models prepared before it. */
export interface SectionContext {
  settings: BenchSettings;
  models?: PreparedModels;
  /** Scratch directory of this run, removed at the end. */
  workDirectory: string;
  /** Models given on the command line (for the models section). */
  given: Partial<Record<ModelName, { tfjs?: string; onnx?: string }>>;
}

/** One section's run in its own child process. */
export interface SectionRun<T> {
  seconds: number;
  /** The section process's peak resident memory (getrusage maxrss). */
  peakRssMB: number;
  /** Processes the section started (e.g. servers), with their sampled peak resident memory (VmHWM). */
  childProcesses: { command: string; peakRssMB: number }[];
  data?: T;
  error?: string;
}

export interface SectionDefinition<T> {
  /** The measuring function, imported only in the section's own process (so e.g. the serving process never loads tfjs). */
  measure: () => Promise<(context: SectionContext) => Promise<T>>;
  /** Its tables, from a run that may have failed (then they say why). */
  tables: (run: SectionRun<T>) => Table[];
  /** Whether it measures the MLP and CNN the models section prepares (the others bring their own models or need none). */
  needsModels: boolean;
}

/** A section with its data type inferred from its measuring function and its tables. */
export function defineSection<T>(definition: SectionDefinition<T>): SectionDefinition<T> {
  return definition;
}
