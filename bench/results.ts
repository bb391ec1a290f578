/** The shape of bench/results/latest.json: one run, every section measured in the same process tree. */
import type { MachineDescription } from './machine.ts';
import type { PreparedModels, SectionDefinition, SectionRun } from './sections/definition.ts';
import type { SECTIONS, SectionName } from './sections/registry.ts';
import type { BenchSettings } from './settings.ts';

/** What a section's measuring function returns, which its tables render. */
export type SectionData<Name extends SectionName> = (typeof SECTIONS)[Name] extends SectionDefinition<infer T> ? T : never;

export type BenchResults = {
  schema: 1;
  generatedAt: string;
  quick: boolean;
  command: string;
  totalSeconds: number;
  machine: MachineDescription;
  settings: BenchSettings;
  sections: SectionName[];
  models?: SectionRun<PreparedModels>;
} & { [Name in SectionName]?: SectionRun<SectionData<Name>> };
