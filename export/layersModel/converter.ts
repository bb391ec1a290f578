/**
 * The converter core, in tf2onnx's manner: it only walks the Keras graph in dependency order and
 * dispatches each layer call to the converter registered for its class; what a layer becomes is
 * decided in export/layersModel/layers/*. Graph inputs and outputs keep the model's names and Keras layouts.
 *
 * A model used as a layer is converted inline, recursively, to any depth; wrappers
 * (TimeDistributed, Bidirectional) call back into the core for the layers they hold. Keras masks
 * travel beside the tensors they describe and are applied by the layers that consume them.
 */
import { InvalidInputError } from '../../common/errors.ts';
import { UnconvertibleModelError } from '../errors.ts';
import { GraphBuilder, type ElementType } from '../backend/graph/graphBuilder.ts';
import { LayerContext, type ConversionServices, type Mask } from './layerContext.ts';
import { identityPermutation } from '../backend/graph/layout.ts';
import { materialize } from '../backend/graph/materialize.ts';
import { tensorValue, type Dim, type TfjsElementType, type TensorValue } from '../backend/graph/tensorValue.ts';
import { readLayerArgs } from './layers/definition.ts';
import { layerDefinition } from './layers/index.ts';
import { applyMaskRule } from './layers/masking.ts';
import { LayerConfig } from './reader/layerConfig.ts';
import type { LayerSpec, ModelTopology, Producer, TensorRef } from './reader/modelTopology.ts';
import type { LayerWeights, WeightStore } from './reader/weights.ts';
import { assertConvertible } from './supportCheck.ts';

export interface GraphEndpoint {
  name: string;
  /** Sizes; 'batch' for the batch axis, `<name>_dim<i>` for other unknown sizes. */
  shape: (number | string)[];
  elementType: ElementType;
}

/** A source unit of the summary: a Keras layer, nested ones named by their model path (`base/conv1`). */
export interface ConvertedUnit {
  name: string;
  className: string;
}

export interface BuiltGraph {
  graph: GraphBuilder;
  inputs: GraphEndpoint[];
  outputs: GraphEndpoint[];
  units: ConvertedUnit[];
}

const refKey = (ref: TensorRef): string => `${ref.layerName}\u0000${ref.nodeIndex}\u0000${ref.tensorIndex}`;
const callKey = (ref: { layerName: string; nodeIndex: number }): string => `${ref.layerName}\u0000${ref.nodeIndex}`;

/** Stands for the outputs of a call that could not be converted, so the calls depending on it are skipped. */
const NOT_CONVERTED: TensorValue = tensorValue('', []);

/** A model's values while its calls are converted, by tensor (refKey) and, for failed calls, by call (callKey). */
interface ModelValues {
  tensors: Map<string, TensorValue>;
  masks: Map<string, Mask>;
  failed: Set<string>;
}

interface PendingCall {
  layer: LayerSpec;
  call: LayerSpec['calls'][number];
  nodeIndex: number;
}

export function buildGraph(topology: ModelTopology, weights: WeightStore, opset: number, source: string): BuiltGraph {
  assertConvertible(topology);
  const graph = new GraphBuilder();
  const outputNames = reserveEndpointNames(graph, topology);
  const layers = new Map(topology.layers.map((layer) => [layer.name, layer]));

  const inputs = topology.inputs.map((ref) => {
    const layer = requireLayer(layers, ref.layerName, 'input_layers', source);
    const { endpoint, value } = createGraphInput(layer);
    graph.inputs.push({ name: endpoint.name, elementType: endpoint.elementType, shape: endpoint.shape });
    return { endpoint, value };
  });

  const converter = new ModelConverter(graph, weights, opset, source, topology.producer);
  const result = converter.convertModel(
    topology,
    inputs.map((input) => input.value),
    [],
    '',
  );
  converter.throwIfAnyUnsupported();

  const unused = weights.unused();
  if (unused.length > 0) {
    const classes = new Map(listUnits(topology, '').map((unit) => [unit.name.split('/').at(-1), unit.className]));
    const described = unused.map(({ layerName, weight }) => `${weight.name} (layer "${layerName}", ${classes.get(layerName)})`);
    throw new InvalidInputError(`${source}: weightsManifest lists weight ${described.join(', ')}, which the layer's config does not use`);
  }

  const outputs = result.outputs.map((value, i) => {
    graph.currentLayer = topology.outputs[i].layerName;
    // Outputs leave in Keras's layout under the layer's name: an Identity, which the identity
    // pass folds into the producing node wherever it can.
    graph.nodeWithOutputName('Identity', [materialize(graph, value, identityPermutation(value.shape.length))], outputNames[i]);
    const endpoint: GraphEndpoint = { name: outputNames[i], shape: endpointShape(outputNames[i], value.shape), elementType: value.dtype };
    graph.outputs.push({ name: endpoint.name, elementType: endpoint.elementType, shape: endpoint.shape });
    return endpoint;
  });
  graph.currentLayer = '';
  return { graph, inputs: inputs.map((input) => input.endpoint), outputs, units: listUnits(topology, '') };
}

/** Every layer in topology order, the layers of nested models right after the model that holds them. */
function listUnits(topology: ModelTopology, prefix: string): ConvertedUnit[] {
  return topology.layers.flatMap((layer) => [
    { name: `${prefix}${layer.name}`, className: layer.className },
    ...(layer.model ? listUnits(layer.model, `${prefix}${layer.name}/`) : []),
  ]);
}

class ModelConverter implements ConversionServices {
  /** The model path of the layer being converted, so nested layers' nodes are named `base/conv1/Conv`. */
  private prefix = '';
  /** Unsupported options met so far: conversion goes on around them, to report them all at once. */
  private readonly unsupported: UnconvertibleModelError[] = [];

  constructor(
    private readonly graph: GraphBuilder,
    private readonly weights: WeightStore,
    private readonly opset: number,
    private readonly source: string,
    readonly producer: Producer,
  ) {}

  /**
   * Converts one application of a model to `inputs`. Calls are converted once all their inputs
   * exist; Keras lists layers in a valid order almost always, but shared layers called at
   * different depths may need several sweeps (as in tfjs).
   */
  convertModel(
    topology: ModelTopology,
    inputs: readonly TensorValue[],
    inputMasks: readonly Mask[],
    prefix: string,
  ): { outputs: TensorValue[]; masks: Mask[] } {
    const values = this.bindInputs(topology, inputs, inputMasks);
    let pending = topology.layers.flatMap((layer) => layer.calls.map((call, nodeIndex) => ({ layer, call, nodeIndex })));
    const layers = new Map(topology.layers.map((layer) => [layer.name, layer]));
    for (const { layer, call } of pending) {
      for (const ref of call.inputs) requireLayer(layers, ref.layerName, `the inputs of layer "${layer.name}"`, this.source);
    }
    while (pending.length > 0) {
      const waiting = pending.filter((item) => !this.convertCallIfReady(item, values, prefix));
      if (waiting.length === pending.length) {
        const stuck = waiting[0];
        const missing = stuck.call.inputs.find((ref) => !values.tensors.has(refKey(ref)));
        throw new InvalidInputError(
          `${this.source}: layer "${stuck.layer.name}" takes input ${missing?.layerName}[${missing?.nodeIndex}][${missing?.tensorIndex}], which no layer call produces`,
        );
      }
      pending = waiting;
    }
    return this.modelOutputs(topology, values);
  }

  /** The values of a model's inputs, checked against its input layers. */
  private bindInputs(topology: ModelTopology, inputs: readonly TensorValue[], inputMasks: readonly Mask[]): ModelValues {
    const layers = new Map(topology.layers.map((layer) => [layer.name, layer]));
    const values: ModelValues = { tensors: new Map(), masks: new Map(), failed: new Set() };
    if (inputs.length !== topology.inputs.length) {
      throw new InvalidInputError(
        `${this.source}: model "${topology.name}" takes ${topology.inputs.length} inputs but is called on ${inputs.length}`,
      );
    }
    topology.inputs.forEach((ref, i) => {
      const layer = requireLayer(layers, ref.layerName, `the input_layers of model "${topology.name}"`, this.source);
      if (layer.className !== 'InputLayer')
        throw new InvalidInputError(`layer "${layer.name}" (${layer.className}) is listed as a model input but is not an InputLayer`);
      values.tensors.set(refKey(ref), inputs[i]);
      values.masks.set(refKey(ref), inputMasks[i]);
    });
    return values;
  }

  /**
   * Converts one layer call whose inputs all exist, recording its outputs (or, when it or a call
   * it depends on could not be converted, that it failed); false while an input is still missing.
   */
  private convertCallIfReady(item: PendingCall, values: ModelValues, prefix: string): boolean {
    const key = callKey({ layerName: item.layer.name, nodeIndex: item.nodeIndex });
    if (item.call.inputs.some((ref) => values.failed.has(callKey(ref)) || values.tensors.get(refKey(ref)) === NOT_CONVERTED)) {
      values.failed.add(key);
      return true;
    }
    const callInputs = item.call.inputs.map((ref) => values.tensors.get(refKey(ref)));
    if (callInputs.some((input) => input === undefined)) return false;
    const callMasks = item.call.inputs.map((ref) => values.masks.get(refKey(ref)));
    const saved = this.prefix;
    this.prefix = prefix;
    const result = this.convertReportingUnsupported(item.layer, callInputs as TensorValue[], callMasks);
    this.prefix = saved;
    if (!result) {
      values.failed.add(key);
      return true;
    }
    result.outputs.forEach((value, tensorIndex) => {
      const output = refKey({ layerName: item.layer.name, nodeIndex: item.nodeIndex, tensorIndex });
      values.tensors.set(output, value);
      values.masks.set(output, result.masks[tensorIndex]);
    });
    return true;
  }

  private modelOutputs(topology: ModelTopology, values: ModelValues): { outputs: TensorValue[]; masks: Mask[] } {
    const outputs = topology.outputs.map((ref) => {
      if (values.failed.has(callKey(ref))) return NOT_CONVERTED;
      const value = values.tensors.get(refKey(ref));
      if (!value)
        throw new InvalidInputError(
          `${this.source}: model output ${ref.layerName}[${ref.nodeIndex}][${ref.tensorIndex}] is never computed`,
        );
      return value;
    });
    return { outputs, masks: topology.outputs.map((ref) => values.masks.get(refKey(ref))) };
  }

  /** Converts a call; an unsupported option is recorded (undefined returned) and conversion goes on. */
  private convertReportingUnsupported(
    layer: LayerSpec,
    inputs: TensorValue[],
    masks: Mask[],
  ): { outputs: TensorValue[]; masks: Mask[] } | undefined {
    const savedLayer = this.graph.currentLayer;
    try {
      return this.convertLayer(layer, inputs, masks, this.weights.forLayer(layer.name));
    } catch (error) {
      if (!(error instanceof UnconvertibleModelError)) throw error;
      this.graph.currentLayer = savedLayer;
      this.unsupported.push(error);
      return undefined;
    }
  }

  /** One error for every unsupported option met (the nodes added so far are never encoded). */
  throwIfAnyUnsupported(): void {
    if (this.unsupported.length === 0) return;
    if (this.unsupported.length === 1) throw this.unsupported[0];
    throw new UnconvertibleModelError(
      `${this.unsupported.length} layers use options the ONNX converter does not support: ${this.unsupported.map((error) => error.message).join('; ')}`,
    );
  }

  /** One call of a layer (a top-level one, a nested model's, or one a wrapper holds). */
  convertLayer(
    spec: LayerSpec,
    inputs: readonly TensorValue[],
    masks: readonly Mask[],
    weights: LayerWeights,
  ): { outputs: TensorValue[]; masks: Mask[] } {
    const config = new LayerConfig(spec.name, spec.className, spec.config);
    if (spec.className === 'InputLayer')
      throw new InvalidInputError(`${config.label} is called on other tensors; an InputLayer must be a model input`);
    if (spec.model) return this.convertModel(spec.model, inputs, masks, `${this.prefix}${spec.name}/`);
    const definition = layerDefinition(spec.className);
    // assertConvertible has listed every unknown class before any conversion started.
    if (!definition) throw new Error(`internal: no converter for ${spec.className}`);
    // The edge: every declared option read and checked before the converter runs on typed values.
    const args = readLayerArgs(definition.options, config);
    const savedLayer = this.graph.currentLayer;
    // A wrapped layer (it has no calls of its own) adds its nodes under its wrapper's name.
    if (spec.calls.length > 0) this.graph.currentLayer = `${this.prefix}${spec.name}`;
    const ctx = new LayerContext(config, inputs, this.graph, this.opset, weights, { masks, wrapped: spec.wrapped, services: this });
    const result = definition.convert(ctx, args);
    const outputs = Array.isArray(result) ? result : [result];
    const outputMasks = ctx.outputMasks ?? applyMaskRule(ctx, outputs);
    this.graph.currentLayer = savedLayer;
    return { outputs, masks: outputs.map((_, i) => outputMasks[i]) };
  }
}

/**
 * Inputs are named after their InputLayer, outputs after the layer producing them; reserving
 * them first keeps any internal node from taking those names.
 */
function reserveEndpointNames(graph: GraphBuilder, topology: ModelTopology): string[] {
  for (const ref of topology.inputs) graph.reserveExactName(ref.layerName);
  return topology.outputs.map((ref) => {
    if (graph.reserveExactName(ref.layerName)) return ref.layerName;
    return graph.uniqueName(`${ref.layerName}_${ref.nodeIndex}_${ref.tensorIndex}`);
  });
}

function createGraphInput(layer: LayerSpec): { endpoint: GraphEndpoint; value: TensorValue } {
  const config = new LayerConfig(layer.name, layer.className, layer.config);
  if (layer.className !== 'InputLayer') {
    throw new InvalidInputError(`${config.label} is listed as a model input but is not an InputLayer`);
  }
  const shape = inputShape(config);
  const dtype = inputDtype(config);
  const value = tensorValue(layer.name, shape, undefined, dtype);
  return { endpoint: { name: layer.name, shape: endpointShape(layer.name, shape), elementType: dtype }, value };
}

function inputShape(config: LayerConfig): Dim[] {
  if (config.has('batchInputShape')) return config.shape('batchInputShape');
  if (config.has('batchShape')) return config.shape('batchShape');
  if (config.has('inputShape')) return [null, ...config.shape('inputShape')];
  throw new InvalidInputError(`${config.label} declares no shape (batch_input_shape)`);
}

/** Keras 2 writes the dtype as a string, Keras 3 as a DTypePolicy object with the name inside. */
function inputDtype(config: LayerConfig): TfjsElementType {
  const raw = config.raw('dtype') ?? 'float32';
  const name = typeof raw === 'string' ? raw : (raw as { config?: { name?: unknown } }).config?.name;
  if (name === 'float32' || name === 'int32') return name;
  return config.unsupported('dtype', name ?? raw, ['float32', 'int32']);
}

export function endpointShape(name: string, shape: readonly Dim[]): (number | string)[] {
  return shape.map((size, i) => (size !== null ? size : i === 0 ? 'batch' : `${name}_dim${i}`));
}

function requireLayer(layers: Map<string, LayerSpec>, name: string, where: string, source: string): LayerSpec {
  const layer = layers.get(name);
  if (!layer) throw new InvalidInputError(`${source}: ${where} refers to layer "${name}", which the topology does not define`);
  return layer;
}
