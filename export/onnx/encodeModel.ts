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

const elementTypeCodes: Record<ElementType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
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

/** Initializers are stored as raw little-endian bytes, ONNX's compact form. */
function encodeInitializer(initializer: Initializer): ReturnType<Proto['TensorProto']['create']> {
  const { values } = initializer;
  const bytes = new Uint8Array(values.byteLength);
  const view = new DataView(bytes.buffer);
  values.forEach((value: number | bigint, i: number) => {
    if (typeof value === 'bigint') view.setBigInt64(8 * i, value, true);
    else if (initializer.dataType === 'int32') view.setInt32(4 * i, value, true);
    else view.setFloat32(4 * i, value, true);
  });
  return onnx.TensorProto.create({
    name: initializer.name,
    dims: initializer.dims,
    dataType: elementTypeCodes[initializer.dataType],
    rawData: bytes,
  });
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
