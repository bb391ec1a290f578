/** Model sources every platform understands: bytes in memory, and http(s) URLs through fetch. */
import { describeError, ModelLoadError } from './errors.js';
import type { ModelBytes } from './classifier.js';

export function fromMemory(source: Uint8Array | ArrayBuffer): ModelBytes {
  const bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
  return { bytes, name: 'the in-memory model' };
}

export async function fetchModel(url: string): Promise<ModelBytes> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new ModelLoadError(`cannot fetch the model from ${url}: ${describeError(error)}`, { cause: error });
  }
  if (!response.ok) throw new ModelLoadError(`cannot fetch the model from ${url}: HTTP ${response.status} ${response.statusText}`);
  return { bytes: new Uint8Array(await response.arrayBuffer()), name: url };
}

export function invalidSource(source: unknown): ModelLoadError {
  const kind = source === null ? 'null' : typeof source === 'object' ? (source as object).constructor?.name ?? 'object' : typeof source;
  return new ModelLoadError(`the model source is ${kind}; expected a file path, a URL, a Uint8Array or an ArrayBuffer`);
}
