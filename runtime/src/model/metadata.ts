/**
 * Reads what onnxruntime's JS API does not tell us about a model: whether the bytes are an ONNX
 * ModelProto at all, and its metadata_props (ModelProto field 14, StringStringEntryProto key=1 value=2).
 *
 * Only the top level of the message is walked (plus the small metadata entries), so a large graph
 * costs one skip. The wire format is read here rather than with protobufjs: protobufjs is
 * CommonJS, and a CommonJS module in the browser entry makes bundlers (Vite/Rolldown) hoist their
 * `require` shim into the page's own chunk, which onnxruntime-web's chunk then imports — and its
 * worker threads load that chunk, run the page's code and die, so multi-threaded WebAssembly hung.
 */
import { ModelLoadError } from '../errors.js';

const MODEL_IR_VERSION = 1;
const MODEL_GRAPH = 7;
const MODEL_METADATA_PROPS = 14;
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;
const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

interface ProtoField {
  fieldNumber: number;
  wireType: number;
  /** The payload of a length-delimited field (a view, not a copy). */
  bytes?: Uint8Array;
}

/** A wire-format error; the callers turn it into a ModelLoadError naming the model. */
class WireError extends Error {}

/**
 * Checks that `bytes` look like an ONNX model (ir_version and graph present, nothing truncated)
 * and returns its metadata_props. `name` is used in messages (a file path, URL or "the in-memory model").
 */
export function readModelMetadata(bytes: Uint8Array, name: string): Map<string, string> {
  if (bytes.length === 0) throw new ModelLoadError(`${name} is empty; expected an ONNX model (.onnx protobuf)`);
  const fields = parseModel(bytes, name);
  const hasIrVersion = fields.some((f) => f.fieldNumber === MODEL_IR_VERSION && f.wireType === VARINT);
  const hasGraph = fields.some((f) => f.fieldNumber === MODEL_GRAPH && f.wireType === LENGTH_DELIMITED);
  if (!hasIrVersion || !hasGraph) {
    throw new ModelLoadError(
      `${name} is not an ONNX model: expected a ModelProto with ir_version and graph, found ${hasIrVersion ? 'no graph' : 'no ir_version'}`,
    );
  }
  const metadata = new Map<string, string>();
  for (const field of fields) {
    if (field.fieldNumber !== MODEL_METADATA_PROPS || !field.bytes) continue;
    const [key, value] = readEntry(field.bytes, name);
    metadata.set(key, value);
  }
  return metadata;
}

/** The top-level fields of one message, in order, with the payloads of length-delimited ones. */
function readFields(bytes: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let at = 0;
  const varint = (): number => {
    // Up to 10 bytes; values past 2^53 lose precision, which only matters for lengths, checked below.
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i += 1) {
      if (at >= bytes.length) throw new WireError(`a varint runs past the end at byte ${at}`);
      const byte = bytes[at]!;
      at += 1;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    throw new WireError(`a varint is longer than 10 bytes at byte ${at}`);
  };
  const skip = (length: number) => {
    if (length > bytes.length - at) throw new WireError(`a field of ${length} bytes at byte ${at} runs past the end (${bytes.length} bytes)`);
    at += length;
  };
  while (at < bytes.length) {
    const start = at;
    const tag = varint();
    const fieldNumber = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (fieldNumber === 0) throw new WireError(`field number 0 at byte ${start}`);
    if (wireType === VARINT) varint();
    else if (wireType === FIXED64) skip(8);
    else if (wireType === FIXED32) skip(4);
    else if (wireType === LENGTH_DELIMITED) {
      const length = varint();
      const from = at;
      skip(length);
      fields.push({ fieldNumber, wireType, bytes: bytes.subarray(from, at) });
      continue;
    } else throw new WireError(`wire type ${wireType} at byte ${start} (groups and unknown types are not ONNX)`);
    fields.push({ fieldNumber, wireType });
  }
  return fields;
}

function parseModel(bytes: Uint8Array, name: string): ProtoField[] {
  try {
    return readFields(bytes);
  } catch (error) {
    if (!(error instanceof WireError)) throw error;
    throw new ModelLoadError(`${name} is not a valid ONNX model (truncated or not protobuf: ${error.message})`, { cause: error });
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

function readEntry(bytes: Uint8Array, name: string): [string, string] {
  let key = '';
  let value = '';
  try {
    for (const field of readFields(bytes)) {
      if (field.fieldNumber === ENTRY_KEY && field.bytes) key = utf8.decode(field.bytes);
      if (field.fieldNumber === ENTRY_VALUE && field.bytes) value = utf8.decode(field.bytes);
    }
  } catch (error) {
    if (!(error instanceof WireError)) throw error;
    throw new ModelLoadError(`${name} has a malformed metadata_props entry: ${error.message}`, { cause: error });
  }
  return [key, value];
}
