import { createHash, randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import { InvalidInputError, OutputError, describeError } from './errors.ts';

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
  await writeFileAtomic(filePath, `${JSON.stringify(value, null, 2)}\n`);
}

/** Creates a directory (and parents), turning permission problems into a clear OutputError. */
export async function ensureDirectory(directory: string): Promise<void> {
  try {
    await makeDirectories(directory);
    await fs.access(directory, fsConstants.W_OK);
  } catch (error) {
    throw new OutputError(`cannot write to directory ${directory}: ${describeError(error)}`, { cause: error });
  }
}

/**
 * `mkdir -p`, one level at a time from the deepest existing ancestor. Node's own
 * `mkdir(path, { recursive: true })` never returns for a path under /proc: the kernel answers
 * ENOENT for the child, Node creates the (existing) parent and retries, forever. Here an ENOENT
 * once the parent exists is the answer.
 */
async function makeDirectories(directory: string): Promise<void> {
  const missing: string[] = [];
  for (let current = path.resolve(directory); ; current = path.dirname(current)) {
    const info = await fs
      .stat(current)
      .catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
    if (info?.isDirectory()) break;
    if (info) throw new Error(`${current} exists and is not a directory`);
    missing.push(current);
    if (path.dirname(current) === current) break;
  }
  for (const level of missing.reverse()) {
    await fs.mkdir(level).catch(async (error: NodeJS.ErrnoException) => {
      // Created meanwhile by someone else: fine, if it is a directory.
      if (error.code !== 'EEXIST' || !(await fs.stat(level)).isDirectory()) throw error;
    });
  }
}

/** Reads and parses a JSON file; a missing, unreadable or broken file is an InvalidInputError naming it. */
export async function readJsonFile(filePath: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(filePath, 'utf8');
  } catch (error) {
    throw new InvalidInputError(`cannot read ${filePath}: ${describeError(error)}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(`${filePath} is not valid JSON: ${describeError(error)}`, { cause: error });
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
