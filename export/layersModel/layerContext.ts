/**
 * What a layer converter works with: its typed config, its input tensors (and their Keras masks),
 * its weights, and the graph to add nodes to, plus the layout helpers that keep transposes at the
 * edges of NCHW runs. This is also the API custom-layer plugins program against.
 */
import { InvalidInputError } from '../../common/errors.ts';
import type { LayerConfig } from './reader/layerConfig.ts';
import type { LayerSpec, Producer } from './reader/modelTopology.ts';
import type { DecodedWeight, LayerWeights } from './reader/weights.ts';
import type { GraphBuilder } from '../backend/graph/graphBuilder.ts';
import { materialize } from '../backend/graph/materialize.ts';
import { channelsFirstPermutation, identityPermutation, isIdentityPermutation, type Permutation } from '../backend/graph/layout.ts';
import { formatShape, tensorValue, type Dim, type TfjsElementType, type TensorValue } from '../backend/graph/tensorValue.ts';

export type DataFormat = 'channelsLast' | 'channelsFirst';

/** A Keras mask: 1 where a step (a position of the input minus its last axis) is valid, 0 where it is masked, as float32. */
export type Mask = TensorValue | undefined;

/** What converters of wrapper layers need from the converter core. */
export interface ConversionServices {
  producer: Producer;
  /** Converts `spec` (a wrapped layer, or a model used as a layer) on `inputs`, with `weights` as its own. */
  convertLayer(
    spec: LayerSpec,
    inputs: readonly TensorValue[],
    masks: readonly Mask[],
    weights: LayerWeights,
  ): { outputs: TensorValue[]; masks: Mask[] };
}

export class LayerContext {
  /**
   * The masks of the outputs, when the converter decides them (Embedding, Masking, recurrent
   * layers); left undefined, the core applies the layer class's usual rule (pass or drop).
   */
  outputMasks: Mask[] | undefined;

  /** The Keras mask of each input (undefined: unmasked). */
  readonly inputMasks: readonly Mask[];
  /** The layers a wrapper holds (TimeDistributed's and Bidirectional's `layer`). */
  readonly wrapped: LayerSpec['wrapped'];
  private readonly services?: ConversionServices;

  constructor(
    readonly config: LayerConfig,
    readonly inputs: readonly TensorValue[],
    readonly graph: GraphBuilder,
    readonly opset: number,
    readonly weights: LayerWeights,
    extras: { masks?: readonly Mask[]; wrapped?: LayerSpec['wrapped']; services?: ConversionServices } = {},
  ) {
    this.inputMasks = extras.masks ?? [];
    this.wrapped = extras.wrapped;
    this.services = extras.services;
  }

  get layerName(): string {
    return this.config.layerName;
  }

  /** Which framework wrote the model (a few layers differ between tfjs and Keras). */
  get producer(): Producer {
    return this.services?.producer ?? { framework: 'tfjs', kerasMajor: 2 };
  }

  /** Converts a layer this one wraps (TimeDistributed's, Bidirectional's) on the given inputs. */
  convertWrapped(
    spec: LayerSpec,
    inputs: readonly TensorValue[],
    options: { masks?: readonly Mask[]; weights?: LayerWeights } = {},
  ): { outputs: TensorValue[]; masks: Mask[] } {
    if (!this.services) throw new Error(`internal: ${this.config.label} converts a wrapped layer without the converter core`);
    return this.services.convertLayer(spec, inputs, options.masks ?? [], options.weights ?? this.weights);
  }

  /** The single input of a one-input layer. */
  input(): TensorValue {
    if (this.inputs.length !== 1) {
      throw new InvalidInputError(`${this.config.label} expects one input tensor but is called on ${this.inputs.length}`);
    }
    return this.inputs[0];
  }

  /** A weight by its Keras name, checked against the shape the config implies. */
  weight(shortName: string, expectedShape?: readonly Dim[]): DecodedWeight {
    const weight = this.weights.take(shortName);
    if (!weight) {
      throw new InvalidInputError(
        `${this.config.label} needs weight ${this.layerName}/${shortName}, which is missing from model.json's weightsManifest`,
      );
    }
    if (expectedShape && !shapeMatches(weight.shape, expectedShape)) {
      throw new InvalidInputError(
        `weight ${weight.name} of ${this.config.label} has shape ${formatShape(weight.shape)}, but the layer's config and input need ${formatShape(expectedShape)}`,
      );
    }
    return weight;
  }

  /** A weight's values as float32 (int32 weights are converted). */
  floatWeight(shortName: string, expectedShape?: readonly Dim[]): { values: Float32Array; shape: number[] } {
    const weight = this.weight(shortName, expectedShape);
    const values = weight.values instanceof Float32Array ? weight.values : Float32Array.from(weight.values);
    return { values, shape: weight.shape };
  }

  /**
   * The ONNX name of `tensor` stored as `transpose(logical, perm)`, adding one Transpose the first
   * time a layout is asked for and reusing it afterwards.
   */
  inLayout(tensor: TensorValue, perm: Permutation): string {
    return materialize(this.graph, tensor, perm);
  }

  /** The tensor in Keras's own layout (what layout-sensitive layers like Flatten and Dense need). */
  logical(tensor: TensorValue): string {
    return this.inLayout(tensor, identityPermutation(tensor.shape.length));
  }

  /** The storage permutation that puts a tensor of `dataFormat` in N, C, spatial... order. */
  channelsFirstPerm(rank: number, dataFormat: DataFormat): number[] {
    return dataFormat === 'channelsLast' ? channelsFirstPermutation(rank) : identityPermutation(rank);
  }

  /** The tensor as N, C, spatial... for Conv/Pool/Resize, whatever its Keras data format. */
  channelsFirst(tensor: TensorValue, dataFormat: DataFormat): string {
    return this.inLayout(tensor, this.channelsFirstPerm(tensor.shape.length, dataFormat));
  }

  /** Wraps an N, C, spatial... ONNX result as a Keras tensor of `dataFormat` with logical `shape`. */
  channelsFirstResult(onnxName: string, shape: readonly Dim[], dataFormat: DataFormat): TensorValue {
    return tensorValue(onnxName, shape, this.channelsFirstPerm(shape.length, dataFormat));
  }

  /** A result stored in Keras's own layout. */
  result(onnxName: string, shape: readonly Dim[], dtype: TfjsElementType = 'float32'): TensorValue {
    return tensorValue(onnxName, shape, identityPermutation(shape.length), dtype);
  }

  /** A result of an elementwise op on `like`: same layout, same shape unless given. */
  resultLike(like: TensorValue, onnxName: string, shape: readonly Dim[] = like.shape): TensorValue {
    return tensorValue(onnxName, shape, like.perm, like.dtype);
  }

  /** A result stored with an explicit permutation. */
  resultWithPerm(onnxName: string, shape: readonly Dim[], perm: Permutation, dtype: TfjsElementType = 'float32'): TensorValue {
    return isIdentityPermutation(perm) ? this.result(onnxName, shape, dtype) : tensorValue(onnxName, shape, perm, dtype);
  }

  /** Reads the `dataFormat` option (channels_last unless the layer says otherwise). */
  dataFormat(): DataFormat {
    return this.config.choice('dataFormat', ['channelsLast', 'channelsFirst'] as const, 'channelsLast');
  }

  /** Throws unless the input has the rank the layer class requires. */
  requireRank(tensor: TensorValue, rank: number): void {
    if (tensor.shape.length !== rank) {
      throw new InvalidInputError(`${this.config.label} expects a rank-${rank} input, got shape ${formatShape(tensor.shape)}`);
    }
  }
}

function shapeMatches(actual: readonly number[], expected: readonly Dim[]): boolean {
  return actual.length === expected.length && expected.every((size, i) => size === null || size === actual[i]);
}
