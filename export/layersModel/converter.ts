/**
 * The converter core, in tf2onnx's manner: it walks the Keras graph in dependency order
 * (modelWalk.ts) and dispatches each layer call to the converter registered for its class; what a
 * layer becomes is decided in export/layersModel/layers/*. Graph inputs and outputs keep the
 * model's names and Keras layouts (endpoints.ts). This module builds the whole graph: the checks
 * before the walk, the walk, the weights nothing used, and the outputs.
 */
import { InvalidInputError } from '../../common/errors.ts';
import { GraphBuilder } from '../backend/graph/graphBuilder.ts';
import { identityPermutation } from '../backend/graph/layout.ts';
import { materialize } from '../backend/graph/materialize.ts';
import { createGraphInput, endpointShape, type GraphEndpoint, reserveEndpointNames } from './endpoints.ts';
import { ModelConverter, requireLayer } from './modelWalk.ts';
import type { ModelTopology } from './reader/modelTopology.ts';
import type { WeightStore } from './reader/weights.ts';
import { assertConvertible } from './supportCheck.ts';

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
