/**
 * A GraphModel's weights are the values of its Const nodes, named after them. Every dtype
 * tensorflowjs_converter stores is decoded here the way tfjs decodes it on load: float32, int32,
 * bool, string (uint32 byte count + UTF-8 bytes each), and the quantized forms (uint8/uint16 with
 * min and scale, float16), dequantized to their original dtype. Small constants may instead sit
 * in the node's own `value` attribute as a TensorProto.
 */
import type { io } from '@tensorflow/tfjs';
import { InvalidInputError } from '../../common/errors.ts';
import { float16ToFloat32 } from '../layersModel/reader/weights.ts';
import type { TensorDtype } from '../backend/graph/tensorValue.ts';
import { constantTensor, elementCount, type ConstantTensor } from './tfOps/constant.ts';
import { tfDtype, type GraphNodeDef } from './graphDef.ts';

const STORED_DTYPES: readonly string[] = ['float32', 'int32', 'bool', 'string'];

export function decodeGraphWeights(weightData: ArrayBuffer, specs: io.WeightsManifestEntry[], source: string): Map<string, ConstantTensor> {
  const view = new DataView(weightData);
  const weights = new Map<string, ConstantTensor>();
  let offset = 0;
  for (const spec of specs) {
    if (!Array.isArray(spec.shape) || !spec.shape.every((size) => Number.isInteger(size) && size >= 0)) {
      throw new InvalidInputError(`${source}: weight ${spec.name} has an invalid shape ${JSON.stringify(spec.shape)}`);
    }
    if (!STORED_DTYPES.includes(spec.dtype)) throw new InvalidInputError(`${source}: weight ${spec.name} has dtype ${spec.dtype}; supported: ${STORED_DTYPES.join(', ')}`);
    const decoded = decodeOne(view, offset, spec, source);
    offset += decoded.byteLength;
    weights.set(spec.name, decoded.value);
  }
  return weights;
}

function decodeOne(view: DataView, offset: number, spec: io.WeightsManifestEntry, source: string): { value: ConstantTensor; byteLength: number } {
  const count = elementCount(spec.shape);
  const dtype = spec.dtype as TensorDtype;
  const quantization = spec.quantization;
  if (dtype === 'string') {
    const decoder = new TextDecoder();
    const strings: string[] = [];
    let position = offset;
    for (let i = 0; i < count; i++) {
      const length = view.getUint32(position, true);
      strings.push(decoder.decode(new Uint8Array(view.buffer, view.byteOffset + position + 4, length)));
      position += 4 + length;
    }
    return { value: constantTensor('string', spec.shape, strings), byteLength: position - offset };
  }
  const values = new Array<number>(count);
  if (!quantization) {
    const bytes = dtype === 'bool' ? 1 : 4;
    for (let i = 0; i < count; i++) {
      const at = offset + bytes * i;
      values[i] = dtype === 'float32' ? view.getFloat32(at, true) : dtype === 'int32' ? view.getInt32(at, true) : view.getUint8(at);
    }
    return { value: constantTensor(dtype, spec.shape, values), byteLength: count * bytes };
  }
  if (quantization.dtype === 'float16') {
    for (let i = 0; i < count; i++) values[i] = float16ToFloat32(view.getUint16(offset + 2 * i, true));
    return { value: constantTensor(dtype, spec.shape, values), byteLength: 2 * count };
  }
  if (quantization.dtype === 'uint8' || quantization.dtype === 'uint16') {
    const { min, scale } = quantization;
    if (typeof min !== 'number' || typeof scale !== 'number') throw new InvalidInputError(`${source}: weight ${spec.name} is quantized to ${quantization.dtype} but has no min/scale`);
    const bytes = quantization.dtype === 'uint8' ? 1 : 2;
    for (let i = 0; i < count; i++) {
      const stored = bytes === 1 ? view.getUint8(offset + i) : view.getUint16(offset + 2 * i, true);
      // tfjs rounds dequantized integers back to integers; floats keep the affine value.
      values[i] = dtype === 'int32' ? Math.round(stored * scale + min) : stored * scale + min;
    }
    return { value: constantTensor(dtype, spec.shape, values), byteLength: bytes * count };
  }
  throw new InvalidInputError(`${source}: weight ${spec.name} uses quantization ${String(quantization.dtype)}; supported: uint8, uint16, float16`);
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
    if (tensor.halfVal) listed = listed.map(float16ToFloat32);
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
    DT_HALF: [2, (o) => float16ToFloat32(view.getUint16(o, true))],
  };
  const reader = readers[type];
  if (!reader) throw fail();
  const [size, read] = reader;
  return Array.from({ length: Math.floor(bytes.byteLength / size) }, (_, i) => read(i * size));
}
