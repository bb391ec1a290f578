/**
 * Weight values from the shards: decoded from the manifest's specs (float32, int32, and the
 * tfjs converter's quantized forms uint8/uint16 with min+scale and float16, dequantized here the
 * way tfjs does on load), then handed to the layers that own them.
 */
import type { io } from '@tensorflow/tfjs';
import { InvalidInputError } from '../../common/errors.ts';

export interface DecodedWeight {
  /** The name in the manifest, e.g. `conv2d_1/kernel`. */
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  values: Float32Array | Int32Array;
}

export function decodeWeights(weightData: ArrayBuffer, specs: io.WeightsManifestEntry[], source: string): DecodedWeight[] {
  const view = new DataView(weightData);
  let offset = 0;
  return specs.map((spec) => {
    const decoded = decodeOne(view, offset, spec, source);
    offset += decoded.byteLength;
    return decoded.weight;
  });
}

function decodeOne(view: DataView, offset: number, spec: io.WeightsManifestEntry, source: string): { weight: DecodedWeight; byteLength: number } {
  if (!Array.isArray(spec.shape) || !spec.shape.every((size) => Number.isInteger(size) && size >= 0)) {
    throw new InvalidInputError(`${source}: weight ${spec.name} has an invalid shape ${JSON.stringify(spec.shape)}`);
  }
  if (spec.dtype !== 'float32' && spec.dtype !== 'int32') {
    throw new InvalidInputError(`${source}: weight ${spec.name} has dtype ${spec.dtype}; only float32 and int32 weights are supported`);
  }
  const count = spec.shape.reduce((product, size) => product * size, 1);
  const dtype = spec.dtype;
  const values = dtype === 'int32' ? new Int32Array(count) : new Float32Array(count);
  const quantization = spec.quantization;
  let bytesPerValue = 4;
  if (!quantization) {
    for (let i = 0; i < count; i++) values[i] = dtype === 'int32' ? view.getInt32(offset + 4 * i, true) : view.getFloat32(offset + 4 * i, true);
  } else if (quantization.dtype === 'uint8' || quantization.dtype === 'uint16') {
    const { min, scale } = quantization;
    if (typeof min !== 'number' || typeof scale !== 'number') {
      throw new InvalidInputError(`${source}: weight ${spec.name} is quantized to ${quantization.dtype} but has no min/scale`);
    }
    bytesPerValue = quantization.dtype === 'uint8' ? 1 : 2;
    for (let i = 0; i < count; i++) {
      const stored = bytesPerValue === 1 ? view.getUint8(offset + i) : view.getUint16(offset + 2 * i, true);
      // tfjs rounds dequantized integers back to integers; floats keep the affine value.
      const value = stored * scale + min;
      values[i] = dtype === 'int32' ? Math.round(value) : value;
    }
  } else if (quantization.dtype === 'float16') {
    if (dtype !== 'float32') throw new InvalidInputError(`${source}: weight ${spec.name} is int32 but quantized to float16`);
    bytesPerValue = 2;
    for (let i = 0; i < count; i++) values[i] = float16ToFloat32(view.getUint16(offset + 2 * i, true));
  } else {
    throw new InvalidInputError(
      `${source}: weight ${spec.name} uses quantization ${String(quantization.dtype)}; supported: uint8, uint16, float16`,
    );
  }
  return { weight: { name: spec.name, shape: [...spec.shape], dtype, values }, byteLength: count * bytesPerValue };
}

/** IEEE 754 half precision to single precision; exact, every half value is representable as float32. */
export function float16ToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/**
 * Weights grouped by owning layer. Manifest names look like `dense/kernel` (tfjs, Keras 2),
 * `dense/kernel:0`, `model/dense/kernel` or `lstm/cell/kernel` (nested scopes), or `dense/0`
 * (Keras 3 saved by index). The owner is the layer whose name is the longest prefix of whole
 * path segments, or else the last segment naming a layer.
 */
export class WeightStore {
  private readonly byLayer = new Map<string, LayerWeights>();

  constructor(weights: DecodedWeight[], layerNames: string[], source: string) {
    const known = new Set(layerNames);
    for (const weight of weights) {
      const owner = findOwner(weight.name, known);
      if (!owner) {
        throw new InvalidInputError(`${source}: weight ${weight.name} in weightsManifest belongs to no layer of the model topology`);
      }
      let group = this.byLayer.get(owner.layerName);
      if (!group) this.byLayer.set(owner.layerName, (group = new LayerWeights(owner.layerName)));
      group.add(owner.shortName, weight, source);
    }
  }

  forLayer(layerName: string): LayerWeights {
    return this.byLayer.get(layerName) ?? new LayerWeights(layerName);
  }

  /** Weights no layer converter asked for: a topology/manifest mismatch the user must hear about. */
  unused(): { layerName: string; weight: DecodedWeight }[] {
    return [...this.byLayer.values()].flatMap((group) => group.unused().map((weight) => ({ layerName: group.layerName, weight })));
  }
}

export class LayerWeights {
  private readonly named = new Map<string, DecodedWeight>();
  private readonly taken = new Set<DecodedWeight>();
  private positionalCursor = 0;

  constructor(readonly layerName: string) {}

  add(shortName: string, weight: DecodedWeight, source: string): void {
    if (this.named.has(shortName)) throw new InvalidInputError(`${source}: weight ${weight.name} appears twice in weightsManifest`);
    this.named.set(shortName, weight);
  }

  /**
   * The weight called `shortName` (`kernel`, `moving_mean`, ...). Keras 3 may store a layer's
   * weights by position (`dense/0`, `dense/1`); converters ask in Keras's creation order, so the
   * n-th request takes position n.
   */
  take(shortName: string): DecodedWeight | undefined {
    const positional = this.named.size > 0 && [...this.named.keys()].every((key) => /^\d+$/.test(key));
    const weight = positional ? this.named.get(String(this.positionalCursor++)) : this.named.get(shortName);
    if (weight) this.taken.add(weight);
    return weight;
  }

  unused(): DecodedWeight[] {
    return [...this.named.values()].filter((weight) => !this.taken.has(weight));
  }
}

function findOwner(weightName: string, layers: Set<string>): { layerName: string; shortName: string } | undefined {
  const segments = weightName.replace(/:\d+$/, '').split('/');
  const shortName = segments[segments.length - 1];
  for (let end = segments.length - 1; end >= 1; end--) {
    const prefix = segments.slice(0, end).join('/');
    if (layers.has(prefix)) return { layerName: prefix, shortName };
  }
  for (let i = segments.length - 2; i >= 0; i--) {
    if (layers.has(segments[i])) return { layerName: segments[i], shortName };
  }
  return undefined;
}
