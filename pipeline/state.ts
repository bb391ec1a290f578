/**
 * What the last run of each stage consumed and produced, by hash, so a stage whose inputs
 * and outputs are unchanged is skipped on the next run (unless --force).
 */
import { existsSync, promises as fs } from 'node:fs';
import { sha256OfBytes, writeJsonAtomic } from '../common/files.ts';

export interface StageRecord {
  inputHash: string;
  outputs: Record<string, string>;
  figure: string;
  seconds: number;
}

export type PipelineState = Record<string, StageRecord>;

export async function readState(filePath: string): Promise<PipelineState> {
  try {
    return JSON.parse(await fs.readFile(filePath, 'utf8')) as PipelineState;
  } catch {
    // No state or an unreadable one: every stage simply runs.
    return {};
  }
}

export async function writeState(filePath: string, state: PipelineState): Promise<void> {
  await writeJsonAtomic(filePath, state);
}

/** sha256 of a file's bytes, or undefined when it does not exist. */
export async function hashFile(filePath: string): Promise<string | undefined> {
  if (!existsSync(filePath)) return undefined;
  return sha256OfBytes(await fs.readFile(filePath));
}

/** One hash over a stage's settings and the contents of its input files. */
export async function hashInputs(settings: unknown, files: string[]): Promise<string> {
  const fileHashes = await Promise.all(files.map(async (file) => [file, (await hashFile(file)) ?? 'missing']));
  return sha256OfBytes(JSON.stringify({ settings, fileHashes }));
}

/** True when every recorded output still exists with the recorded content. */
export async function outputsIntact(record: StageRecord): Promise<boolean> {
  for (const [file, hash] of Object.entries(record.outputs)) {
    if ((await hashFile(file)) !== hash) return false;
  }
  return true;
}
