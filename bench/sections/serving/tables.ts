/**
 * The serving section's tables (also printed by bench/server.ts and bench/serverCpu.ts): throughput
 * per model, protocol and server; the paired batching ratios; memory per protocol; the soak; the
 * server's CPU per request. Results written before the benchmark measured protocols render as they did.
 */
import { failed, formatNumber, formatSpread, type Table } from '../../report/table.ts';
import type { SectionRun } from '../definition.ts';
import { PROTOCOLS, type ServerBenchResult, type ServerCpuResult, type ServingData, type SoakRun } from './data.ts';

export function servingTables(run: SectionRun<ServingData>): Table[] {
  if (!run.data) return [failed({ title: 'Serving', header: [], rows: [], notes: [] }, run)];
  const benchmark = run.data.benchmark as ServerBenchResult | LegacyServing['benchmark'];
  if ('schema' in benchmark && benchmark.schema === 2) return servingTablesFor(benchmark);
  return legacyServingTables(run.data as unknown as LegacyServing);
}

/** The serving benchmark's tables: throughput per model, protocol and batching; the paired batching ratios; memory; the soak. */
export function servingTablesFor(benchmark: ServerBenchResult): Table[] {
  return [
    throughputTable(benchmark),
    batchingTable(benchmark),
    memoryTable(benchmark),
    soakTable(benchmark.soak),
    ...(benchmark.cpu ? [serverCpuTable(benchmark.cpu, `${benchmark.models[0]!.name}`)] : []),
  ];
}

function throughputTable(benchmark: ServerBenchResult): Table {
  const runs = benchmark.quick
    ? `1 run of ${benchmark.settings.durationSeconds} s`
    : `median of ${benchmark.settings.repetitions} runs of ${benchmark.settings.durationSeconds} s`;
  return {
    title: 'Serving (requests/s over loopback, one image per request)',
    header: ['model', 'protocol', 'server', 'connections', 'req/s', 'p50 ms', 'p99 ms', 'failures'],
    rows: benchmark.points.map((point) => [
      point.model,
      point.protocol,
      point.server,
      String(point.connections),
      formatNumber(point.requestsPerSecond),
      formatNumber(point.latencyMs.p50),
      formatNumber(point.latencyMs.p99),
      String(point.failures),
    ]),
    notes: [
      `bench/server.ts: ${runs} per point after ${benchmark.settings.warmupSeconds} s warm-up; batching = \`serve\` defaults (--max-batch 64, no queue delay), no-batching = --max-batch 1, run alternately; tfjs baseline (JSON) on ${benchmark.environment.baselineBackend}.`,
      `Request bytes: ${PROTOCOLS.map((protocol) => `${protocol} ${benchmark.settings.requestBytes[protocol]?.toLocaleString('en-US')}`).join(', ')}. p50/p99: autocannon's whole ms for HTTP, measured per call for gRPC. The load generator shares the machine with the server.`,
    ],
  };
}

function batchingTable(benchmark: ServerBenchResult): Table {
  return {
    title: 'Dynamic batching ÷ no batching (requests/s, paired per repetition)',
    header: ['model', 'protocol', 'connections', 'ratio'],
    rows: benchmark.batching.map((entry) => [entry.model, entry.protocol, String(entry.connections), formatSpread(entry.ratio)]),
    notes: [
      'Targets: at 1 connection ≥ 0.9 (batching may cost a lone client at most 10%), at 64 connections ≥ 2 (under load it should at least double throughput).',
    ],
  };
}

function memoryTable(benchmark: ServerBenchResult): Table {
  return {
    title: 'Server memory per protocol (resident set after N requests)',
    header: [
      'protocol',
      ...benchmark.memory[0]!.checkpoints.map((checkpoint) => `RSS MB after ${checkpoint.requests.toLocaleString('en-US')}`),
      'growth MB',
      'peak MB',
    ],
    rows: benchmark.memory.map((entry) => [
      entry.protocol,
      ...entry.checkpoints.map((checkpoint) => checkpoint.rssMB.toFixed(1)),
      signed(entry.growthMB),
      entry.peakRssMB.toFixed(1),
    ]),
    notes: [`A fresh \`serve\` (defaults) per protocol on ${benchmark.models[0]!.name}, ${benchmark.memory[0]!.connections} connections.`],
  };
}

function soakTable(soak: SoakRun): Table {
  return {
    title: 'Soak (mixed good and bad requests, HTTP and gRPC together)',
    header: ['seconds', 'requests', 'bad share', 'unexpected replies', 'RSS MB, second half (first / last / max)', 'live after'],
    rows: [
      [
        String(soak.seconds),
        soak.requests.toLocaleString('en-US'),
        `${Math.round(soak.badShare * 100)}%`,
        String(soak.unexpected),
        `${soak.secondHalf.firstMB.toFixed(0)} / ${soak.secondHalf.lastMB.toFixed(0)} / ${soak.secondHalf.maxMB.toFixed(0)}`,
        soak.liveAfter ? 'yes' : 'NO',
      ],
    ],
    notes: [
      `${soak.httpConnections} HTTP + ${soak.grpcConnections} gRPC connections; bad kinds: absurd shape, lying Inference-Header-Content-Length, malformed JSON, 20000×20000 PNG header, unknown model, short and absurd gRPC raw contents. Replies by status: ${Object.entries(
        soak.byStatus,
      )
        .map(([status, count]) => `${status}: ${count.toLocaleString('en-US')}`)
        .join(', ')}.`,
      `RSS every ${soak.sampleSeconds} s (MB): ${soak.samples.map((sample) => sample.rssMB.toFixed(0)).join(' ')}.`,
    ],
  };
}

/** Server CPU-seconds per 1,000 requests per protocol (cpu.ts), with the gRPC ratios. */
export function serverCpuTable(cpu: ServerCpuResult, what: string): Table {
  return {
    title: 'Server CPU per request (load generator in its own process)',
    header: ['protocol', 'request bytes', 'server CPU-s per 1,000 requests', 'req/s (h2load)'],
    rows: cpu.protocols.map((entry) => [
      entry.protocol,
      entry.requestBytes.toLocaleString('en-US'),
      formatSpread(entry.cpuSecondsPer1000),
      formatSpread(entry.requestsPerSecond),
    ]),
    notes: [
      `${what}; \`serve ${cpu.serveFlags.join(' ')}\` (one onnxruntime run per request, no intra-op thread pool), ${cpu.loadGenerator} in its own process, ${cpu.requests.toLocaleString('en-US')} requests per run over ${cpu.connections} connections, one request at a time each; median (min–max) of ${cpu.repetitions} runs, protocols taking turns.`,
      `gRPC ÷ binary, paired per repetition: ${formatSpread(cpu.grpcOverBinary)}; gRPC ÷ JSON: ${formatSpread(cpu.grpcOverJson)}. Server CPU is utime + stime of its process (every thread) from /proc/<pid>/stat.`,
    ],
  };
}

/** results/latest.json as the serving benchmark wrote it before it measured protocols (schema 1); drop once latest.json is regenerated. */
interface LegacyServing {
  benchmark: {
    quick: boolean;
    environment: { baselineBackend: string };
    settings: { durationSeconds: number; warmupSeconds: number; repetitions: number };
    points: {
      server: string;
      connections: number;
      requestsPerSecond: number;
      latencyMs: { p50: number; p99: number; mean: number };
      failures: number;
    }[];
  };
  memory: {
    server: string;
    connections: number;
    checkpoints: { requests: number; rssMB: number }[];
    growthMB: number;
    growthPercent: number;
    peakRssMB: number;
  };
}

function legacyServingTables(data: LegacyServing): Table[] {
  const table: Table = {
    title: 'Serving (requests/s over loopback, one image per request)',
    header: ['server', 'connections', 'req/s', 'p50 ms', 'p99 ms', 'mean ms', 'failures'],
    rows: [],
    notes: [],
  };
  const { benchmark, memory } = data;
  for (const point of benchmark.points) {
    table.rows.push([
      point.server,
      String(point.connections),
      formatNumber(point.requestsPerSecond),
      String(point.latencyMs.p50),
      String(point.latencyMs.p99),
      formatNumber(point.latencyMs.mean),
      String(point.failures),
    ]);
  }
  const runs = benchmark.quick
    ? `1 run of ${benchmark.settings.durationSeconds} s`
    : `median of ${benchmark.settings.repetitions} runs of ${benchmark.settings.durationSeconds} s`;
  table.notes.push(
    `bench/server.ts on the MLP: ${runs} per point after ${benchmark.settings.warmupSeconds} s warm-up; p50/p99 in whole ms (autocannon), mean = connections ÷ req/s; tfjs baseline on ${benchmark.environment.baselineBackend}.`,
  );
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

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
}
