/**
 * Reads what onnxruntime's JS API does not tell us about a model: whether the bytes are an ONNX
 * ModelProto at all, and its metadata_props (ModelProto field 14, StringStringEntryProto key=1 value=2).
 */
import { ModelLoadError } from '../errors.js';
import { ProtobufFormatError, readFields, WireType } from './protobuf.js';

const MODEL_IR_VERSION = 1;
const MODEL_GRAPH = 7;
const MODEL_METADATA_PROPS = 14;
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Checks that `bytes` look like an ONNX model (ir_version and graph present, nothing truncated)
 * and returns its metadata_props. `name` is used in messages (a file path, URL or "model bytes").
 */
export function readModelMetadata(bytes: Uint8Array, name: string): Map<string, string> {
  if (bytes.length === 0) throw new ModelLoadError(`${name} is empty; expected an ONNX model (.onnx protobuf)`);
  const fields = parseModel(bytes, name);
  const hasIrVersion = fields.some((f) => f.fieldNumber === MODEL_IR_VERSION && f.wireType === WireType.varint);
  const hasGraph = fields.some((f) => f.fieldNumber === MODEL_GRAPH && f.wireType === WireType.lengthDelimited);
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

function parseModel(bytes: Uint8Array, name: string) {
  try {
    return readFields(bytes);
  } catch (error) {
    if (!(error instanceof ProtobufFormatError)) throw error;
    throw new ModelLoadError(`${name} is not a valid ONNX model (truncated or not protobuf: ${error.message})`, { cause: error });
  }
}

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
