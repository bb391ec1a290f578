/**
 * Every section of `npm run bench`, in the order they run and their tables print. A section is a
 * folder here with its measure.ts (run in a child process of its own) and its tables.ts; adding
 * one is that folder and its entry below (its settings, if any, in settings.ts).
 */
import { cliTables } from './cli/tables.ts';
import { conversionTables } from './conversion/tables.ts';
import { defineSection } from './definition.ts';
import { graphModelTables } from './graphModels/tables.ts';
import { inferenceTables } from './inference/tables.ts';
import { modelsTables } from './models/tables.ts';
import { precisionTables } from './precision/tables.ts';
import { servingTables } from './serving/tables.ts';
import { trainingTables } from './training/tables.ts';

/** Not a measurement: trains (or takes) and converts the MLP and CNN the sections with `needsModels` measure, first. */
export const MODELS_SECTION = defineSection({
  measure: async () => (await import('./models/measure.ts')).prepareModels,
  tables: modelsTables,
  needsModels: false,
});

export const SECTIONS = {
  training: defineSection({
    measure: async () => (await import('./training/measure.ts')).measureTraining,
    tables: trainingTables,
    needsModels: false,
  }),
  conversion: defineSection({
    measure: async () => (await import('./conversion/measure.ts')).measureConversion,
    tables: conversionTables,
    needsModels: true,
  }),
  inference: defineSection({
    measure: async () => (await import('./inference/measure.ts')).measureInference,
    tables: inferenceTables,
    needsModels: true,
  }),
  precision: defineSection({
    measure: async () => (await import('./precision/measure.ts')).measurePrecision,
    tables: precisionTables,
    needsModels: true,
  }),
  serving: defineSection({
    measure: async () => (await import('./serving/measure.ts')).measureServing,
    tables: servingTables,
    needsModels: true,
  }),
  graphModels: defineSection({
    measure: async () => (await import('./graphModels/measure.ts')).measureGraphModels,
    tables: graphModelTables,
    needsModels: false,
  }),
  cli: defineSection({ measure: async () => (await import('./cli/measure.ts')).measureCli, tables: cliTables, needsModels: false }),
};

export type SectionName = keyof typeof SECTIONS;

export const SECTION_NAMES = Object.keys(SECTIONS) as SectionName[];
