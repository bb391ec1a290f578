/**
 * The converter core, in tf2onnx's manner: it only walks the Keras graph in dependency order and
 * dispatches each layer call to the converter registered for its class; what a layer becomes is
 * decided in export/layers/*. Graph inputs and outputs keep the model's names and Keras layouts.
 */
import { InvalidInputError } from '../common/errors.ts';
import { UnsupportedModelError } from './errors.ts';
import { GraphBuilder, type ElementType } from './graph/graphBuilder.ts';
import { LayerContext } from './graph/layerContext.ts';
import { identityPermutation } from './graph/layout.ts';
import { materialize } from './graph/materialize.ts';
import { tensorValue, type Dim, type TensorDtype, type TensorValue } from './graph/tensorValue.ts';
import { layerConverter, supportedLayerClasses } from './layers/index.ts';
import { LayerConfig } from './reader/layerConfig.ts';
import type { LayerSpec, ModelTopology, TensorRef } from './reader/modelTopology.ts';
import type { WeightStore } from './reader/weights.ts';

export interface GraphEndpoint {
  name: string;
  /** Sizes; 'batch' for the batch axis, `<name>_dim<i>` for other unknown sizes. */
  shape: (number | string)[];
  elementType: ElementType;
}

export interface BuiltGraph {
  graph: GraphBuilder;
  inputs: GraphEndpoint[];
  outputs: GraphEndpoint[];
}

const refKey = (ref: TensorRef): string => `${ref.layerName}\u0000${ref.nodeIndex}\u0000${ref.tensorIndex}`;

export function buildGraph(topology: ModelTopology, weights: WeightStore, opset: number, source: string): BuiltGraph {
  const graph = new GraphBuilder();
  const layers = new Map(topology.layers.map((layer) => [layer.name, layer]));
  const tensors = new Map<string, TensorValue>();
  const outputNames = reserveEndpointNames(graph, topology);

  const inputs = topology.inputs.map((ref) => {
    const layer = requireLayer(layers, ref.layerName, 'input_layers', source);
    const { endpoint, value } = createGraphInput(layer);
    tensors.set(refKey(ref), value);
    graph.inputs.push({ name: endpoint.name, elementType: endpoint.elementType, shape: endpoint.shape });
    return endpoint;
  });

  convertLayerCalls(topology, layers, tensors, graph, weights, opset, source);

  const unused = weights.unused();
  if (unused.length > 0) {
    const described = unused.map(({ layerName, weight }) => `${weight.name} (layer "${layerName}", ${layers.get(layerName)?.className})`);
    throw new InvalidInputError(`${source}: weightsManifest lists weight ${described.join(', ')}, which the layer's config does not use`);
  }

  const outputs = topology.outputs.map((ref, i) => {
    const value = tensors.get(refKey(ref));
    if (!value) throw new InvalidInputError(`${source}: model output ${ref.layerName}[${ref.nodeIndex}][${ref.tensorIndex}] is never computed`);
    graph.currentLayer = ref.layerName;
    // Outputs leave in Keras's layout under the layer's name: an Identity, which the identity
    // pass folds into the producing node wherever it can.
    graph.nodeWithOutputName('Identity', [materialize(graph, value, identityPermutation(value.shape.length))], outputNames[i]);
    const endpoint: GraphEndpoint = { name: outputNames[i], shape: endpointShape(outputNames[i], value.shape), elementType: value.dtype };
    graph.outputs.push({ name: endpoint.name, elementType: endpoint.elementType, shape: endpoint.shape });
    return endpoint;
  });
  graph.currentLayer = '';
  return { graph, inputs, outputs };
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
function inputDtype(config: LayerConfig): TensorDtype {
  const raw = config.raw('dtype') ?? 'float32';
  const name = typeof raw === 'string' ? raw : (raw as { config?: { name?: unknown } }).config?.name;
  if (name === 'float32' || name === 'int32') return name;
  return config.unsupported('dtype', name ?? raw, ['float32', 'int32']);
}

export function endpointShape(name: string, shape: readonly Dim[]): (number | string)[] {
  return shape.map((size, i) => (size !== null ? size : i === 0 ? 'batch' : `${name}_dim${i}`));
}

/**
 * Calls are converted once all their inputs exist. Keras lists layers in a valid order almost
 * always, but shared layers called at different depths may need several sweeps (as in tfjs).
 */
function convertLayerCalls(
  topology: ModelTopology,
  layers: Map<string, LayerSpec>,
  tensors: Map<string, TensorValue>,
  graph: GraphBuilder,
  weights: WeightStore,
  opset: number,
  source: string,
): void {
  let pending = topology.layers.flatMap((layer) => layer.calls.map((call, nodeIndex) => ({ layer, call, nodeIndex })));
  for (const { layer, call } of pending) {
    for (const ref of call.inputs) requireLayer(layers, ref.layerName, `the inputs of layer "${layer.name}"`, source);
    if (!layerConverter(layer.className) && layer.className !== 'InputLayer') throw unsupportedLayer(layer);
  }
  while (pending.length > 0) {
    const waiting: typeof pending = [];
    for (const item of pending) {
      const inputs = item.call.inputs.map((ref) => tensors.get(refKey(ref)));
      if (inputs.some((input) => input === undefined)) {
        waiting.push(item);
        continue;
      }
      const outputs = convertCall(item.layer, inputs as TensorValue[], graph, weights, opset);
      outputs.forEach((value, tensorIndex) => tensors.set(refKey({ layerName: item.layer.name, nodeIndex: item.nodeIndex, tensorIndex }), value));
    }
    if (waiting.length === pending.length) {
      const stuck = waiting[0];
      const missing = stuck.call.inputs.find((ref) => !tensors.has(refKey(ref)));
      throw new InvalidInputError(
        `${source}: layer "${stuck.layer.name}" takes input ${missing?.layerName}[${missing?.nodeIndex}][${missing?.tensorIndex}], which no layer call produces`,
      );
    }
    pending = waiting;
  }
}

function convertCall(layer: LayerSpec, inputs: TensorValue[], graph: GraphBuilder, weights: WeightStore, opset: number): TensorValue[] {
  const config = new LayerConfig(layer.name, layer.className, layer.config);
  if (layer.className === 'InputLayer') throw new InvalidInputError(`${config.label} is called on other tensors; an InputLayer must be a model input`);
  const converter = layerConverter(layer.className);
  if (!converter) throw unsupportedLayer(layer);
  graph.currentLayer = layer.name;
  const result = converter(new LayerContext(config, inputs, graph, opset, weights.forLayer(layer.name)));
  return Array.isArray(result) ? result : [result];
}

function unsupportedLayer(layer: LayerSpec): UnsupportedModelError {
  return new UnsupportedModelError(
    `layer "${layer.name}" has class ${layer.className}, which the ONNX converter does not support; supported layers: ${supportedLayerClasses().join(', ')}`,
  );
}

function requireLayer(layers: Map<string, LayerSpec>, name: string, where: string, source: string): LayerSpec {
  const layer = layers.get(name);
  if (!layer) throw new InvalidInputError(`${source}: ${where} refers to layer "${name}", which the topology does not define`);
  return layer;
}
