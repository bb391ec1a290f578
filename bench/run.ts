/**
 * `npm run bench`: every benchmark of the project in one process tree on one machine, so each
 * comparison is a ratio of figures from the same run. Each section runs in its own child process
 * (its peak memory is its own); results go to bench/results/latest.json (atomically), a table per
 * section to stdout, and the same tables into bench/README.md. Progress goes to stderr.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describeError } from '../common/errors.ts';
import { writeJsonAtomic } from '../common/files.ts';
import { PROJECT_ROOT } from '../common/project.ts';
import { describeMachine } from './machine.ts';
import { sampleDescendantPeaks } from './memory.ts';
import { DEFAULT_OUT, USAGE, parseBenchOptions, type BenchOptions } from './options.ts';
import { recordedArguments, recordedModels } from './paths.ts';
import { refreshReadme } from './report/readme.ts';
import { resultTables } from './report/resultTables.ts';
import { renderMarkdown, renderText } from './report/table.ts';
import type { BenchResults } from './results.ts';
import type { SectionOutput } from './section.ts';
import type { PreparedModels, SectionContext, SectionRun } from './sections/definition.ts';
import { SECTIONS, type SectionName } from './sections/registry.ts';
import { benchSettings } from './settings.ts';

const SECTION_ENTRY = path.join(import.meta.dirname, 'section.ts');

async function main(argv: string[]): Promise<number> {
  const options = parseBenchOptions(argv);
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (options.markdown) return printMarkdown(options.out);
  const results = await runBenchmarks(options, argv);
  await writeJsonAtomic(path.resolve(PROJECT_ROOT, options.out), results);
  const tables = resultTables(results);
  process.stdout.write(`\n${renderText(tables)}\n\nwritten to ${options.out}\n`);
  if (isDefaultOut(options.out)) await refreshReadme(renderMarkdown(tables));
  const failedSections = (['models', ...results.sections] as const).filter((name) => results[name]?.error);
  return failedSections.length > 0 ? 1 : 0;
}

async function runBenchmarks(options: BenchOptions, argv: string[]): Promise<BenchResults> {
  const started = performance.now();
  // Read the machine first: the load average is the one before this run adds to it.
  const machine = describeMachine();
  const settings = benchSettings(options.quick);
  const workDirectory = mkdtempSync(path.join(os.tmpdir(), 'tfjs-onnx-bench-'));
  const results: BenchResults = {
    schema: 1,
    generatedAt: new Date().toISOString(),
    quick: options.quick,
    command: ['npm run bench --', ...recordedArguments(argv, workDirectory)].join(' '),
    totalSeconds: 0,
    machine,
    settings,
    sections: options.sections,
  };
  try {
    const context: SectionContext = { settings, workDirectory, given: options.given };
    // Training and the GraphModel section bring their own models, the CLI section needs none; the others measure the prepared MLP and CNN.
    if (options.sections.some((name) => SECTIONS[name].needsModels)) {
      const models = await runSection<PreparedModels>('models', context);
      context.models = models.data;
      results.models = models.data ? { ...models, data: recordedModels(models.data, workDirectory) } : models;
    }
    for (const name of options.sections) {
      if (SECTIONS[name].needsModels && !context.models) {
        results[name] = {
          seconds: 0,
          peakRssMB: 0,
          childProcesses: [],
          error: 'skipped: the models could not be prepared (see the models section)',
        };
        continue;
      }
      (results as unknown as Record<SectionName, SectionRun<unknown>>)[name] = await runSection(name, context);
    }
  } finally {
    if (options.keep) process.stderr.write(`kept the run's models in ${workDirectory}\n`);
    else rmSync(workDirectory, { recursive: true, force: true });
  }
  results.totalSeconds = (performance.now() - started) / 1000;
  return results;
}

/** Runs one section in a child process, sampling the memory of whatever it starts. */
async function runSection<T>(name: 'models' | SectionName, context: SectionContext): Promise<SectionRun<T>> {
  process.stderr.write(`-- ${name}\n`);
  const contextPath = path.join(context.workDirectory, `${name}.context.json`);
  const resultPath = path.join(context.workDirectory, `${name}.result.json`);
  await writeFile(contextPath, JSON.stringify(context));
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', SECTION_ENTRY, name, contextPath, resultPath], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const sampler = sampleDescendantPeaks(child.pid!);
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const childProcesses = sampler.stop();
  const seconds = (performance.now() - started) / 1000;
  if (!existsSync(resultPath))
    return { seconds, peakRssMB: 0, childProcesses, error: `the section process exited with ${exitCode} without results` };
  const output = JSON.parse(await readFile(resultPath, 'utf8')) as SectionOutput;
  if (output.error) process.stderr.write(`${name} failed: ${output.error}\n`);
  const run: SectionRun<T> = { seconds, peakRssMB: Math.round(output.maxRssKB / 102.4) / 10, childProcesses };
  if (output.error) run.error = output.error;
  else run.data = output.data as T;
  return run;
}

async function printMarkdown(out: string): Promise<number> {
  const results = JSON.parse(readFileSync(path.resolve(PROJECT_ROOT, out), 'utf8')) as BenchResults;
  const markdown = renderMarkdown(resultTables(results));
  process.stdout.write(`${markdown}\n`);
  if (isDefaultOut(out)) await refreshReadme(markdown);
  return 0;
}

function isDefaultOut(out: string): boolean {
  return path.resolve(PROJECT_ROOT, out) === path.resolve(PROJECT_ROOT, DEFAULT_OUT);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`error: ${describeError(error)}\n`);
  process.exitCode = 1;
}
