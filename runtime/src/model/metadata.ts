/**
 * Reads what onnxruntime's JS API does not tell us about a model: whether the bytes are an ONNX
 * ModelProto at all, and its metadata_props (ModelProto field 14, StringStringEntryProto key=1 value=2).
 */
import protobuf from 'protobufjs/minimal.js';
import { ModelLoadError } from '../errors.js';

const MODEL_IR_VERSION = 1;
const MODEL_GRAPH = 7;
const MODEL_METADATA_PROPS = 14;
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;
const VARINT = 0;
const LENGTH_DELIMITED = 2;

interface ProtoField {
  fieldNumber: number;
  wireType: number;
  /** The payload of a length-delimited field. */
  bytes?: Uint8Array;
}

/**
 * Checks that `bytes` look like an ONNX model (ir_version and graph present, nothing truncated)
 * and returns its metadata_props. `name` is used in messages (a file path, URL or "model bytes").
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

/**
 * The top-level fields of one message, in order, with the payloads of length-delimited ones.
 * protobufjs's Reader does the wire format (and throws on truncation); only the fields we need
 * are kept, so a large graph costs one skip rather than a full decode.
 */
function readFields(bytes: Uint8Array): ProtoField[] {
  const reader = protobuf.Reader.create(bytes);
  const fields: ProtoField[] = [];
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const fieldNumber = tag >>> 3;
    const wireType = tag & 7;
    if (fieldNumber === 0) throw new Error(`field number 0 at byte ${reader.pos}`);
    if (wireType === LENGTH_DELIMITED) fields.push({ fieldNumber, wireType, bytes: reader.bytes() });
    else {
      reader.skipType(wireType);
      fields.push({ fieldNumber, wireType });
    }
  }
  return fields;
}

function parseModel(bytes: Uint8Array, name: string): ProtoField[] {
  try {
    return readFields(bytes);
  } catch (error) {
    throw new ModelLoadError(`${name} is not a valid ONNX model (truncated or not protobuf: ${(error as Error).message})`, { cause: error });
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
    throw new ModelLoadError(`${name} has a malformed metadata_props entry: ${(error as Error).message}`, { cause: error });
  }
  return [key, value];
}
