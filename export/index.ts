/**
 * Export stage: a tfjs Layers model (model.json + weight shards) → ONNX ModelProto.
 *
 * read (reader/) → build the graph layer by layer (converter.ts dispatching to layers/*) →
 * clean up (passes/) → encode with metadata (onnx/). Nothing is written unless every step succeeds.
 */
import path from 'node:path';
import { InvalidInputError, InvalidOptionError } from '../common/errors.ts';
import { sha256OfFiles, writeFileAtomic } from '../common/files.ts';
import { projectVersion } from '../common/project.ts';
import { readTfjsModelFiles } from '../common/tfjsModelFiles.ts';
import { buildGraph } from './converter.ts';
import { metadataProperties, resolveMetadata, type PreprocessSpec } from './metadata.ts';
import { encodeModel } from './onnx/encodeModel.ts';
import { DEFAULT_OPSET, MAX_OPSET, MIN_OPSET } from './options.ts';
import { optimizeGraph } from './passes/index.ts';
import { parseModelTopology } from './reader/modelTopology.ts';
import { WeightStore, decodeWeights } from './reader/weights.ts';

export type { PreprocessSpec } from './metadata.ts';

export interface ConvertOptions {
  /** ONNX opset, 13–17 (default 13). */
  opset?: number;
  labels?: string[];
  preprocess?: PreprocessSpec;
}

export interface ConversionSummary {
  opset: number;
  inputs: { name: string; shape: (number | string)[] }[];
  outputs: { name: string; shape: (number | string)[] }[];
  /** Each Keras layer and the ONNX op types it became (after optimization). */
  layers: { name: string; className: string; onnxNodes: string[] }[];
  nodeCount: number;
  sourceSha256: string;
}

export { DEFAULT_OPSET, MAX_OPSET, MIN_OPSET } from './options.ts';

export async function convertLayersModel(modelJsonPath: string, options: ConvertOptions = {}): Promise<{ bytes: Uint8Array; summary: ConversionSummary }> {
  const opset = validateOpset(options.opset);
  const files = await readTfjsModelFiles(modelJsonPath);
  const source = modelJsonPath;
  const format = files.modelJson.format;
  if (format !== undefined && format !== 'layers-model') {
    throw new InvalidInputError(`${source} is a tfjs ${format}; only Layers models (format layers-model) can be converted`);
  }
  const topology = parseModelTopology(files.modelJson.modelTopology, source);
  const weights = new WeightStore(decodeWeights(files.weightData, files.weightSpecs, source), topology.layers.map((l) => l.name), source);
  const built = buildGraph(topology, weights, opset, source);
  optimizeGraph(built.graph);

  const sourceSha256 = await sha256OfFiles(files.files);
  const metadata = resolveMetadata(options, files.modelJson.userDefinedMetadata, sourceSha256, source);
  const bytes = encodeModel(built.graph, {
    opset,
    graphName: topology.name,
    producerName: 'tfjs-onnx',
    producerVersion: projectVersion(),
    docString: `Converted by tfjs-onnx from the tfjs Layers model ${path.basename(modelJsonPath)} (${topology.className} "${topology.name}").`,
    metadata: metadataProperties(metadata),
  });
  const summary: ConversionSummary = {
    opset,
    inputs: built.inputs.map(({ name, shape }) => ({ name, shape })),
    outputs: built.outputs.map(({ name, shape }) => ({ name, shape })),
    layers: topology.layers.map((layer) => ({
      name: layer.name,
      className: layer.className,
      onnxNodes: built.graph.nodes.filter((node) => node.layerName === layer.name).map((node) => node.opType),
    })),
    nodeCount: built.graph.nodes.length,
    sourceSha256,
  };
  return { bytes, summary };
}

export async function convertLayersModelToFile(
  modelJsonPath: string,
  onnxPath: string,
  options: ConvertOptions = {},
): Promise<ConversionSummary & { fileBytes: number }> {
  const { bytes, summary } = await convertLayersModel(modelJsonPath, options);
  await writeFileAtomic(onnxPath, bytes);
  return { ...summary, fileBytes: bytes.byteLength };
}

function validateOpset(opset: number | undefined): number {
  if (opset === undefined) return DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new InvalidOptionError(`opset must be an integer from ${MIN_OPSET} to ${MAX_OPSET}, got ${opset}`);
  }
  return opset;
}
