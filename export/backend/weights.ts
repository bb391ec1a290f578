/**
 * The one decoder of weight shards, for both front ends: each manifest entry's values read the way
 * tfjs reads them on load (io.decodeWeights): float32, int32, bool (one byte each), string (a
 * uint32 byte count, then UTF-8, each), and tensorflowjs_converter's quantized forms, dequantized
 * to the original dtype: uint8/uint16 with min and scale (integers rounded back), float16. The
 * shards' total size was checked against the manifest when they were read (common/tfjsModelFiles.ts).
 */
import { getFloat16 } from '@petamoriken/float16';
import type { io } from '@tensorflow/tfjs';
import { InvalidInputError } from '../../common/errors.ts';
import type { TfjsElementType } from './graph/tensorValue.ts';

export type WeightValues = Float32Array | Int32Array | Uint8Array | string[];

export interface DecodedWeight {
  /** The name in the manifest (`conv2d_1/kernel`, a Const node's name). */
  name: string;
  shape: number[];
  dtype: TfjsElementType;
  /** Row-major; bool as 0/1 bytes. */
  values: WeightValues;
}

/** Decodes every entry in manifest order; `dtypes` are those the front end can use (others are refused, naming the weight). */
export function decodeWeightShards(
  weightData: ArrayBuffer,
  specs: io.WeightsManifestEntry[],
  source: string,
  dtypes: readonly TfjsElementType[],
): DecodedWeight[] {
  const view = new DataView(weightData);
  let offset = 0;
  return specs.map((spec) => {
    const dtype = checkSpec(spec, source, dtypes);
    const { values, byteLength } = decodeValues(view, offset, spec, dtype, source);
    offset += byteLength;
    return { name: spec.name, shape: [...spec.shape], dtype, values };
  });
}

function checkSpec(spec: io.WeightsManifestEntry, source: string, dtypes: readonly TfjsElementType[]): TfjsElementType {
  if (!Array.isArray(spec.shape) || !spec.shape.every((size) => Number.isInteger(size) && size >= 0)) {
    throw new InvalidInputError(`${source}: weight ${spec.name} has an invalid shape ${JSON.stringify(spec.shape)}`);
  }
  if (!(dtypes as readonly string[]).includes(spec.dtype)) {
    throw new InvalidInputError(`${source}: weight ${spec.name} has dtype ${spec.dtype}; supported: ${dtypes.join(', ')}`);
  }
  return spec.dtype as TfjsElementType;
}

function decodeValues(
  view: DataView,
  offset: number,
  spec: io.WeightsManifestEntry,
  dtype: TfjsElementType,
  source: string,
): { values: WeightValues; byteLength: number } {
  const count = spec.shape.reduce((product, size) => product * size, 1);
  if (dtype === 'string') return decodeStrings(view, offset, count);
  const values = dtype === 'float32' ? new Float32Array(count) : dtype === 'int32' ? new Int32Array(count) : new Uint8Array(count);
  const quantization = spec.quantization;
  if (!quantization) {
    const bytes = dtype === 'bool' ? 1 : 4;
    for (let i = 0; i < count; i++) {
      const at = offset + bytes * i;
      values[i] = dtype === 'float32' ? view.getFloat32(at, true) : dtype === 'int32' ? view.getInt32(at, true) : view.getUint8(at);
    }
    return { values, byteLength: bytes * count };
  }
  if (quantization.dtype === 'uint8' || quantization.dtype === 'uint16') {
    const { min, scale } = quantization;
    if (typeof min !== 'number' || typeof scale !== 'number')
      throw new InvalidInputError(`${source}: weight ${spec.name} is quantized to ${quantization.dtype} but has no min/scale`);
    const bytes = quantization.dtype === 'uint8' ? 1 : 2;
    for (let i = 0; i < count; i++) {
      const stored = bytes === 1 ? view.getUint8(offset + i) : view.getUint16(offset + 2 * i, true);
      // tfjs rounds dequantized integers back to integers; floats keep the affine value.
      values[i] = dtype === 'float32' ? stored * scale + min : Math.round(stored * scale + min);
    }
    return { values, byteLength: bytes * count };
  }
  if (quantization.dtype === 'float16') {
    if (dtype !== 'float32') throw new InvalidInputError(`${source}: weight ${spec.name} is ${dtype} but quantized to float16`);
    for (let i = 0; i < count; i++) values[i] = getFloat16(view, offset + 2 * i, true);
    return { values, byteLength: 2 * count };
  }
  throw new InvalidInputError(
    `${source}: weight ${spec.name} uses quantization ${String(quantization.dtype)}; supported: uint8, uint16, float16`,
  );
}

/** Strings as tensorflowjs_converter stores them: a little-endian uint32 byte count, then the UTF-8 bytes. */
function decodeStrings(view: DataView, offset: number, count: number): { values: string[]; byteLength: number } {
  const decoder = new TextDecoder();
  const values: string[] = [];
  let position = offset;
  for (let i = 0; i < count; i++) {
    const length = view.getUint32(position, true);
    values.push(decoder.decode(new Uint8Array(view.buffer, view.byteOffset + position + 4, length)));
    position += 4 + length;
  }
  return { values, byteLength: position - offset };
}
