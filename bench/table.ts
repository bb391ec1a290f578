/**
 * The results as tables: plain text for the terminal and markdown for bench/README.md, both built
 * from the same rows, so the printed table, the README and latest.json never disagree.
 */
import type { BenchResults, SectionRun } from './results.ts';
import { precisionTables } from './precisionTables.ts';
import type { ServerBenchResult } from './server.ts';
import type { ServerCpuResult } from './serving/cpu.ts';
import type { Spread } from '../common/stats.ts';

export interface Table {
  title: string;
  header: string[];
  rows: string[][];
  notes: string[];
}

export const README_START = '<!-- bench:results:start (generated from results/latest.json by `npm run bench -- --markdown`; do not edit) -->';
export const README_END = '<!-- bench:results:end -->';

export function resultTables(results: BenchResults): Table[] {
  const tables = [machineTable(results)];
  if (results.models) tables.push(modelsTable(results.models));
  if (results.training) tables.push(trainingTable(results.training));
  // Older results files have neither of these.
  if (results.training?.data?.kernelsPerStep) tables.push(kernelTable(results.training.data));
  if (results.training?.data?.pytorch) tables.push(pytorchTable(results.training.data.pytorch));
  if (results.conversion) tables.push(conversionTable(results.conversion));
  if (results.inference) tables.push(inferenceTable(results.inference));
  if (results.inference?.data?.bundles) tables.push(bundlesTable(results.inference.data.bundles));
  if (results.precision) tables.push(...precisionTables(results.precision));
  if (results.serving) tables.push(...servingTables(results.serving));
  if (results.graphModels) tables.push(...graphModelTables(results.graphModels));
  if (results.cli) tables.push(cliTable(results.cli));
  tables.push(memoryTable(results));
  return tables;
}

// ---- sections ----------------------------------------------------------------------------------

function machineTable(results: BenchResults): Table {
  const { machine } = results;
  const versions = Object.entries(machine.versions).map(([name, version]) => `${name} ${version}`).join(', ');
  return {
    title: 'Machine and run',
    header: ['what', 'value'],
    rows: [
      ['run', `${results.quick ? 'quick (--quick)' : 'full'}, ${results.generatedAt}, ${results.totalSeconds.toFixed(0)} s, sections: ${results.sections.join(', ')}`],
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

function modelsTable(run: SectionRun<NonNullable<BenchResults['models']>['data']>): Table {
  const table: Table = { title: 'Models', header: ['model', 'origin', 'tfjs backend', 'tfjs model', 'ONNX'], rows: [], notes: [] };
  if (!run.data) return failed(table, run);
  for (const model of Object.values(run.data)) {
    table.rows.push([model.name, model.origin === 'trained' ? `trained here, ${model.steps} steps` : 'given', model.tfjsBackend, shortPath(model.tfjs), shortPath(model.onnx)]);
  }
  return table;
}

function trainingTable(run: SectionRun<NonNullable<BenchResults['training']>['data']>): Table {
  const table: Table = {
    title: 'Training (samples/s)',
    header: ['model', 'backend', 'steps (warm-up + timed)', 'samples/s', 'fit() samples/s', '× fit()', 'reps'],
    rows: [],
    notes: [],
  };
  if (!run.data) return failed(table, run);
  const { recipe, rows, skipped } = run.data;
  for (const row of rows) {
    const fit = row.fit ? [formatSpread(row.fit.samplesPerSecond), formatSpread(row.fit.speedup)] : ['—', '—'];
    table.rows.push([row.model, row.backend, `${row.warmupSteps} + ${row.steps}`, formatSpread(row.samplesPerSecond), ...fit, String(row.samplesPerSecond.repetitions)]);
  }
  for (const skip of skipped) table.rows.push([skip.model, skip.backend, '—', `not measured: ${skip.reason}`, '—', '—', '—']);
  const recipeNote = `Recipe: batch ${recipe.batchSize}, ${recipe.optimizer} (learning rate ${recipe.learningRate}), ${recipe.loss}.`;
  table.notes.push(
    run.data.kernelsPerStep
      ? `${recipeNote} samples/s: train()'s step (fused Adam and loss kernels, loss and accuracy read back once per epoch); fit(): the model.fit() step it replaced, timed alternately with it, on the same kernels (our wasm BatchMatMul and MaxPoolGrad included), so × fit() is the gain of the training loop alone; × fit() is paired per repetition. Figures: median (min–max).`
      : // Results from before train() left fit(): their samples/s are fit()'s.
        `${recipeNote} samples/s: one model.fit() of the timed steps per repetition (results from before train() had its own step). Figures: median (min–max).`,
  );
  if (skipped.some((skip) => skip.backend === 'tensorflow')) {
    table.notes.push('tensorflow is tfjs-node: train() uses it wherever it is installed, but its speed cannot be measured on this machine, where it does not install (its install script downloads libtensorflow).');
  }
  return table;
}

function kernelTable(data: NonNullable<NonNullable<BenchResults['training']>['data']>): Table {
  const table: Table = { title: 'Kernels per training step', header: ['model', 'backend', 'fit()', "train()'s step", "train()'s step by kernel"], rows: [], notes: [] };
  for (const count of data.kernelsPerStep) {
    const byKernel = Object.entries(count.leanKernels).map(([name, n]) => `${name} ${formatNumber(n)}`).join(', ');
    table.rows.push([count.model, count.backend, formatNumber(count.fit), formatNumber(count.lean), byKernel]);
  }
  table.notes.push('tf.profile over ten steps, divided by ten; kernels that a kernel runs inside itself are counted too (e.g. the Transpose before an untransposed BatchMatMul).');
  return table;
}

function pytorchTable(comparison: NonNullable<NonNullable<BenchResults['training']>['data']>['pytorch']): Table {
  const table: Table = { title: 'MLP epoch against PyTorch (seconds, same machine, same run)', header: ['what', 'epoch seconds', 'test accuracy'], rows: [], notes: [] };
  if (!comparison.measured) {
    table.rows.push(['PyTorch', `not measured: ${comparison.reason}`, '—']);
    return table;
  }
  const percent = (value: Spread) => `${formatNumber(value.median * 100)}%`;
  table.rows.push([`ours (tfjs ${comparison.ourBackend}, train()'s epoch loop)`, formatSpread(comparison.epochSeconds.ours), percent(comparison.testAccuracy.ours)]);
  table.rows.push([`PyTorch ${comparison.torch} (${comparison.threads} thread${comparison.threads === 1 ? '' : 's'})`, formatSpread(comparison.epochSeconds.pytorch), percent(comparison.testAccuracy.pytorch)]);
  const verdict = comparison.ratio.median <= comparison.goal ? 'meets' : 'misses';
  table.rows.push(['ours ÷ PyTorch, paired', `${formatSpread(comparison.ratio)} (${verdict} the goal of ≤ ${comparison.goal})`, '—']);
  table.notes.push(
    `The lecture's recipe on 60,000 MNIST images: batch 32, Adam 1e-3, one epoch from fresh weights, the 10,000 test images evaluated at its end; ${comparison.ratio.repetitions} pairs alternating which runs first, after ${comparison.warmupSteps} untimed steps on each side. PyTorch: bench/pytorch/mnist_mlp.py, batches cut by index (no DataLoader), its default initialisation.`,
  );
  return table;
}

function conversionTable(run: SectionRun<NonNullable<BenchResults['conversion']>['data']>): Table {
  const table: Table = { title: 'Conversion (convertLayersModel, seconds)', header: ['model', 'parameters', 'ONNX nodes', 'ONNX MB', 'seconds', 'reps'], rows: [], notes: [] };
  if (!run.data) return failed(table, run);
  for (const row of run.data.rows) {
    table.rows.push([row.model, row.parameters.toLocaleString('en-US'), String(row.onnxNodes), (row.onnxBytes / 2 ** 20).toFixed(2), formatSpread(row.seconds), String(row.seconds.repetitions)]);
    table.notes.push(`${row.model}: ${row.description}.`);
  }
  return table;
}

function inferenceTable(run: SectionRun<NonNullable<BenchResults['inference']>['data']>): Table {
  const table: Table = {
    title: 'Inference (images/s and per-call latency)',
    header: ['model', 'path', 'batch', 'images/s', '× tfjs', 'p50 ms', 'p99 ms', '% of fp32 peak'],
    rows: [],
    notes: [],
  };
  if (!run.data) return failed(table, run);
  // Results from before the overhead figures existed render as they did.
  const withOverhead = run.data.rows.some((row) => row.overBareOnnxruntime);
  if (withOverhead) table.header.push('time ÷ bare ort (predictBatch / run)');
  const engines = new Map<string, string>();
  for (const row of run.data.rows) {
    engines.set(row.path, row.engine);
    table.rows.push([
      row.model,
      row.path,
      String(row.batch),
      formatSpread(row.imagesPerSecond),
      row.path === 'tfjs' ? '1' : `${formatNumber(row.speedupOverTfjs.median)} (${formatNumber(row.speedupOverTfjs.min)}–${formatNumber(row.speedupOverTfjs.max)})`,
      formatSpread(row.latencyMs.p50),
      formatSpread(row.latencyMs.p99),
      row.fractionOfPeak ? `${formatNumber(row.fractionOfPeak.median * 100)} (${formatNumber(row.gflops!.median)} GFLOP/s)` : '',
      ...(withOverhead ? [row.overBareOnnxruntime ? `${row.overBareOnnxruntime.predictBatch.median.toFixed(3)} / ${row.overBareOnnxruntime.run.median.toFixed(3)}` : ''] : []),
    ]);
  }
  table.notes.push(`Paths: ${[...engines].map(([path, engine]) => `${path} = ${engine}`).join('; ')}.`);
  if (/\bsoftware\b/.test(engines.get('webgpu') ?? '')) {
    table.notes.push('webgpu rows ran on a software adapter (the GPU API on the CPU): they show the WebGPU path runs and agrees, not GPU speed.');
  }
  if (run.data.webgpuSkipped) table.notes.push(`No webgpu rows: ${run.data.webgpuSkipped}.`);
  table.notes.push('images/s, latency and × tfjs: median (min–max) over repetitions; × tfjs is paired per repetition. p99 of fewer than 100 calls is the slowest call.');
  if (withOverhead) table.notes.push('time ÷ bare ort: predictBatch() and Model.run() against a bare InferenceSession.run of the same session on the same Float32Array, in alternating ~20 ms blocks, paired per round; median over repetitions (1.050 = 5% overhead).');
  table.notes.push(`% of fp32 peak: cpu MLP images/s × ${run.data.mlpFlopsPerImage.toLocaleString('en-US')} FLOPs per image (2 × Dense multiply-adds) ÷ ${run.data.fp32PeakGflops} GFLOP/s.`);
  return table;
}

function bundlesTable(bundles: NonNullable<NonNullable<NonNullable<BenchResults['inference']>['data']>['bundles']>): Table {
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(2);
  return {
    title: 'Browser bundles (Vite build of a page that loads a classifier)',
    header: ['import', 'JavaScript MB', '.wasm MB', '.wasm files'],
    rows: bundles.map((b) => [`\`${b.entry}\``, mb(b.jsBytes), mb(b.wasmBytes), b.wasmFiles.join(', ')]),
    notes: ["'@tfjs-onnx/runtime' carries onnxruntime-web's WebGPU + WebAssembly build; '@tfjs-onnx/runtime/wasm' its plain WebAssembly build (no device 'webgpu')."],
  };
}

function servingTables(run: SectionRun<NonNullable<BenchResults['serving']>['data']>): Table[] {
  if (!run.data) return [failed({ title: 'Serving', header: [], rows: [], notes: [] }, run)];
  const benchmark = run.data.benchmark as ServerBenchResult | LegacyServing['benchmark'];
  if ('schema' in benchmark && benchmark.schema === 2) return servingTablesFor(benchmark);
  return legacyServingTables(run.data as unknown as LegacyServing);
}

/** The serving benchmark's tables: throughput per model, protocol and batching; the paired batching ratios; memory; the soak. */
export function servingTablesFor(benchmark: ServerBenchResult): Table[] {
  const runs = benchmark.quick ? `1 run of ${benchmark.settings.durationSeconds} s` : `median of ${benchmark.settings.repetitions} runs of ${benchmark.settings.durationSeconds} s`;
  const throughput: Table = {
    title: 'Serving (requests/s over loopback, one image per request)',
    header: ['model', 'protocol', 'server', 'connections', 'req/s', 'p50 ms', 'p99 ms', 'failures'],
    rows: benchmark.points.map((point) => [point.model, point.protocol, point.server, String(point.connections), formatNumber(point.requestsPerSecond), formatNumber(point.latencyMs.p50), formatNumber(point.latencyMs.p99), String(point.failures)]),
    notes: [
      `bench/server.ts: ${runs} per point after ${benchmark.settings.warmupSeconds} s warm-up; batching = \`serve\` defaults (--max-batch 64, no queue delay), no-batching = --max-batch 1, run alternately; tfjs baseline (JSON) on ${benchmark.environment.baselineBackend}.`,
      `Request bytes: ${PROTOCOL_NAMES.map((protocol) => `${protocol} ${benchmark.settings.requestBytes[protocol]?.toLocaleString('en-US')}`).join(', ')}. p50/p99: autocannon's whole ms for HTTP, measured per call for gRPC. The load generator shares the machine with the server.`,
    ],
  };
  const ratios: Table = {
    title: 'Dynamic batching ÷ no batching (requests/s, paired per repetition)',
    header: ['model', 'protocol', 'connections', 'ratio'],
    rows: benchmark.batching.map((entry) => [entry.model, entry.protocol, String(entry.connections), formatSpread(entry.ratio)]),
    notes: ['Targets (issue 16): at 1 connection ≥ 0.9 (batching costs under 10%), at 64 connections ≥ 2.'],
  };
  const memory: Table = {
    title: 'Server memory per protocol (resident set after N requests)',
    header: ['protocol', ...benchmark.memory[0]!.checkpoints.map((checkpoint) => `RSS MB after ${checkpoint.requests.toLocaleString('en-US')}`), 'growth MB', 'peak MB'],
    rows: benchmark.memory.map((entry) => [entry.protocol, ...entry.checkpoints.map((checkpoint) => checkpoint.rssMB.toFixed(1)), signed(entry.growthMB), entry.peakRssMB.toFixed(1)]),
    notes: [`A fresh \`serve\` (defaults) per protocol on ${benchmark.models[0]!.name}, ${benchmark.memory[0]!.connections} connections.`],
  };
  const { soak } = benchmark;
  const soakTable: Table = {
    title: 'Soak (mixed good and bad requests, HTTP and gRPC together)',
    header: ['seconds', 'requests', 'bad share', 'unexpected replies', 'RSS MB, second half (first / last / max)', 'live after'],
    rows: [[String(soak.seconds), soak.requests.toLocaleString('en-US'), `${Math.round(soak.badShare * 100)}%`, String(soak.unexpected), `${soak.secondHalf.firstMB.toFixed(0)} / ${soak.secondHalf.lastMB.toFixed(0)} / ${soak.secondHalf.maxMB.toFixed(0)}`, soak.liveAfter ? 'yes' : 'NO']],
    notes: [
      `${soak.httpConnections} HTTP + ${soak.grpcConnections} gRPC connections; bad kinds: absurd shape, lying Inference-Header-Content-Length, malformed JSON, 20000×20000 PNG header, unknown model, short and absurd gRPC raw contents. Replies by status: ${Object.entries(soak.byStatus).map(([status, count]) => `${status}: ${count.toLocaleString('en-US')}`).join(', ')}.`,
      `RSS every ${soak.sampleSeconds} s (MB): ${soak.samples.map((sample) => sample.rssMB.toFixed(0)).join(' ')}.`,
    ],
  };
  return [throughput, ratios, memory, soakTable, ...(benchmark.cpu ? [serverCpuTable(benchmark.cpu, `${benchmark.models[0]!.name}`)] : [])];
}

/** Server CPU-seconds per 1,000 requests per protocol (bench/serving/cpu.ts), with the gRPC ratios. */
export function serverCpuTable(cpu: ServerCpuResult, what: string): Table {
  return {
    title: 'Server CPU per request (load generator in its own process)',
    header: ['protocol', 'request bytes', 'server CPU-s per 1,000 requests', 'req/s (h2load)'],
    rows: cpu.protocols.map((entry) => [entry.protocol, entry.requestBytes.toLocaleString('en-US'), formatSpread(entry.cpuSecondsPer1000), formatSpread(entry.requestsPerSecond)]),
    notes: [
      `${what}; \`serve ${cpu.serveFlags.join(' ')}\` (one onnxruntime run per request, no intra-op thread pool), ${cpu.loadGenerator} in its own process, ${cpu.requests.toLocaleString('en-US')} requests per run over ${cpu.connections} connections, one request at a time each; median (min–max) of ${cpu.repetitions} runs, protocols taking turns.`,
      `gRPC ÷ binary, paired per repetition: ${formatSpread(cpu.grpcOverBinary)}; gRPC ÷ JSON: ${formatSpread(cpu.grpcOverJson)}. Server CPU is utime + stime of its process (every thread) from /proc/<pid>/stat.`,
    ],
  };
}

const PROTOCOL_NAMES = ['json', 'binary', 'grpc'] as const;

/** results/latest.json as the serving benchmark wrote it before it measured protocols (schema 1); drop once latest.json is regenerated. */
interface LegacyServing {
  benchmark: {
    quick: boolean;
    environment: { baselineBackend: string };
    settings: { durationSeconds: number; warmupSeconds: number; repetitions: number };
    points: { server: string; connections: number; requestsPerSecond: number; latencyMs: { p50: number; p99: number; mean: number }; failures: number }[];
  };
  memory: { server: string; connections: number; checkpoints: { requests: number; rssMB: number }[]; growthMB: number; growthPercent: number; peakRssMB: number };
}

function legacyServingTables(data: LegacyServing): Table[] {
  const table: Table = { title: 'Serving (requests/s over loopback, one image per request)', header: ['server', 'connections', 'req/s', 'p50 ms', 'p99 ms', 'mean ms', 'failures'], rows: [], notes: [] };
  const { benchmark, memory } = data;
  for (const point of benchmark.points) {
    table.rows.push([point.server, String(point.connections), formatNumber(point.requestsPerSecond), String(point.latencyMs.p50), String(point.latencyMs.p99), formatNumber(point.latencyMs.mean), String(point.failures)]);
  }
  const runs = benchmark.quick ? `1 run of ${benchmark.settings.durationSeconds} s` : `median of ${benchmark.settings.repetitions} runs of ${benchmark.settings.durationSeconds} s`;
  table.notes.push(`bench/server.ts on the MLP: ${runs} per point after ${benchmark.settings.warmupSeconds} s warm-up; p50/p99 in whole ms (autocannon), mean = connections ÷ req/s; tfjs baseline on ${benchmark.environment.baselineBackend}.`);
  const memoryTable: Table = {
    title: 'Server memory (resident set after N requests)',
    header: ['requests', 'RSS MB'],
    rows: memory.checkpoints.map((checkpoint) => [checkpoint.requests.toLocaleString('en-US'), checkpoint.rssMB.toFixed(1)]),
    notes: [
      `${memory.server}, ${memory.connections} connections; growth from ${memory.checkpoints[0]!.requests.toLocaleString('en-US')} to ${memory.checkpoints.at(-1)!.requests.toLocaleString('en-US')} requests: ${signed(memory.growthMB)} MB (${signed(memory.growthPercent)}%); peak RSS ${memory.peakRssMB.toFixed(1)} MB.`,
    ],
  };
  return [table, memoryTable];
}

function graphModelTables(run: SectionRun<NonNullable<BenchResults['graphModels']>['data']>): Table[] {
  const conversion: Table = { title: 'GraphModels from npm: conversion (convertModel, seconds)', header: ['model', 'TF nodes', 'ONNX nodes', 'ONNX MB', 'seconds', 'reps'], rows: [], notes: [] };
  const inference: Table = { title: 'GraphModels from npm: images/s, tfjs-converter execute vs onnxruntime', header: ['model', 'path', 'batch', 'images/s', '× tfjs'], rows: [], notes: [] };
  if (!run.data) return [failed(conversion, run)];
  const engines = new Map<string, string>();
  for (const row of run.data.rows) {
    conversion.rows.push([row.model, String(row.tfNodes), String(row.onnxNodes), (row.onnxBytes / 2 ** 20).toFixed(2), formatSpread(row.conversionSeconds), String(row.conversionSeconds.repetitions)]);
    conversion.notes.push(`${row.model}: ${row.architecture}.`);
    for (const point of row.throughput) {
      engines.set(point.path, point.engine);
      inference.rows.push([row.model, point.path, String(point.batch), formatSpread(point.imagesPerSecond), point.path === 'tfjs' ? '1' : formatSpread(point.speedupOverTfjs)]);
    }
  }
  conversion.notes.unshift(`Models shipped in ${run.data.source}; first conversion of each is an untimed warm-up. Figures: median (min–max).`);
  inference.notes.push(`Paths: ${[...engines].map(([path, engine]) => `${path} = ${engine}`).join('; ')}. Batch ${run.data.batchSizes.join(' and ')}; models whose graph fixes batch 1 are measured at batch 1 only.`);
  inference.notes.push('Seeded random inputs; each repetition times the three paths back to back, × tfjs is paired per repetition.');
  return [conversion, inference];
}

function cliTable(run: SectionRun<NonNullable<BenchResults['cli']>['data']>): Table {
  const table: Table = { title: 'CLI start-up (ms, spawn to exit)', header: ['command', 'ms', '× bare node', `under ${run.data?.goalMs ?? 300} ms`], rows: [], notes: [] };
  if (!run.data) return failed(table, run);
  for (const row of run.data.rows) table.rows.push([row.command, formatSpread(row.ms), formatSpread(row.overNode), row.underGoal ? 'yes' : 'no']);
  table.notes.push(`Bare \`node -e ""\` on the same machine: ${formatSpread(run.data.nodeMs)} ms. Median (min–max) over ${run.data.nodeMs.repetitions} round-robin rounds; × bare node is paired per round.`);
  return table;
}

function memoryTable(results: BenchResults): Table {
  const table: Table = { title: 'Peak resident memory per section', header: ['section', 'seconds', 'section process MB', 'processes it started (peak MB)'], rows: [], notes: [] };
  for (const name of ['models', ...results.sections] as const) {
    const run = results[name];
    if (!run) continue;
    const children = groupByCommand(run.childProcesses).map(({ command, count, peakRssMB }) => `${command}${count > 1 ? ` ×${count}` : ''}: ${peakRssMB.toFixed(0)}`).join('; ');
    table.rows.push([name, run.seconds.toFixed(1), run.peakRssMB.toFixed(0), children || '—']);
  }
  table.notes.push('Each section runs in its own process: its peak is getrusage maxrss at the end; the processes it starts (servers, in the order started) are sampled for VmHWM every 200 ms.');
  table.notes.push('The serving section\'s own process is the load generator (autocannon); the servers are the processes it started, the last one being the server whose growth is measured.');
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

function failed(table: Table, run: SectionRun<unknown>): Table {
  table.notes.push(`failed: ${run.error ?? 'no data'}`);
  return table;
}

// ---- formatting --------------------------------------------------------------------------------

/** Three significant figures at most, thousands separated: enough for noisy figures, short in a table. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 10) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  if (magnitude === 0) return '0';
  return value.toPrecision(3);
}

export function formatSpread(value: Spread): string {
  return `${formatNumber(value.median)} (${formatNumber(value.min)}–${formatNumber(value.max)})`;
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
}

/** The run's scratch directory as <scratch>/, whether recorded as scratch/… (bench/paths.ts) or absolute (older results). */
function shortPath(file: string): string {
  return file.replace(/^(?:.*\/tfjs-onnx-bench-[^/]+|scratch)\//, '<scratch>/');
}

// ---- rendering ---------------------------------------------------------------------------------

export function renderText(tables: Table[]): string {
  return tables.map((table) => {
    const widths = table.header.map((title, column) => Math.max(title.length, ...table.rows.map((row) => (row[column] ?? '').length)));
    const line = (cells: string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd();
    return [`== ${table.title}`, line(table.header), line(widths.map((width) => '-'.repeat(width))), ...table.rows.map(line), ...table.notes.map((note) => `   ${note}`)].join('\n');
  }).join('\n\n');
}

export function renderMarkdown(tables: Table[]): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return tables.map((table) => {
    const lines = [`### ${table.title}`, '', `| ${table.header.map(escape).join(' | ')} |`, `|${table.header.map(() => '---').join('|')}|`, ...table.rows.map((row) => `| ${row.map(escape).join(' | ')} |`)];
    if (table.notes.length > 0) lines.push('', ...table.notes.map((note) => `- ${note}`));
    return lines.join('\n');
  }).join('\n\n');
}

/** The README with the text between the result markers replaced; the markers must both be there. */
export function replaceResultsSection(readme: string, markdown: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`bench/README.md lacks the markers ${README_START} … ${README_END}`);
  return `${readme.slice(0, start + README_START.length)}\n\n${markdown}\n\n${readme.slice(end)}`;
}

export function resultsSection(readme: string): string | undefined {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + README_START.length, end).trim();
}
