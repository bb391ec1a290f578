/**
 * Readings from Linux's /proc: a process's current (VmRSS) and peak (VmHWM) resident set and the
 * CPU time it has used, and a sampler that follows every process a section starts (servers, for instance), whose peak
 * the section's own getrusage cannot see.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** A VmRSS/VmHWM-style field of /proc/<pid>/status in MB (the file gives kB). */
export function readStatusMB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kB = parseStatusField(status, field);
  if (kB === undefined) throw new Error(`/proc/${pid}/status has no ${field} line`);
  return Math.round((kB / 1024) * 10) / 10;
}

export function parseStatusField(status: string, field: string): number | undefined {
  const match = new RegExp(`^${field}:\\s*(\\d+)\\s*kB`, 'm').exec(status);
  return match ? Number(match[1]) : undefined;
}

export interface ProcessPeak {
  command: string;
  peakRssMB: number;
}

/**
 * Every `intervalMs`, finds the descendants of `rootPid` and reads their VmHWM. VmHWM only grows,
 * so the last reading before a process exits is its peak, missing at most the final interval.
 * Where /proc does not exist the sampler finds nothing.
 */
export function sampleDescendantPeaks(rootPid: number, intervalMs = 200): { stop(): ProcessPeak[] } {
  const peaks = new Map<number, ProcessPeak>();
  const sample = () => {
    for (const pid of descendantsOf(rootPid)) {
      try {
        const peakRssMB = readStatusMB(pid, 'VmHWM');
        const known = peaks.get(pid);
        if (known) known.peakRssMB = Math.max(known.peakRssMB, peakRssMB);
        else peaks.set(pid, { command: commandOf(pid), peakRssMB });
      } catch {
        // The process ended between listing and reading: its last sample stands.
      }
    }
  };
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return [...peaks.values()].filter((peak) => !isCompilerService(peak.command));
    },
  };
}

function descendantsOf(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  for (const entry of entries) {
    const parent = parentOf(Number(entry));
    if (parent === undefined) continue;
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent)!.push(Number(entry));
  }
  const found: number[] = [];
  const queue = [...(children.get(rootPid) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** The parent pid from /proc/<pid>/stat. */
function parentOf(pid: number): number | undefined {
  try {
    return Number(statFields(pid)[1]);
  } catch {
    return undefined;
  }
}

/**
 * /proc/<pid>/stat from its third field (the state) on: the command name before it may hold spaces
 * and parentheses, so the fields are read after the last ')'.
 */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Clock ticks per second of /proc's CPU times (USER_HZ; 100 on every Linux build in use). */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds the process has used so far, user and system, all its threads (utime + stime of /proc/<pid>/stat). */
export function readCpuSeconds(pid: number): number {
  const fields = statFields(pid);
  // utime and stime are fields 14 and 15 of the file: 11 and 12 counted from the state.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** The command line with directories dropped from paths, short enough for a table. */
function commandOf(pid: number): string {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return shortCommand(args);
  } catch {
    return `pid ${pid}`;
  }
}

export function shortCommand(args: string[]): string {
  return args
    .slice(1)
    .filter((arg) => arg !== '--import' && arg !== 'tsx')
    .map((arg) => (arg.includes('/') ? path.basename(arg) : arg))
    .join(' ');
}

/** tsx's esbuild service compiles TypeScript for the section; it is tooling, not what is measured. */
function isCompilerService(command: string): boolean {
  return /^--service=/.test(command) || command.includes('esbuild');
}
