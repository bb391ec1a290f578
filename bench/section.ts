/**
 * One section of the benchmark in its own process, so its peak resident memory (getrusage
 * maxrss at the end) is its own. Started by bench/run.ts:
 *
 *   node --import tsx bench/section.ts <section> <context.json> <result.json>
 *
 * Only the section's measuring module is imported, so e.g. the serving process never loads tfjs.
 */
import { readFileSync } from 'node:fs';
import { describeError } from '../common/errors.ts';
import { writeJsonAtomic } from '../common/files.ts';
import type { SectionContext, SectionDefinition } from './sections/definition.ts';
import { MODELS_SECTION, SECTIONS } from './sections/registry.ts';

const MEASURES: Record<string, SectionDefinition<unknown>['measure']> = Object.fromEntries(
  Object.entries({ models: MODELS_SECTION, ...SECTIONS }).map(([name, section]) => [name, section.measure]),
);

export interface SectionOutput {
  data?: unknown;
  error?: string;
  /** getrusage's maxrss of this process, in kB. */
  maxRssKB: number;
}

async function runSection(name: string, contextPath: string, resultPath: string): Promise<number> {
  let output: SectionOutput;
  try {
    const measure = MEASURES[name];
    if (!measure) throw new Error(`unknown section "${name}"`);
    const context = JSON.parse(readFileSync(contextPath, 'utf8')) as SectionContext;
    const data = await (await measure())(context);
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
