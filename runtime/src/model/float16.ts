/**
 * Whether a model computes in float16 at run time, which a WebGPU adapter without the
 * `shader-f16` feature cannot do: onnxruntime's WebGPU provider places those nodes on it anyway
 * and fails at the first run ("Program Cast requires f16 but the device does not support it").
 * Float16 values reach run time through a float16 graph input or a Cast of a computed value to
 * float16; float16 weights alone do not (tfjs-onnx's fp16 variants store weights in float16 and
 * compute in float32: onnxruntime casts those weights once, at load). Walks the graph's inputs,
 * initializers and nodes only, not subgraphs, and only when asked (a WebGPU adapter without
 * shader-f16).
 */
import { readFields, type ProtoField } from './metadata.js';

const FLOAT16 = 10;
const MODEL_GRAPH = 7;
const GRAPH = { node: 1, initializer: 5, input: 11 };
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5 };
const ATTRIBUTE = { name: 1, i: 3 };
const TENSOR_NAME = 8;
const VALUE_INFO = { name: 1, type: 2 };
const TYPE_TENSOR = 1;
const TENSOR_ELEM_TYPE = 1;

const utf8 = new TextDecoder();

/** "float16 input 'x'" or "a Cast to float16 (node 'n')", or undefined when the model computes in float32 (or wider) only. */
export function float16AtRunTime(model: Uint8Array): string | undefined {
  const graph = readFields(model).find((f) => f.fieldNumber === MODEL_GRAPH)?.bytes;
  if (!graph) return undefined;
  const fields = readFields(graph);
  const constants = new Set(of(fields, GRAPH.initializer).map((tensor) => text(readFields(tensor), TENSOR_NAME)));
  for (const input of of(fields, GRAPH.input)) {
    const info = readFields(input);
    const name = text(info, VALUE_INFO.name);
    if (!constants.has(name) && elementType(info) === FLOAT16) return `float16 input '${name}'`;
  }
  for (const node of of(fields, GRAPH.node)) {
    const parts = readFields(node);
    const opType = text(parts, NODE.opType);
    if (opType === 'Constant') for (const output of of(parts, NODE.output)) constants.add(utf8.decode(output));
    if (opType !== 'Cast' || castTarget(parts) !== FLOAT16) continue;
    const input = of(parts, NODE.input).map((bytes) => utf8.decode(bytes))[0];
    if (input !== undefined && !constants.has(input)) return `a Cast to float16 (node '${text(parts, NODE.name) || input}')`;
  }
  return undefined;
}

function of(fields: ProtoField[], fieldNumber: number): Uint8Array[] {
  return fields.filter((f) => f.fieldNumber === fieldNumber && f.bytes).map((f) => f.bytes!);
}

function text(fields: ProtoField[], fieldNumber: number): string {
  const bytes = fields.find((f) => f.fieldNumber === fieldNumber)?.bytes;
  return bytes ? utf8.decode(bytes) : '';
}

function elementType(valueInfo: ProtoField[]): number | undefined {
  const type = valueInfo.find((f) => f.fieldNumber === VALUE_INFO.type)?.bytes;
  const tensor = type && readFields(type).find((f) => f.fieldNumber === TYPE_TENSOR)?.bytes;
  return tensor && readFields(tensor).find((f) => f.fieldNumber === TENSOR_ELEM_TYPE)?.varint;
}

function castTarget(node: ProtoField[]): number | undefined {
  for (const attribute of of(node, NODE.attribute)) {
    const fields = readFields(attribute);
    if (text(fields, ATTRIBUTE.name) === 'to') return fields.find((f) => f.fieldNumber === ATTRIBUTE.i)?.varint;
  }
  return undefined;
}
