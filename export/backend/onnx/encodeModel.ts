/**
 * Turns the built graph into ONNX ModelProto bytes with onnx-proto (protobufjs code generated
 * from the official onnx.proto), so the wire format is never written by hand.
 */
import onnxProto from 'onnx-proto';
import type { AttributeValue, ElementType, GraphBuilder, GraphNode, GraphValueInfo, Initializer } from '../graph/graphBuilder.ts';
import { elementTypeCodes } from './dataTypes.ts';

const { onnx } = onnxProto;
type Proto = typeof onnx;

/** IR version 8 (ONNX 1.10+) covers opsets 13–17 and is read by every current runtime. */
export const IR_VERSION = 8;

export interface ModelDescription {
  opset: number;
  graphName: string;
  producerName: string;
  producerVersion: string;
  docString: string;
  metadata: Record<string, string>;
}

export function encodeModel(graph: GraphBuilder, description: ModelDescription): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: description.opset }],
    producerName: description.producerName,
    producerVersion: description.producerVersion,
    docString: description.docString,
    graph: encodeGraph(graph, description.graphName),
    metadataProps: Object.entries(description.metadata).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}

function encodeGraph(graph: GraphBuilder, name: string): ReturnType<Proto['GraphProto']['create']> {
  return onnx.GraphProto.create({
    name,
    node: graph.nodes.map(encodeNode),
    initializer: graph.initializers.map(encodeInitializer),
    input: graph.inputs.map(encodeValueInfo),
    output: graph.outputs.map(encodeValueInfo),
  });
}

/** Little-endian writers per element type (float16 values are already bit patterns). */
const elementWriters: Record<
  Exclude<ElementType, 'string'>,
  { bytes: number; write: (view: DataView, offset: number, value: number | bigint) => void }
> = {
  float32: { bytes: 4, write: (v, o, x) => v.setFloat32(o, x as number, true) },
  float16: { bytes: 2, write: (v, o, x) => v.setUint16(o, x as number, true) },
  float64: { bytes: 8, write: (v, o, x) => v.setFloat64(o, x as number, true) },
  int8: { bytes: 1, write: (v, o, x) => v.setInt8(o, x as number) },
  uint8: { bytes: 1, write: (v, o, x) => v.setUint8(o, x as number) },
  bool: { bytes: 1, write: (v, o, x) => v.setUint8(o, x ? 1 : 0) },
  int16: { bytes: 2, write: (v, o, x) => v.setInt16(o, x as number, true) },
  uint16: { bytes: 2, write: (v, o, x) => v.setUint16(o, x as number, true) },
  int32: { bytes: 4, write: (v, o, x) => v.setInt32(o, x as number, true) },
  int64: { bytes: 8, write: (v, o, x) => v.setBigInt64(o, BigInt(x), true) },
};

function encodeNode(node: GraphNode): ReturnType<Proto['NodeProto']['create']> {
  return onnx.NodeProto.create({
    name: node.name,
    opType: node.opType,
    input: node.inputs,
    output: node.outputs,
    attribute: Object.entries(node.attributes).map(([name, value]) => encodeAttribute(name, value)),
  });
}

function encodeAttribute(name: string, value: AttributeValue): ReturnType<Proto['AttributeProto']['create']> {
  const types = onnx.AttributeProto.AttributeType;
  switch (value.kind) {
    case 'int':
      return onnx.AttributeProto.create({ name, type: types.INT, i: value.value });
    case 'ints':
      return onnx.AttributeProto.create({ name, type: types.INTS, ints: value.value });
    case 'float':
      return onnx.AttributeProto.create({ name, type: types.FLOAT, f: value.value });
    case 'floats':
      return onnx.AttributeProto.create({ name, type: types.FLOATS, floats: value.value });
    case 'string':
      return onnx.AttributeProto.create({ name, type: types.STRING, s: new TextEncoder().encode(value.value) });
    case 'strings':
      return onnx.AttributeProto.create({ name, type: types.STRINGS, strings: value.value.map((item) => new TextEncoder().encode(item)) });
    case 'graph':
      return onnx.AttributeProto.create({ name, type: types.GRAPH, g: encodeGraph(value.value, name) });
  }
}

/** Initializers are stored as raw little-endian bytes, ONNX's compact form (strings as string_data, which has no raw form). */
function encodeInitializer(initializer: Initializer): ReturnType<Proto['TensorProto']['create']> {
  const { values, dataType } = initializer;
  const common = { name: initializer.name, dims: initializer.dims, dataType: elementTypeCodes[dataType] };
  if (dataType === 'string' || Array.isArray(values)) {
    const encoder = new TextEncoder();
    return onnx.TensorProto.create({ ...common, stringData: (values as string[]).map((value) => encoder.encode(value)) });
  }
  const writer = elementWriters[dataType];
  const bytes = new Uint8Array(values.length * writer.bytes);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) writer.write(view, i * writer.bytes, values[i]);
  return onnx.TensorProto.create({ ...common, rawData: bytes });
}

function encodeValueInfo(info: GraphValueInfo): ReturnType<Proto['ValueInfoProto']['create']> {
  const tensorType = {
    elemType: elementTypeCodes[info.elementType],
    shape: { dim: info.shape.map((size) => (typeof size === 'number' ? { dimValue: size } : size === null ? {} : { dimParam: size })) },
  };
  // A sequence's elements may differ in shape, so only their element type is declared.
  const type = info.sequence ? { sequenceType: { elemType: { tensorType: { elemType: tensorType.elemType } } } } : { tensorType };
  return onnx.ValueInfoProto.create({ name: info.name, type });
}
