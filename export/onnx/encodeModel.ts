/**
 * Turns the built graph into ONNX ModelProto bytes with onnx-proto (protobufjs code generated
 * from the official onnx.proto), so the wire format is never written by hand.
 */
import onnxProto from 'onnx-proto';
import type { AttributeValue, ElementType, GraphBuilder, GraphNode, GraphValueInfo, Initializer } from '../graph/graphBuilder.ts';

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
    graph: {
      name: description.graphName,
      node: graph.nodes.map(encodeNode),
      initializer: graph.initializers.map(encodeInitializer),
      input: graph.inputs.map(encodeValueInfo),
      output: graph.outputs.map(encodeValueInfo),
    },
    metadataProps: Object.entries(description.metadata).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}

export const elementTypeCodes: Record<ElementType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float16: onnx.TensorProto.DataType.FLOAT16,
  int8: onnx.TensorProto.DataType.INT8,
  uint8: onnx.TensorProto.DataType.UINT8,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
  bool: onnx.TensorProto.DataType.BOOL,
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
  }
}

/** Initializers are stored as raw little-endian bytes, ONNX's compact form. */
function encodeInitializer(initializer: Initializer): ReturnType<Proto['TensorProto']['create']> {
  return onnx.TensorProto.create({
    name: initializer.name,
    dims: initializer.dims,
    dataType: elementTypeCodes[initializer.dataType],
    rawData: littleEndianBytes(initializer),
  });
}

function littleEndianBytes({ dataType, values }: Initializer): Uint8Array {
  const bytes = new Uint8Array(values.byteLength);
  const view = new DataView(bytes.buffer);
  const write: (index: number, value: number | bigint) => void = {
    float32: (i: number, v: number | bigint) => view.setFloat32(4 * i, v as number, true),
    float16: (i: number, v: number | bigint) => view.setUint16(2 * i, v as number, true),
    int8: (i: number, v: number | bigint) => view.setInt8(i, v as number),
    uint8: (i: number, v: number | bigint) => view.setUint8(i, v as number),
    bool: (i: number, v: number | bigint) => view.setUint8(i, v as number),
    int32: (i: number, v: number | bigint) => view.setInt32(4 * i, v as number, true),
    int64: (i: number, v: number | bigint) => view.setBigInt64(8 * i, v as bigint, true),
  }[dataType];
  values.forEach((value: number | bigint, i: number) => write(i, value));
  return bytes;
}

function encodeValueInfo(info: GraphValueInfo): ReturnType<Proto['ValueInfoProto']['create']> {
  return onnx.ValueInfoProto.create({
    name: info.name,
    type: {
      tensorType: {
        elemType: elementTypeCodes[info.elementType],
        shape: { dim: info.shape.map((size) => (typeof size === 'number' ? { dimValue: size } : size === null ? {} : { dimParam: size })) },
      },
    },
  });
}
