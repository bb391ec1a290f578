/**
 * Node sources: model files (a path, a file: URL, or a directory / base path with `dtype`) are read
 * from disk, http(s) URLs fetched; image paths given to classify() likewise.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelLoadError, RuntimeInputError } from './errors.js';
import type { ImageLimits } from './image/limits.js';
import { VARIANT_FILES } from './constants.js';
import { variantFileName } from './model/variants.js';
import type { ModelBytes } from './platform.js';
import { fetchBytes, fetchModel, fromMemory, invalidSource } from './source.js';
import type { ModelDtype, ModelSource } from './types.js';

export async function readModelNode(source: ModelSource, dtype: ModelDtype | undefined): Promise<ModelBytes> {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return fromMemory(source);
  const location = toLocation(source);
  if (location === undefined) throw invalidSource(source);
  if (location.kind === 'url') return fetchModel(location.url, dtype);
  const { path, reason } = await variantPath(location.path, dtype);
  try {
    return { bytes: new Uint8Array(await readFile(path)), name: path };
  } catch (error) {
    throw new ModelLoadError(`cannot read the model file ${path}: ${describeFileError(error)}${reason}`, { cause: error });
  }
}

/** A path or an http(s) URL, from any string or URL a caller may give. */
type Location = { kind: 'file'; path: string } | { kind: 'url'; url: string };

function toLocation(source: unknown): Location | undefined {
  if (source instanceof URL)
    return source.protocol === 'file:' ? { kind: 'file', path: fileURLToPath(source) } : { kind: 'url', url: source.href };
  if (typeof source !== 'string') return undefined;
  if (/^https?:\/\//i.test(source)) return { kind: 'url', url: source };
  if (/^file:\/\//i.test(source)) return { kind: 'file', path: fileURLToPath(source) };
  return { kind: 'file', path: source };
}

/** Which file a path means with `dtype`: the variant inside a directory, or beside a file or base path. */
async function variantPath(path: string, dtype: ModelDtype | undefined): Promise<{ path: string; reason: string }> {
  const info = await stat(path).catch(() => undefined);
  if (info?.isDirectory()) {
    const file = VARIANT_FILES[dtype ?? 'fp32'];
    return { path: join(path, file), reason: ` (a model directory holds ${file}${dtype ? ` for dtype '${dtype}'` : ''})` };
  }
  if (dtype === undefined) return { path, reason: '' };
  const file = join(dirname(path), variantFileName(basename(path), dtype));
  return { path: file, reason: file === path ? '' : ` (dtype '${dtype}' picks ${basename(file)} beside ${path})` };
}

function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (error as Error).message;
}

/**
 * Encoded images are at most a few bytes per pixel (16-bit RGBA without compression is 8), so a
 * file above this is refused before it is read.
 */
export function maxEncodedBytes(limits: ImageLimits): number {
  return Math.ceil(limits.maxMegapixels * 1e6 * 8) + 1024 * 1024;
}

/** The bytes of an image file or URL given to classify(), or undefined when `input` is not a path or URL. */
export async function readImageFile(input: unknown, name: string, limits: ImageLimits): Promise<Uint8Array | undefined> {
  const location = toLocation(input);
  if (location === undefined) return undefined;
  const max = maxEncodedBytes(limits);
  if (location.kind === 'url')
    return fetchBytes(location.url, `${name} (an image)`, (message, cause) => new RuntimeInputError(message, { cause }), max);
  const { path } = location;
  const fail = (what: string, cause?: unknown) => new RuntimeInputError(`${name}: cannot read the image file ${path}: ${what}`, { cause });
  const info = await stat(path).catch((error: unknown) => {
    throw fail(describeFileError(error), error);
  });
  if (!info.isFile()) throw fail(info.isDirectory() ? 'it is a directory' : 'not a regular file');
  if (info.size > max)
    throw fail(`it has ${info.size} bytes, more than an image within the limits (${limits.maxMegapixels} megapixels) can have`);
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw fail(describeFileError(error), error);
  }
}
