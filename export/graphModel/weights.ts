/**
 * A GraphModel's weights are the values of its Const nodes, named after them: every dtype
 * tensorflowjs_converter stores (float32, int32, bool, string, and the quantized forms), decoded by
 * the back end's one decoder (backend/weights.ts). Small constants may instead sit in the node's
 * own `value` attribute as a TensorProto, read here.
 */
import { Float16Array, getFloat16 } from '@petamoriken/float16';
import type { io } from '@tensorflow/tfjs';
import { InvalidInputError } from '../../common/errors.ts';
import { decodeWeightShards } from '../backend/weights.ts';
import { constantTensor, elementCount, type ConstantTensor } from './tfOps/constant.ts';
import { tfDtype } from './graphDef.ts';
import type { GraphNodeDef } from './nodeDef.ts';

export function decodeGraphWeights(weightData: ArrayBuffer, specs: io.WeightsManifestEntry[], source: string): Map<string, ConstantTensor> {
  const weights = new Map<string, ConstantTensor>();
  for (const weight of decodeWeightShards(weightData, specs, source, ['float32', 'int32', 'bool', 'string'])) {
    weights.set(weight.name, constantTensor(weight.dtype, weight.shape, weight.values));
  }
  return weights;
}

interface TensorProtoJson {
  dtype?: string;
  tensorShape?: { dim?: { size?: string | number }[] };
  floatVal?: number[];
  intVal?: number[];
  int64Val?: (string | number)[];
  boolVal?: boolean[];
  stringVal?: string[];
  halfVal?: number[];
  doubleVal?: number[];
  tensorContent?: string;
}

/** A Const node's `value` attribute (a TensorProto in JSON form), for constants kept out of the shards. */
export function inlineConstant(node: GraphNodeDef, source: string): ConstantTensor | undefined {
  const tensor = (node.attr.value as { tensor?: TensorProtoJson } | undefined)?.tensor;
  if (!tensor) return undefined;
  const fail = () => new InvalidInputError(`${source}: Const node "${node.name}" has a value of unsupported dtype ${tensor.dtype}`);
  const dtype = tfDtype(tensor.dtype ?? '', fail);
  const shape = (tensor.tensorShape?.dim ?? []).map((dim) => Number(dim.size ?? 0));
  const count = elementCount(shape);
  if (dtype === 'string') {
    const strings = (tensor.stringVal ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
    return constantTensor('string', shape, repeatToLength(strings, count, ''));
  }
  let listed: number[];
  if (tensor.tensorContent !== undefined) {
    listed = rawContent(Buffer.from(tensor.tensorContent, 'base64'), tensor.dtype ?? '', fail);
  } else {
    const raw = tensor.floatVal ?? tensor.doubleVal ?? tensor.intVal ?? tensor.int64Val ?? tensor.boolVal ?? tensor.halfVal ?? [];
    listed = raw.map((value) => (typeof value === 'boolean' ? Number(value) : Number(value)));
    // half_val holds each float16's bit pattern as an integer.
    if (tensor.halfVal) listed = Array.from(new Float16Array(Uint16Array.from(listed).buffer));
  }
  // A TensorProto may list fewer values than its shape holds: the last one repeats (none: zeros).
  return constantTensor(dtype, shape, repeatToLength(listed, count, 0));
}

function repeatToLength<T>(values: T[], count: number, empty: T): T[] {
  if (values.length === count) return values;
  const fill = values.length > 0 ? values[values.length - 1] : empty;
  return Array.from({ length: count }, (_, i) => (i < values.length ? values[i] : fill));
}

function rawContent(bytes: Buffer, type: string, fail: () => Error): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const readers: Record<string, [number, (offset: number) => number]> = {
    DT_FLOAT: [4, (o) => view.getFloat32(o, true)],
    DT_DOUBLE: [8, (o) => view.getFloat64(o, true)],
    DT_INT32: [4, (o) => view.getInt32(o, true)],
    DT_INT64: [8, (o) => Number(view.getBigInt64(o, true))],
    DT_INT16: [2, (o) => view.getInt16(o, true)],
    DT_UINT16: [2, (o) => view.getUint16(o, true)],
    DT_INT8: [1, (o) => view.getInt8(o)],
    DT_UINT8: [1, (o) => view.getUint8(o)],
    DT_BOOL: [1, (o) => view.getUint8(o)],
    DT_HALF: [2, (o) => getFloat16(view, o, true)],
  };
  const reader = readers[type];
  if (!reader) throw fail();
  const [size, read] = reader;
  return Array.from({ length: Math.floor(bytes.byteLength / size) }, (_, i) => read(i * size));
}
