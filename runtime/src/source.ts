/** Sources every platform understands: bytes in memory, and http(s) URLs through fetch. */
import { describeError, ModelLoadError } from './errors.js';
import { variantUrl } from './model/variants.js';
import type { ModelBytes } from './platform.js';
import type { ModelDtype } from './types.js';

export function fromMemory(source: Uint8Array | ArrayBuffer): ModelBytes {
  const bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
  return { bytes, name: 'the in-memory model' };
}

/**
 * Fetches `url` and reads at most `maxBytes` of its body (a Content-Length over the bound is
 * refused before reading). Failures are reported through `fail(message)`, which picks the error type.
 */
export async function fetchBytes(
  url: string,
  what: string,
  fail: (message: string, cause?: unknown) => Error,
  maxBytes = Infinity,
): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw fail(`cannot fetch ${what} from ${url}: ${describeError(error)}`, error);
  }
  if (!response.ok) throw fail(`cannot fetch ${what} from ${url}: HTTP ${response.status} ${response.statusText}`);
  const declared = Number(response.headers.get('content-length'));
  const tooLarge = () => fail(`${what} at ${url} is larger than ${maxBytes} bytes`);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (maxBytes === Infinity || !response.body) return new Uint8Array(await response.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let length = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.length;
    if (length > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

export async function fetchModel(url: string, dtype: ModelDtype | undefined): Promise<ModelBytes> {
  const target = variantUrl(url, dtype);
  const bytes = await fetchBytes(
    target,
    dtype ? `the ${dtype} model` : 'the model',
    (message, cause) => new ModelLoadError(message, { cause }),
  );
  return { bytes, name: target };
}

export function invalidSource(source: unknown): ModelLoadError {
  const kind = source === null ? 'null' : typeof source === 'object' ? ((source as object).constructor?.name ?? 'object') : typeof source;
  return new ModelLoadError(`the model source is ${kind}; expected a file path, a URL, a Uint8Array or an ArrayBuffer`);
}
