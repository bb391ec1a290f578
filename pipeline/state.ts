/**
 * What the last run of each stage consumed and produced, by hash, so a stage whose inputs
 * and outputs are unchanged is skipped on the next run (unless --force).
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { sha256OfBytes, writeJsonAtomic } from '../common/files.ts';

export interface StageRecord {
  inputHash: string;
  /** sha256 of each file the stage wrote, by its path relative to the artifacts folder (no artifact holds an absolute path). */
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

/** The record of a stage's outputs: their hashes by path relative to the artifacts folder. */
export async function hashOutputs(files: string[], artifactsFolder: string): Promise<Record<string, string>> {
  return Object.fromEntries(
    await Promise.all(files.map(async (file) => [path.relative(artifactsFolder, file), (await hashFile(file)) ?? 'missing'])),
  );
}

/** True when every recorded output still exists in the artifacts folder with the recorded content. */
export async function outputsIntact(record: StageRecord, artifactsFolder: string): Promise<boolean> {
  for (const [file, hash] of Object.entries(record.outputs)) {
    if ((await hashFile(path.resolve(artifactsFolder, file))) !== hash) return false;
  }
  return true;
}
