/**
 * The model.json topology, normalized once: whatever Keras or tfjs version wrote it (Sequential
 * as a bare list or as `config.layers`, functional models with inbound nodes in the old list
 * form or Keras 3's `args`/`keras_history` form, `batch_input_shape` or `batch_shape`), the
 * converter sees one functional graph of layers and the calls between them. Models used as
 * layers and the layers inside wrappers (TimeDistributed, Bidirectional) are parsed here too,
 * from the raw JSON, because their own layer names and inbound nodes must not be camelCased.
 */
import { InvalidInputError } from '../../../common/errors.ts';
import { camelCaseConfig } from './casing.ts';

/** Output `tensorIndex` of the `nodeIndex`-th call of layer `layerName` (Keras's node coordinates). */
export interface TensorRef {
  layerName: string;
  nodeIndex: number;
  tensorIndex: number;
}

/** One application of a layer to its inputs; a shared layer has several. */
export interface LayerCall {
  inputs: TensorRef[];
}

export interface LayerSpec {
  name: string;
  className: string;
  /** The layer's config with camelCased keys and string values (tfjs's spelling). */
  config: Record<string, unknown>;
  /** Calls in Keras node order; an InputLayer has none (its tensor is node 0 by definition). */
  calls: LayerCall[];
  /** Set when the layer is itself a Sequential or functional model (transfer learning's base model). */
  model?: ModelTopology;
  /** The layers a wrapper holds: `layer` (TimeDistributed, Bidirectional) and Bidirectional's optional `backwardLayer`. */
  wrapped?: { layer?: LayerSpec; backwardLayer?: LayerSpec };
}

/**
 * Who wrote the file. tfjs and Keras give a few layers different semantics under the same class
 * name (Resizing's sampling grid, CenterCrop's crop, Bidirectional's outputs at masked steps), so
 * the converter follows the writer's.
 */
export interface Producer {
  framework: 'tfjs' | 'keras';
  /** Keras's major version (tfjs-layers writes Keras 2 configs: 2). */
  kerasMajor: number;
}

export interface ModelTopology {
  name: string;
  /** 'Sequential', 'Model' or 'Functional': what the file said, for messages and doc strings. */
  className: string;
  layers: LayerSpec[];
  inputs: TensorRef[];
  outputs: TensorRef[];
  producer: Producer;
}

/** Class names under which Keras and tfjs save a model that is used as a layer. */
export const MODEL_CLASSES: readonly string[] = ['Sequential', 'Model', 'Functional'];

type Json = Record<string, unknown>;

export function parseModelTopology(modelTopology: unknown, source: string): ModelTopology {
  const root = unwrapModelConfig(modelTopology, source);
  return parseModel(root, readProducer(modelTopology), source);
}

/** `keras_version` is "tfjs-layers 4.22.0" when tfjs wrote the file, "2.15.0" or "3.4.1" when Keras did. */
function readProducer(modelTopology: unknown): Producer {
  const version = isObject(modelTopology) ? modelTopology.keras_version : undefined;
  if (typeof version !== 'string' || version.startsWith('tfjs')) return { framework: 'tfjs', kerasMajor: 2 };
  const major = Number.parseInt(version, 10);
  return { framework: 'keras', kerasMajor: Number.isFinite(major) ? major : 2 };
}

function parseModel(root: Json, producer: Producer, source: string): ModelTopology {
  const className = root.class_name;
  if (className === 'Sequential') return parseSequential(root.config, producer, source);
  if (className === 'Model' || className === 'Functional') return parseFunctional(root.config, String(className), producer, source);
  throw new InvalidInputError(
    `${source}: modelTopology has class_name ${JSON.stringify(className)}; expected Sequential, Model or Functional`,
  );
}

/** Keras's own JSON nests the model under `model_config`; tfjs and the tfjs converter put it at the top. */
function unwrapModelConfig(modelTopology: unknown, source: string): Json {
  if (!isObject(modelTopology)) throw new InvalidInputError(`${source}: modelTopology must be an object`);
  const root = isObject(modelTopology.model_config) ? modelTopology.model_config : modelTopology;
  if (typeof root.class_name !== 'string' || root.config === undefined) {
    throw new InvalidInputError(`${source}: modelTopology has no class_name/config describing the model`);
  }
  return root;
}

function parseSequential(config: unknown, producer: Producer, source: string): ModelTopology {
  // Keras 1 / early Keras 2 wrote a Sequential's config as the bare list of layers.
  const rawLayers = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
  if (!Array.isArray(rawLayers) || rawLayers.length === 0) {
    throw new InvalidInputError(`${source}: the Sequential model lists no layers`);
  }
  const name = isObject(config) && typeof config.name === 'string' ? config.name : 'sequential';
  const entries = rawLayers.map((entry, index) => readLayerEntry(entry, index, producer, source));
  const layers: LayerSpec[] = [];
  if (entries[0].className !== 'InputLayer') {
    layers.push(syntheticInputLayer(entries[0], isObject(config) ? config : {}, source));
  }
  for (const entry of entries) {
    const previous = layers.at(-1);
    const calls = previous ? [{ inputs: [{ layerName: previous.name, nodeIndex: 0, tensorIndex: 0 }] }] : [];
    layers.push({ ...entry, calls: entry.className === 'InputLayer' ? [] : calls });
  }
  assertUniqueNames(layers, source);
  const first = layers[0];
  const last = layers[layers.length - 1];
  return {
    name,
    className: 'Sequential',
    layers,
    inputs: [{ layerName: first.name, nodeIndex: 0, tensorIndex: 0 }],
    outputs: [{ layerName: last.name, nodeIndex: 0, tensorIndex: 0 }],
    producer,
  };
}

/**
 * A Sequential model without an explicit InputLayer declares its input on the first layer
 * (`batch_input_shape`, `batch_shape`, `input_shape`, or the model's `build_input_shape`);
 * tfjs then names the input `<first layer>_input`, and so do we.
 */
function syntheticInputLayer(first: Omit<LayerSpec, 'calls'>, modelConfig: Json, source: string): LayerSpec {
  // A nested Sequential as the first layer carries the input shape on its own first layer.
  const c = first.model ? (first.model.layers[0].config as Json) : first.config;
  const inputShape = Array.isArray(c.inputShape) ? [null, ...c.inputShape] : undefined;
  const batchShape = c.batchInputShape ?? c.batchShape ?? inputShape ?? camelCaseConfig(modelConfig.build_input_shape);
  if (!Array.isArray(batchShape)) {
    throw new InvalidInputError(
      `${source}: the first layer "${first.name}" (${first.className}) of the Sequential model declares no input shape (batch_input_shape)`,
    );
  }
  return {
    name: `${first.name}_input`,
    className: 'InputLayer',
    config: { batchInputShape: batchShape, dtype: c.dtype ?? 'float32', name: `${first.name}_input` },
    calls: [],
  };
}

function parseFunctional(config: unknown, className: string, producer: Producer, source: string): ModelTopology {
  if (!isObject(config) || !Array.isArray(config.layers)) {
    throw new InvalidInputError(`${source}: the ${className} model's config has no layers list`);
  }
  const layers = config.layers.map((entry, index): LayerSpec => {
    const spec = readLayerEntry(entry, index, producer, source);
    const inbound = isObject(entry) ? (entry.inbound_nodes ?? []) : [];
    if (!Array.isArray(inbound)) throw new InvalidInputError(`${source}: layer "${spec.name}" has malformed inbound_nodes`);
    return { ...spec, calls: inbound.map((node) => ({ inputs: readInboundNode(node, spec.name, source) })) };
  });
  assertUniqueNames(layers, source);
  const topology = {
    name: typeof config.name === 'string' ? config.name : 'model',
    className,
    layers,
    inputs: readEndpointList(config.input_layers, 'input_layers', source),
    outputs: readEndpointList(config.output_layers, 'output_layers', source),
    producer,
  };
  renumberModelLayerNodes(topology);
  return topology;
}

/**
 * A functional model (and a Sequential built with an input shape) is born with a node of its own,
 * linking its inputs to its outputs, which Keras and tfjs leave out of the saved inbound nodes but
 * still count: a parent's references to such a nested model start at node 1. Where every
 * reference is shifted that way, shift it back so node i is the model's i-th saved call.
 */
function renumberModelLayerNodes(topology: ModelTopology): void {
  const refs = [...topology.layers.flatMap((layer) => layer.calls.flatMap((call) => call.inputs)), ...topology.outputs];
  for (const layer of topology.layers) {
    if (!layer.model) continue;
    const mine = refs.filter((ref) => ref.layerName === layer.name);
    if (mine.length === 0 || mine.some((ref) => ref.nodeIndex === 0)) continue;
    if (Math.max(...mine.map((ref) => ref.nodeIndex)) !== layer.calls.length) continue;
    for (const ref of mine) ref.nodeIndex -= 1;
  }
}

function readLayerEntry(entry: unknown, index: number | string, producer: Producer, source: string): Omit<LayerSpec, 'calls'> {
  const where = typeof index === 'number' ? `layer #${index}` : index;
  if (!isObject(entry) || typeof entry.class_name !== 'string' || !isObject(entry.config)) {
    throw new InvalidInputError(`${source}: ${where} has no class_name/config`);
  }
  const config = camelCaseConfig(entry.config) as Json;
  const name = typeof entry.config.name === 'string' ? entry.config.name : typeof entry.name === 'string' ? entry.name : undefined;
  if (!name) throw new InvalidInputError(`${source}: ${where} (${entry.class_name}) has no name`);
  const spec: Omit<LayerSpec, 'calls'> = { name, className: entry.class_name, config };
  if (MODEL_CLASSES.includes(entry.class_name)) spec.model = parseModel(entry, producer, source);
  const wrapped = readWrappedLayers(entry.config, name, producer, source);
  if (wrapped) spec.wrapped = wrapped;
  return spec;
}

/** A wrapper's inner layers, read like any layer entry (they may be models themselves). */
function readWrappedLayers(config: Json, name: string, producer: Producer, source: string): LayerSpec['wrapped'] {
  const read = (key: string) => {
    const entry = config[key];
    if (!isObject(entry) || typeof entry.class_name !== 'string') return undefined;
    return { ...readLayerEntry(entry, `the ${key} wrapped by layer "${name}"`, producer, source), calls: [] };
  };
  const layer = read('layer');
  const backwardLayer = read('backward_layer');
  if (!layer && !backwardLayer) return undefined;
  return { ...(layer ? { layer } : {}), ...(backwardLayer ? { backwardLayer } : {}) };
}

/**
 * One call of a layer. Old form: `[["conv", 0, 0, {}], ...]`. Keras 3 form:
 * `{"args": [...], "kwargs": {...}}` where each input tensor is a `__keras_tensor__` whose
 * `keras_history` is `[layer, node, tensor]`, possibly nested in lists (merge layers).
 */
function readInboundNode(node: unknown, layerName: string, source: string): TensorRef[] {
  if (Array.isArray(node)) return node.map((item) => readRefTuple(item, `inbound node of layer "${layerName}"`, source));
  if (isObject(node) && 'args' in node) {
    const refs: TensorRef[] = [];
    collectKerasTensors(node.args, refs, layerName, source);
    // A recurrent layer's initial state is a keyword argument in Keras 3; it follows the sequence.
    if (isObject(node.kwargs)) collectKerasTensors(node.kwargs.initial_state, refs, layerName, source);
    if (refs.length === 0) throw new InvalidInputError(`${source}: the inbound node of layer "${layerName}" names no input tensor`);
    return refs;
  }
  throw new InvalidInputError(`${source}: layer "${layerName}" has an inbound node in an unknown format: ${JSON.stringify(node)}`);
}

function collectKerasTensors(value: unknown, refs: TensorRef[], layerName: string, source: string): void {
  if (Array.isArray(value)) {
    for (const item of value) collectKerasTensors(item, refs, layerName, source);
  } else if (isObject(value) && value.class_name === '__keras_tensor__' && isObject(value.config)) {
    refs.push(readRefTuple(value.config.keras_history, `inbound node of layer "${layerName}"`, source));
  }
}

/** `input_layers` / `output_layers`: a list of `[name, node, tensor]`, or Keras 3's bare triple for one endpoint. */
function readEndpointList(value: unknown, field: string, source: string): TensorRef[] {
  if (!Array.isArray(value) || value.length === 0) throw new InvalidInputError(`${source}: the model's ${field} is missing or empty`);
  const list = typeof value[0] === 'string' ? [value] : value;
  return list.map((item) => readRefTuple(item, field, source));
}

function readRefTuple(value: unknown, where: string, source: string): TensorRef {
  if (!Array.isArray(value) || typeof value[0] !== 'string' || !Number.isInteger(value[1] ?? 0) || !Number.isInteger(value[2] ?? 0)) {
    throw new InvalidInputError(`${source}: malformed tensor reference in ${where}: ${JSON.stringify(value)}`);
  }
  return { layerName: value[0], nodeIndex: (value[1] as number | undefined) ?? 0, tensorIndex: (value[2] as number | undefined) ?? 0 };
}

function assertUniqueNames(layers: LayerSpec[], source: string): void {
  const seen = new Set<string>();
  for (const layer of layers) {
    if (seen.has(layer.name)) throw new InvalidInputError(`${source}: two layers are named "${layer.name}"`);
    seen.add(layer.name);
  }
}

/** The names of every layer, those of nested models and the models themselves included (the owners weights can have). */
export function allLayerNames(topology: ModelTopology): string[] {
  const inside = (spec: Omit<LayerSpec, 'calls'> | undefined): string[] => (spec?.model ? allLayerNames(spec.model) : []);
  // A wrapped model's layers own their weights; a wrapped plain layer's weights are its wrapper's.
  return topology.layers.flatMap((layer) => [
    layer.name,
    ...inside(layer),
    ...inside(layer.wrapped?.layer),
    ...inside(layer.wrapped?.backwardLayer),
  ]);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
