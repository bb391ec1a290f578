/**
 * What the figures were measured on: CPU model, cores, clock, vector units and the fp32 peak they
 * imply, Node and library versions, and how loaded the machine was when the run started.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { packageVersion } from '../pipeline/versions.ts';

export interface CpuInfo {
  model: string;
  /** Logical CPUs listed in /proc/cpuinfo (what onnxruntime's thread pool and the OS schedule on). */
  logicalCpus: number;
  /** Clock of the first CPU as /proc/cpuinfo reports it, MHz. */
  mhz: number;
  flags: string[];
}

export interface Fp32Peak {
  flopsPerCyclePerCore: number;
  gflops: number;
  /** The formula with its numbers, and the assumption behind FLOPs per cycle. */
  derivation: string;
}

export interface MachineDescription {
  cpu: CpuInfo;
  fp32Peak: Fp32Peak;
  memoryTotalMB: number;
  /** 1-, 5- and 15-minute load averages when the run started. */
  loadAverageAtStart: number[];
  platform: string;
  node: string;
  versions: Record<string, string>;
}

const LIBRARIES = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-node',
  'onnxruntime-node',
  'onnxruntime-web',
  '@tfjs-onnx/runtime',
  'fastify',
  'autocannon',
];

export function describeMachine(): MachineDescription {
  const cpu = readCpuInfo();
  return {
    cpu,
    fp32Peak: fp32Peak(cpu),
    memoryTotalMB: Math.round(os.totalmem() / 2 ** 20),
    loadAverageAtStart: os.loadavg().map((load) => Math.round(load * 100) / 100),
    platform: `${process.platform}-${process.arch}, kernel ${os.release()}`,
    node: process.version,
    versions: Object.fromEntries(LIBRARIES.map((name) => [name, packageVersion(name)])),
  };
}

/** /proc/cpuinfo where it exists (Linux), else what os.cpus() knows (no flags: the peak is then unknown). */
function readCpuInfo(): CpuInfo {
  try {
    return parseCpuInfo(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    const cpus = os.cpus();
    return { model: cpus[0]?.model ?? 'unknown', logicalCpus: cpus.length, mhz: cpus[0]?.speed ?? 0, flags: [] };
  }
}

export function parseCpuInfo(text: string): CpuInfo {
  const processors = text.split(/\n\s*\n/).filter((block) => /^processor\s*:/m.test(block));
  const first = processors[0] ?? '';
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(first)?.[1]?.trim();
  return {
    model: field('model name') ?? 'unknown',
    logicalCpus: processors.length,
    mhz: Number(field('cpu MHz') ?? 0),
    flags: (field('flags') ?? '').split(/\s+/).filter(Boolean),
  };
}

/**
 * FLOPs per cycle per core from the widest fp32 FMA the flags advertise, counting one FMA unit:
 * AVX-512 = 16 lanes × 2 (multiply + add) = 32, AVX2+FMA = 8 × 2 = 16, AVX without FMA = 8
 * (a multiply and an add port, 8 lanes each, counted as one), SSE2 = 4. CPUs with two FMA units
 * per core (many Xeons) peak at twice this; the flags cannot tell, so this is the conservative figure.
 */
export function flopsPerCycle(flags: string[]): { flops: number; because: string } {
  const has = (flag: string) => flags.includes(flag);
  if (has('avx512f')) return { flops: 32, because: 'avx512f: 16 fp32 lanes × 2 (FMA), one FMA unit assumed' };
  if (has('avx2') && has('fma')) return { flops: 16, because: 'avx2+fma: 8 fp32 lanes × 2 (FMA), one FMA unit assumed' };
  if (has('avx')) return { flops: 8, because: 'avx without fma: 8 fp32 lanes, one op per cycle' };
  if (has('sse2')) return { flops: 4, because: 'sse2: 4 fp32 lanes, one op per cycle' };
  return { flops: 0, because: 'no known vector flags: peak unknown' };
}

export function fp32Peak(cpu: CpuInfo): Fp32Peak {
  const { flops, because } = flopsPerCycle(cpu.flags);
  const gflops = (cpu.logicalCpus * cpu.mhz * 1e6 * flops) / 1e9;
  return {
    flopsPerCyclePerCore: flops,
    gflops: Math.round(gflops * 10) / 10,
    derivation: `${cpu.logicalCpus} logical CPUs × ${cpu.mhz} MHz × ${flops} FLOPs/cycle (${because}) = ${gflops.toFixed(1)} GFLOP/s; logical CPUs may be hyper-threads sharing one core's units, so the true peak can be lower`,
  };
}
