/**
 * Whether a model computes in float16 at run time, which a WebGPU adapter without the
 * `shader-f16` feature cannot do: onnxruntime's WebGPU provider places those nodes on it anyway
 * and fails at the first run ("Program Cast requires f16 but the device does not support it").
 * Float16 values reach run time through a float16 graph input or a Cast of a computed value to
 * float16; float16 weights alone do not (tfjs-onnx's fp16 variants store weights in float16 and
 * compute in float32: onnxruntime casts those weights once, at load). Ops that only move or view
 * their input (Identity, Reshape, ...) run without a shader and pass float16 on unharmed. Walks the
 * graph's inputs, initializers and nodes (in their topological order) only, not subgraphs, and
 * only when asked (a WebGPU adapter without shader-f16).
 */
import { ModelLoadError } from '../errors.js';
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

/** Ops onnxruntime's WebGPU provider runs without a shader (views and copies), measured with float16 on SwiftShader. */
const SHADERLESS = new Set(['Identity', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Shape', 'Size']);

/**
 * "Relu (node 'r') on float16 input 'x'" or "a Cast to float16, Cast (node 'n')", or undefined when
 * the model computes in float32 (or wider) only. A graph that is not valid protobuf is a ModelLoadError.
 */
export function float16AtRunTime(model: Uint8Array, modelName: string): string | undefined {
  try {
    return scanGraph(model);
  } catch (error) {
    throw new ModelLoadError(
      `${modelName} is not a valid ONNX model (its graph is malformed: ${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
}

function scanGraph(model: Uint8Array): string | undefined {
  const graph = readFields(model).find((f) => f.fieldNumber === MODEL_GRAPH)?.bytes;
  if (!graph) return undefined;
  const fields = readFields(graph);
  const constants = new Set(of(fields, GRAPH.initializer).map((tensor) => text(readFields(tensor), TENSOR_NAME)));
  /** Float16 values computed at run time, each with where it came from. */
  const half = new Map<string, string>();
  for (const input of of(fields, GRAPH.input)) {
    const info = readFields(input);
    const name = text(info, VALUE_INFO.name);
    if (!constants.has(name) && elementType(info) === FLOAT16) half.set(name, `float16 input '${name}'`);
  }
  for (const node of of(fields, GRAPH.node)) {
    const parts = readFields(node);
    const opType = text(parts, NODE.opType);
    const inputs = of(parts, NODE.input).map((bytes) => utf8.decode(bytes));
    const outputs = of(parts, NODE.output).map((bytes) => utf8.decode(bytes));
    const label = `${opType} (node '${text(parts, NODE.name) || outputs[0]}')`;
    if (opType === 'Constant') for (const output of outputs) constants.add(output);
    const halfInput = inputs.find((input) => half.has(input));
    if (halfInput !== undefined) {
      if (!SHADERLESS.has(opType)) return `${label} on ${half.get(halfInput)}`;
      for (const output of outputs) half.set(output, half.get(halfInput)!);
    } else if (opType === 'Cast' && castTarget(parts) === FLOAT16 && inputs[0] !== undefined && !constants.has(inputs[0])) {
      return `a Cast to float16, ${label}`;
    }
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
