/**
 * A Layers model's weights: decoded from the shards by the back end's one decoder
 * (backend/weights.ts; float32 and int32 are what Keras layers hold), then handed to the layers
 * that own them.
 */
import type { io } from '@tensorflow/tfjs';
import { InvalidInputError } from '../../../common/errors.ts';
import { decodeWeightShards, type DecodedWeight as ShardWeight } from '../../backend/weights.ts';

export interface DecodedWeight extends ShardWeight {
  dtype: 'float32' | 'int32';
  values: Float32Array | Int32Array;
}

export function decodeWeights(weightData: ArrayBuffer, specs: io.WeightsManifestEntry[], source: string): DecodedWeight[] {
  // Only float32 and int32 are accepted, so every value array is one of theirs.
  return decodeWeightShards(weightData, specs, source, ['float32', 'int32']) as DecodedWeight[];
}

/**
 * Weights grouped by owning layer. Manifest names look like `dense/kernel` (tfjs, Keras 2),
 * `dense/kernel:0`, `model/dense/kernel` (a nested model's scope), `lstm/lstm_cell/kernel` or
 * `bidirectional/forward_lstm/kernel` (a layer's own sub-scopes), or `dense/0` (Keras 3 saved by
 * index). The owner is the innermost path segment that names a layer of the model (nested models'
 * layers included); what follows it is the weight's path inside that layer.
 */
export class WeightStore {
  private readonly byLayer = new Map<string, LayerWeights>();

  constructor(weights: DecodedWeight[], layerNames: Iterable<string>, source: string) {
    const known = new Set(layerNames);
    const seen = new Set<string>();
    const entries = new Map<string, WeightEntry[]>();
    for (const weight of weights) {
      if (seen.has(weight.name)) throw new InvalidInputError(`${source}: weight ${weight.name} appears twice in weightsManifest`);
      seen.add(weight.name);
      const owner = findOwner(weight.name, known);
      if (!owner) {
        throw new InvalidInputError(`${source}: weight ${weight.name} in weightsManifest belongs to no layer of the model topology`);
      }
      const list = entries.get(owner.layerName) ?? [];
      list.push({ path: owner.path, weight });
      entries.set(owner.layerName, list);
    }
    for (const [layerName, list] of entries)
      this.byLayer.set(layerName, new LayerWeights(layerName, list, new Set(), new Set(), { next: 0 }));
  }

  /**
   * The weights of one call of a layer (one store per name: a layer shared by a nested model and
   * its parent is one layer). Every call of a shared layer reads the same weights.
   */
  forLayer(layerName: string): LayerWeights {
    let weights = this.byLayer.get(layerName);
    if (!weights) {
      weights = new LayerWeights(layerName, [], new Set(), new Set(), { next: 0 });
      this.byLayer.set(layerName, weights);
    }
    return weights.forCall();
  }

  /** Weights no layer converter asked for: a topology/manifest mismatch the user must hear about. */
  unused(): { layerName: string; weight: DecodedWeight }[] {
    return [...this.byLayer.values()].flatMap((group) => group.unused().map((weight) => ({ layerName: group.layerName, weight })));
  }
}

interface WeightEntry {
  /** Segments after the owning layer's name: `['kernel']`, `['lstm_cell', 'kernel']`, `['forward_lstm', 'kernel']`. */
  path: string[];
  weight: DecodedWeight;
}

export class LayerWeights {
  constructor(
    readonly layerName: string,
    private readonly entries: readonly WeightEntry[],
    /** Weights any call has read (what unused() reports against). */
    private readonly used: Set<DecodedWeight>,
    /** Weights this call has read (so the next request for `kernel` takes the next cell's). */
    private readonly taken: Set<DecodedWeight>,
    private readonly positionalCursor: { next: number },
  ) {}

  /** A fresh view for one more call of the layer. */
  forCall(): LayerWeights {
    return new LayerWeights(this.layerName, this.entries, this.used, new Set(), { next: 0 });
  }

  /** Keras 3 may store a layer's weights by position (`dense/0`, `dense/1`) instead of by name. */
  private get positional(): boolean {
    return this.entries.length > 0 && this.entries.every((entry) => entry.path.length === 1 && /^\d+$/.test(entry.path[0]));
  }

  /**
   * The weight called `shortName` (`kernel`, `moving_mean`, ...): the one whose path is exactly
   * that name, else the first not yet taken whose last segment is (so `lstm_cell/kernel` answers
   * `kernel`, and the cells of a stacked RNN take theirs in manifest order). Index-named weights
   * are taken in request order, which converters keep to Keras's creation order.
   */
  take(shortName: string): DecodedWeight | undefined {
    const free = this.entries.filter((entry) => !this.taken.has(entry.weight));
    const entry = this.positional
      ? this.entries[this.positionalCursor.next++]
      : (free.find((e) => e.path.length === 1 && e.path[0] === shortName) ?? free.find((e) => e.path[e.path.length - 1] === shortName));
    if (entry) {
      this.taken.add(entry.weight);
      this.used.add(entry.weight);
    }
    return entry?.weight;
  }

  /**
   * The weights under a sub-scope whose first segment passes `test` (Bidirectional's
   * `forward_…`/`backward_…`), or all of them when no weight is scoped that way (index-named
   * weights, or a writer that does not scope), to be taken in order.
   */
  scope(test: (segment: string) => boolean): LayerWeights {
    if (this.positional) return this;
    const inside = this.entries.filter((entry) => entry.path.length > 1 && test(entry.path[0]));
    if (inside.length === 0) return this;
    const scoped = inside.map((entry) => ({ path: entry.path.slice(1), weight: entry.weight }));
    return new LayerWeights(this.layerName, scoped, this.used, this.taken, this.positionalCursor);
  }

  unused(): DecodedWeight[] {
    return this.entries.map((entry) => entry.weight).filter((weight) => !this.used.has(weight));
  }
}

function findOwner(weightName: string, layers: Set<string>): { layerName: string; path: string[] } | undefined {
  const segments = weightName.replace(/:\d+$/, '').split('/');
  for (let i = segments.length - 2; i >= 0; i--) {
    if (layers.has(segments[i])) return { layerName: segments[i], path: segments.slice(i + 1) };
  }
  // A layer name may itself contain '/' (a scope the writer folded into it): the longest whole-segment prefix.
  for (let end = segments.length - 1; end >= 1; end--) {
    const prefix = segments.slice(0, end).join('/');
    if (layers.has(prefix)) return { layerName: prefix, path: segments.slice(end) };
  }
  return undefined;
}
