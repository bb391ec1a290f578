/**
 * One section of the benchmark in its own process, so its peak resident memory (getrusage
 * maxrss at the end) is its own. Started by bench/run.ts:
 *
 *   node --import tsx bench/section.ts <section> <context.json> <result.json>
 *
 * Only the section's module is imported, so e.g. the serving process never loads tfjs.
 */
import { readFileSync } from 'node:fs';
import { describeError } from '../common/errors.ts';
import { writeJsonAtomic } from '../common/files.ts';
import type { SectionContext } from './results.ts';

const SECTIONS: Record<string, () => Promise<(context: SectionContext) => Promise<unknown>>> = {
  models: async () => (await import('./sections/models.ts')).prepareModels,
  training: async () => (await import('./sections/training.ts')).measureTraining,
  conversion: async () => (await import('./sections/conversion.ts')).measureConversion,
  inference: async () => (await import('./sections/inference.ts')).measureInference,
  precision: async () => (await import('./sections/precision.ts')).measurePrecision,
  serving: async () => (await import('./sections/serving.ts')).measureServing,
  graphModels: async () => (await import('./sections/graphModels.ts')).measureGraphModels,
  cli: async () => (await import('./sections/cli.ts')).measureCli,
};

export interface SectionOutput {
  data?: unknown;
  error?: string;
  /** getrusage's maxrss of this process, in kB. */
  maxRssKB: number;
}

async function runSection(name: string, contextPath: string, resultPath: string): Promise<number> {
  let output: SectionOutput;
  try {
    const load = SECTIONS[name];
    if (!load) throw new Error(`unknown section "${name}"`);
    const context = JSON.parse(readFileSync(contextPath, 'utf8')) as SectionContext;
    const data = await (await load())(context);
    output = { data, maxRssKB: process.resourceUsage().maxRSS };
  } catch (error) {
    output = { error: describeError(error), maxRssKB: process.resourceUsage().maxRSS };
  }
  await writeJsonAtomic(resultPath, output);
  return output.error ? 1 : 0;
}

const [name = '', contextPath = '', resultPath = ''] = process.argv.slice(2);
// Exit explicitly: onnxruntime and tfjs-wasm may keep handles open after the section is done.
process.exit(await runSection(name, contextPath, resultPath));
