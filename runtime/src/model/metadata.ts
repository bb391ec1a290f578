/**
 * Reads what onnxruntime's JS API does not tell us about a model: whether the bytes are an ONNX
 * ModelProto at all, and its metadata_props (ModelProto field 14, StringStringEntryProto key=1 value=2).
 *
 * Only the top level of the message is walked (plus the small metadata entries), so a large graph
 * costs one skip. The wire format is read with @bufbuild/protobuf's BinaryReader, an ES module:
 * protobufjs is CommonJS, and a CommonJS module in the browser entry makes bundlers (Vite/Rolldown)
 * hoist their `require` shim into the page's own chunk, which onnxruntime-web's chunk then imports —
 * and its worker threads load that chunk, run the page's code and die, so multi-threaded
 * WebAssembly hung.
 */
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { ModelLoadError } from '../errors.js';

const MODEL_IR_VERSION = 1;
const MODEL_GRAPH = 7;
const MODEL_METADATA_PROPS = 14;
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;

export interface ProtoField {
  fieldNumber: number;
  wireType: WireType;
  /** The payload of a length-delimited field (a view, not a copy). */
  bytes?: Uint8Array;
  /** The value of a varint field. */
  varint?: number;
}

/**
 * Checks that `bytes` look like an ONNX model (ir_version and graph present, nothing truncated)
 * and returns its metadata_props. `name` is used in messages (a file path, URL or "the in-memory model").
 */
export function readModelMetadata(bytes: Uint8Array, name: string): Map<string, string> {
  if (bytes.length === 0) throw new ModelLoadError(`${name} is empty; expected an ONNX model (.onnx protobuf)`);
  const fields = parseModel(bytes, name);
  const hasIrVersion = fields.some((f) => f.fieldNumber === MODEL_IR_VERSION && f.wireType === WireType.Varint);
  const hasGraph = fields.some((f) => f.fieldNumber === MODEL_GRAPH && f.wireType === WireType.LengthDelimited);
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

/** The top-level fields of one message, in order, with the payloads of length-delimited ones and the values of varints. */
export function readFields(bytes: Uint8Array): ProtoField[] {
  const reader = new BinaryReader(bytes);
  const fields: ProtoField[] = [];
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const [fieldNumber, wireType] = reader.tag();
    if (fieldNumber === 0) throw new Error(`field number 0 at byte ${start}`);
    if (wireType === WireType.StartGroup || wireType === WireType.EndGroup) {
      throw new Error(`wire type ${wireType} at byte ${start} (groups are not ONNX)`);
    }
    if (wireType === WireType.LengthDelimited) fields.push({ fieldNumber, wireType, bytes: reader.bytes() });
    else if (wireType === WireType.Varint) fields.push({ fieldNumber, wireType, varint: Number(reader.int64()) });
    else {
      reader.skip(wireType, fieldNumber);
      fields.push({ fieldNumber, wireType });
    }
  }
  return fields;
}

function parseModel(bytes: Uint8Array, name: string): ProtoField[] {
  try {
    return readFields(bytes);
  } catch (error) {
    throw new ModelLoadError(`${name} is not a valid ONNX model (truncated or not protobuf: ${describeWireError(error)})`, {
      cause: error,
    });
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
    throw new ModelLoadError(`${name} has a malformed metadata_props entry: ${describeWireError(error)}`, { cause: error });
  }
  return [key, value];
}

/** BinaryReader's own messages ("premature EOF", "invalid wire type") are terse but accurate. */
function describeWireError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
