/**
 * Replacing several entries of one folder (files or folders, such as `train`'s OUT/tfjs/ and
 * OUT/metrics.json) as one, so that a kill -9 at any moment leaves either the old set or the new
 * set, never a mix:
 *
 * 1. every new entry is written under OUT/.replace-<pid>-<id>.staging/new/;
 * 2. the staging folder is renamed to .replace-<pid>-<id>.committed — the one atomic step at
 *    which the new set becomes the result;
 * 3. the entries are moved into place (a folder's predecessor first moved aside into the
 *    committed folder's old/), then the committed folder is removed.
 *
 * A process killed before step 2 leaves a staging folder, which the next run deletes (the old set
 * stays); killed after it, a committed folder, whose remaining moves the next run replays (the
 * new set wins). `recoverInterruptedReplacements` does both and runs before every replacement;
 * callers such as `train` also run it first thing, so a killed run is repaired at the next start.
 * Folders of a process that is still running are left alone.
 *
 * For tests, TFJS_ONNX_TEST_KILL_AT=<step> makes the process kill itself (SIGKILL, no cleanup) at
 * that step: 'staged', 'committed', 'retired:<name>', 'replaced:<name>'.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { OutputError, describeError } from './errors.ts';

export interface Replacement {
  /** The entry's name inside the folder, e.g. 'tfjs' or 'metrics.json'. */
  name: string;
  kind: 'file' | 'directory';
  /** Writes the new entry at `target` (a path that does not exist yet: a file, or a folder to create). */
  write(target: string): Promise<void>;
}

const PREFIX = '.replace-';
const STAGING = '.staging';
const COMMITTED = '.committed';

/** Replaces the entries of `directory` named by `replacements` as one (see the module comment). */
export async function replaceTogether(directory: string, replacements: Replacement[]): Promise<void> {
  await recoverInterruptedReplacements(directory);
  await checkReplaceable(directory, replacements);
  const id = `${PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`;
  const staging = path.join(directory, id + STAGING);
  const committed = path.join(directory, id + COMMITTED);
  try {
    await fs.mkdir(path.join(staging, 'new'), { recursive: true });
    for (const replacement of replacements) await replacement.write(path.join(staging, 'new', replacement.name));
    killPoint('staged');
    await fs.rename(staging, committed);
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    throw error instanceof OutputError
      ? error
      : new OutputError(`cannot write ${describeTargets(directory, replacements)}: ${describeError(error)}`, { cause: error });
  }
  killPoint('committed');
  try {
    await applyCommitted(directory, committed);
  } catch (error) {
    throw new OutputError(
      `cannot move ${describeTargets(directory, replacements)} into place (the next run finishes the move): ${describeError(error)}`,
      { cause: error },
    );
  }
}

/**
 * Finishes or discards replacements of `directory` that a killed process left: committed ones are
 * moved into place, uncommitted staging is deleted. Also restores the model folder an earlier
 * version of this tool left aside as `.<name>.<id>.old` when it was killed mid-swap.
 */
export async function recoverInterruptedReplacements(directory: string): Promise<void> {
  const entries = await fs.readdir(directory).catch(() => [] as string[]);
  for (const entry of entries) {
    const full = path.join(directory, entry);
    const owner = /^\.replace-(\d+)-[0-9a-f]+\.(staging|committed)$/.exec(entry);
    if (owner) {
      if (isRunning(Number(owner[1]))) continue;
      if (owner[2] === 'committed') await applyCommitted(directory, full);
      else await fs.rm(full, { recursive: true, force: true });
      continue;
    }
    const legacy = /^\.(.+)\.[0-9a-f]{12}\.(tmp|old)$/.exec(entry);
    if (legacy && (await isDirectory(full))) {
      const target = path.join(directory, legacy[1]);
      if (legacy[2] === 'old' && !(await exists(target))) await fs.rename(full, target);
      else await fs.rm(full, { recursive: true, force: true });
    }
  }
}

/** Moves a committed folder's new entries into place; safe to repeat after an interruption at any point. */
async function applyCommitted(directory: string, committed: string): Promise<void> {
  const incoming = path.join(committed, 'new');
  const retired = path.join(committed, 'old');
  for (const name of await fs.readdir(incoming).catch(() => [] as string[])) {
    const source = path.join(incoming, name);
    const target = path.join(directory, name);
    if (await isDirectory(source)) {
      // A folder cannot be renamed over a non-empty one: the predecessor moves aside first.
      // If the move aside already happened (an interrupted run), the target is simply absent.
      if (await exists(target)) {
        await fs.mkdir(retired, { recursive: true });
        await fs.rename(target, path.join(retired, name));
        killPoint(`retired:${name}`);
      }
    }
    // For a file this one rename replaces the predecessor atomically.
    await fs.rename(source, target);
    killPoint(`replaced:${name}`);
  }
  await fs.rm(committed, { recursive: true, force: true });
}

/** Refuses entries whose target exists as the other kind (a file where a folder goes, or the reverse), before any work is done. */
export async function checkReplaceable(directory: string, entries: readonly Pick<Replacement, 'name' | 'kind'>[]): Promise<void> {
  for (const { name, kind } of entries) {
    const target = path.join(directory, name);
    const stat = await fs.lstat(target).catch(() => undefined);
    if (stat && (kind === 'directory') !== stat.isDirectory()) {
      throw new OutputError(`cannot write ${target}: it exists and is not a ${kind === 'directory' ? 'directory' : 'file'}`);
    }
  }
}

function describeTargets(directory: string, replacements: Replacement[]): string {
  return replacements.map(({ name }) => path.join(directory, name)).join(' and ');
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exists(target: string): Promise<boolean> {
  return (await fs.lstat(target).catch(() => undefined)) !== undefined;
}

async function isDirectory(target: string): Promise<boolean> {
  return (await fs.lstat(target).catch(() => undefined))?.isDirectory() ?? false;
}

/** The test hook: kill -9 this process at the named step when TFJS_ONNX_TEST_KILL_AT names it. */
function killPoint(step: string): void {
  if (process.env.TFJS_ONNX_TEST_KILL_AT === step) process.kill(process.pid, 'SIGKILL');
}
