/**
 * The walk over the Keras graph, in tf2onnx's manner: each layer call is converted once all its
 * inputs exist, by the converter registered for its class (export/layersModel/layers/*). A model
 * used as a layer is walked inline, recursively, to any depth; wrappers (TimeDistributed,
 * Bidirectional) call back in for the layers they hold. Keras masks travel beside the tensors they
 * describe and are applied by the layers that consume them. A call that uses an unsupported option
 * is recorded and the walk goes on around it, so every such option is reported at once.
 */
import { InvalidInputError } from '../../common/errors.ts';
import type { GraphBuilder } from '../backend/graph/graphBuilder.ts';
import { type TensorValue, tensorValue } from '../backend/graph/tensorValue.ts';
import { UnconvertibleModelError } from '../errors.ts';
import { type ConversionServices, LayerContext, type Mask } from './layerContext.ts';
import { readLayerArgs } from './layers/definition.ts';
import { layerDefinition } from './layers/index.ts';
import { applyMaskRule } from './layers/masking.ts';
import { LayerConfig } from './reader/layerConfig.ts';
import type { LayerSpec, ModelTopology, Producer, TensorRef } from './reader/modelTopology.ts';
import type { LayerWeights, WeightStore } from './reader/weights.ts';

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

export class ModelConverter implements ConversionServices {
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

export function requireLayer(layers: Map<string, LayerSpec>, name: string, where: string, source: string): LayerSpec {
  const layer = layers.get(name);
  if (!layer) throw new InvalidInputError(`${source}: ${where} refers to layer "${name}", which the topology does not define`);
  return layer;
}
