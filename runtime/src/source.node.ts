/** Node model sources: file paths and file: URLs are read from disk, http(s) URLs fetched. */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ModelBytes } from './classifier.js';
import { ModelLoadError } from './errors.js';
import { fetchModel, fromMemory, invalidSource } from './source.js';
import type { ModelSource } from './types.js';

export async function readModelNode(source: ModelSource): Promise<ModelBytes> {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return fromMemory(source);
  if (source instanceof URL) return source.protocol === 'file:' ? readModelFile(fileURLToPath(source)) : fetchModel(source.href);
  if (typeof source !== 'string') throw invalidSource(source);
  if (/^https?:\/\//i.test(source)) return fetchModel(source);
  if (/^file:\/\//i.test(source)) return readModelFile(fileURLToPath(source));
  return readModelFile(source);
}

async function readModelFile(path: string): Promise<ModelBytes> {
  try {
    return { bytes: new Uint8Array(await readFile(path)), name: path };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new ModelLoadError(`cannot read the model file ${path}: ${reason}`, { cause: error });
  }
}
