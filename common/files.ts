import { createHash, randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import { OutputError, describeError } from './errors.ts';

/**
 * Writes a file so that readers see either the old content or the complete new one, never a
 * half-written file: the bytes go to a temporary name in the same directory, then a rename
 * (atomic on POSIX file systems) puts them in place.
 */
export async function writeFileAtomic(filePath: string, data: string | Uint8Array): Promise<void> {
  const directory = path.dirname(filePath);
  await ensureDirectory(directory);
  const temporary = path.join(directory, `.${path.basename(filePath)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await fs.writeFile(temporary, data);
    await fs.rename(temporary, filePath);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw new OutputError(`cannot write ${filePath}: ${describeError(error)}`, { cause: error });
  }
}

/** Writes JSON with two-space indentation, atomically. */
export async function writeJsonAtomic(filePath: string, value: unknown): Promise<void> {
  await writeFileAtomic(filePath, JSON.stringify(value, null, 2) + '\n');
}

/** Creates a directory (and parents), turning permission problems into a clear OutputError. */
export async function ensureDirectory(directory: string): Promise<void> {
  try {
    await fs.mkdir(directory, { recursive: true });
    await fs.access(directory, fsConstants.W_OK);
  } catch (error) {
    throw new OutputError(`cannot write to directory ${directory}: ${describeError(error)}`, { cause: error });
  }
}

/** sha256 of several files' bytes in the given order, as hex. */
export async function sha256OfFiles(filePaths: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const filePath of filePaths) hash.update(await fs.readFile(filePath));
  return hash.digest('hex');
}

export function sha256OfBytes(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
