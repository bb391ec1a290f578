/**
 * The converted graph's inputs and outputs: inputs named after their InputLayer with its shape and
 * dtype, outputs after the layer producing them, unknown sizes named (`batch`, `<name>_dim<i>`).
 * The GraphModel front end names its endpoints the same way.
 */
import { InvalidInputError } from '../../common/errors.ts';
import type { ElementType, GraphBuilder } from '../backend/graph/graphBuilder.ts';
import { type Dim, type TensorValue, type TfjsElementType, tensorValue } from '../backend/graph/tensorValue.ts';
import { LayerConfig } from './reader/layerConfig.ts';
import type { LayerSpec, ModelTopology } from './reader/modelTopology.ts';

export interface GraphEndpoint {
  name: string;
  /** Sizes; 'batch' for the batch axis, `<name>_dim<i>` for other unknown sizes. */
  shape: (number | string)[];
  elementType: ElementType;
}

/**
 * Inputs are named after their InputLayer, outputs after the layer producing them; reserving
 * them first keeps any internal node from taking those names.
 */
export function reserveEndpointNames(graph: GraphBuilder, topology: ModelTopology): string[] {
  for (const ref of topology.inputs) graph.reserveExactName(ref.layerName);
  return topology.outputs.map((ref) => {
    if (graph.reserveExactName(ref.layerName)) return ref.layerName;
    return graph.uniqueName(`${ref.layerName}_${ref.nodeIndex}_${ref.tensorIndex}`);
  });
}

export function createGraphInput(layer: LayerSpec): { endpoint: GraphEndpoint; value: TensorValue } {
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
