/**
 * Export stage: a tfjs model (model.json + weight shards) → ONNX ModelProto, from either front end:
 * a Layers model (layersModel/: reader/ → converter.ts dispatching to layers/*) or a GraphModel
 * (graphModel/ → graphModel/tfOps/*), both into one back end (backend/): the graph builder,
 * clean-up passes (passes/), precision and the encoder with metadata (onnx/). Nothing is written
 * unless every step succeeds.
 */
import path from 'node:path';
import { METADATA_DTYPE } from '@tfjs-onnx/runtime/constants';
import { InvalidInputError, InvalidOptionError } from '../common/errors.ts';
import { sha256OfFiles, writeFileAtomic } from '../common/files.ts';
import { projectVersion } from '../common/project.ts';
import { readTfjsModelFiles, type TfjsModelFiles } from '../common/tfjsModelFiles.ts';
import { buildGraph } from './layersModel/converter.ts';
import type { GraphEndpoint } from './layersModel/endpoints.ts';
import type { GraphBuilder } from './backend/graph/graphBuilder.ts';
import { buildGraphModelGraph, type GraphModelSignature } from './graphModel/convertGraph.ts';
import { parseGraphDef } from './graphModel/graphDef.ts';
import { decodeGraphWeights } from './graphModel/weights.ts';
import { metadataProperties, resolveMetadata, type PreprocessSpec, type SourceFormat } from './backend/metadata.ts';
import { encodeModel } from './backend/onnx/encodeModel.ts';
import { DEFAULT_OPSET, MAX_OPSET, MIN_OPSET } from './options.ts';
import { optimizeGraph } from './backend/passes/index.ts';
import { loadPlugins } from './layersModel/plugins.ts';
import {
  validateDtype,
  variantPath,
  withPrecision,
  type Dtype,
  type PrecisionSummary,
  type QuantizeForms,
} from './backend/precision/index.ts';
import { allLayerNames, parseModelTopology } from './layersModel/reader/modelTopology.ts';
import { WeightStore, decodeWeights } from './layersModel/reader/weights.ts';

export type { PreprocessSpec, SourceFormat } from './backend/metadata.ts';
export { loadPlugins, registerLayerConverter } from './layersModel/plugins.ts';
export type { Dtype, PrecisionSummary } from './backend/precision/index.ts';

export interface ConvertOptions {
  /** ONNX opset, 13–17 (default 13). */
  opset?: number;
  labels?: string[];
  preprocess?: PreprocessSpec;
  /** Precision of the weights and compute: fp32 (default), fp16 or q8 (export/backend/precision/). */
  dtype?: Dtype;
  /** q8 only: the quantized forms to write (default: the measured fastest; the benchmark compares the others). */
  quantization?: Partial<QuantizeForms>;
  /** Plugin modules to import first (paths relative to the working directory, or package names); see export/layersModel/plugins.ts. */
  plugins?: readonly string[];
}

export interface ConversionSummary {
  opset: number;
  /** The tfjs format converted: a Layers model or a GraphModel. */
  sourceFormat: SourceFormat;
  inputs: { name: string; shape: (number | string)[] }[];
  outputs: { name: string; shape: (number | string)[] }[];
  /**
   * Source units and the ONNX op types each became (after optimization): Keras layers (className
   * is the layer class), or a GraphModel's TF nodes grouped by name scope (className lists their ops).
   */
  layers: { name: string; className: string; onnxNodes: string[] }[];
  nodeCount: number;
  sourceSha256: string;
  dtype: Dtype;
  /** What the precision pass did (which ops stayed float32 and why, which matmuls became integer). */
  precision: PrecisionSummary;
}

export interface ConversionResult {
  bytes: Uint8Array;
  summary: ConversionSummary;
}

export { DEFAULT_OPSET, MAX_OPSET, MIN_OPSET } from './options.ts';

/** Converts a Layers model or a GraphModel, whichever model.json's `format` says it is. */
export async function convertModel(modelJsonPath: string, options: ConvertOptions = {}): Promise<ConversionResult> {
  const opset = validateOpset(options.opset);
  validateDtype(options.dtype);
  if (options.plugins?.length) await loadPlugins(options.plugins);
  const files = await readTfjsModelFiles(modelJsonPath);
  return modelFormat(files, modelJsonPath) === 'graph-model'
    ? convertGraphModelFiles(files, modelJsonPath, options, opset)
    : convertLayersModelFiles(files, modelJsonPath, options, opset);
}

export async function convertModelToFile(
  modelJsonPath: string,
  onnxPath: string,
  options: ConvertOptions = {},
): Promise<ConversionSummary & { fileBytes: number }> {
  return writeConversion(await convertModel(modelJsonPath, options), onnxPath);
}

/** `format` from model.json; files written before tfjs recorded it are Layers models when their topology has a model_config. */
export function modelFormat(files: TfjsModelFiles, source: string): SourceFormat {
  const format = files.modelJson.format;
  if (format === 'layers-model' || format === 'graph-model') return format;
  if (format === undefined) {
    const topology = files.modelJson.modelTopology as { node?: unknown } | undefined;
    return Array.isArray(topology?.node) ? 'graph-model' : 'layers-model';
  }
  throw new InvalidInputError(`${source} has format ${JSON.stringify(format)}; the converter reads layers-model and graph-model`);
}

/** The Layers front end only (rejects GraphModels; convertModel takes both). */
export async function convertLayersModel(modelJsonPath: string, options: ConvertOptions = {}): Promise<ConversionResult> {
  const opset = validateOpset(options.opset);
  validateDtype(options.dtype);
  if (options.plugins?.length) await loadPlugins(options.plugins);
  const files = await readTfjsModelFiles(modelJsonPath);
  const format = files.modelJson.format;
  if (format !== undefined && format !== 'layers-model') {
    throw new InvalidInputError(
      `${modelJsonPath} is a tfjs ${format}; convertLayersModel reads only Layers models (format layers-model); convertModel reads both`,
    );
  }
  return convertLayersModelFiles(files, modelJsonPath, options, opset);
}

export async function convertLayersModelToFile(
  modelJsonPath: string,
  onnxPath: string,
  options: ConvertOptions = {},
): Promise<ConversionSummary & { fileBytes: number }> {
  return writeConversion(await convertLayersModel(modelJsonPath, options), onnxPath);
}

async function writeConversion(result: ConversionResult, onnxPath: string): Promise<ConversionSummary & { fileBytes: number }> {
  await writeFileAtomic(onnxPath, result.bytes);
  return { ...result.summary, fileBytes: result.bytes.byteLength };
}

async function convertLayersModelFiles(
  files: TfjsModelFiles,
  source: string,
  options: ConvertOptions,
  opset: number,
): Promise<ConversionResult> {
  const topology = parseModelTopology(files.modelJson.modelTopology, source);
  const weights = new WeightStore(decodeWeights(files.weightData, files.weightSpecs, source), allLayerNames(topology), source);
  const built = buildGraph(topology, weights, opset, source);
  return finishConversion(built, files, source, options, {
    opset,
    sourceFormat: 'layers-model',
    graphName: topology.name,
    docString: `Converted by tfjs-onnx from the tfjs Layers model ${path.basename(source)} (${topology.className} "${topology.name}").`,
    units: built.units,
  });
}

async function convertGraphModelFiles(
  files: TfjsModelFiles,
  source: string,
  options: ConvertOptions,
  opset: number,
): Promise<ConversionResult> {
  const modelJson = files.modelJson as typeof files.modelJson & { signature?: GraphModelSignature; modelInitializer?: unknown };
  // tfjs-converter's GraphModel prefers the signature in userDefinedMetadata (where some converters put it) to the top-level one.
  const metadataSignature = (modelJson.userDefinedMetadata as { signature?: GraphModelSignature } | undefined)?.signature;
  const signature = metadataSignature ?? modelJson.signature;
  if (modelJson.modelInitializer !== undefined) {
    throw new InvalidInputError(`${source} has a modelInitializer (hash-table initialization), which the ONNX converter does not support`);
  }
  const graphDef = parseGraphDef(modelJson.modelTopology, source);
  const weights = decodeGraphWeights(files.weightData, files.weightSpecs, source);
  const built = buildGraphModelGraph(graphDef, weights, signature, opset, source);
  const name = path.basename(path.dirname(path.resolve(source))) || 'graph';
  return finishConversion(built, files, source, options, {
    opset,
    sourceFormat: 'graph-model',
    graphName: name,
    docString: `Converted by tfjs-onnx from the tfjs GraphModel ${path.basename(source)} (${graphDef.nodes.length} TensorFlow nodes).`,
    units: built.units.map((unit) => ({ name: unit.name, className: unit.ops })),
  });
}

interface FrontEndDescription {
  opset: number;
  sourceFormat: SourceFormat;
  graphName: string;
  docString: string;
  /** Source units in order; the graph's nodes carry their names (GraphNode.layerName). */
  units: { name: string; className: string }[];
}

/** The shared back end: optimize, encode with metadata, summarize. */
async function finishConversion(
  built: { graph: GraphBuilder; inputs: GraphEndpoint[]; outputs: GraphEndpoint[] },
  files: TfjsModelFiles,
  source: string,
  options: ConvertOptions,
  description: FrontEndDescription,
): Promise<ConversionResult> {
  optimizeGraph(built.graph);
  const dtype = validateDtype(options.dtype);
  const { graph, summary: precision } = withPrecision(built.graph, dtype, options.quantization);
  const sourceSha256 = await sha256OfFiles(files.files);
  const metadata = {
    ...resolveMetadata(options, files.modelJson.userDefinedMetadata, sourceSha256, source),
    sourceFormat: description.sourceFormat,
  };
  const bytes = encodeModel(graph, {
    opset: description.opset,
    graphName: description.graphName,
    producerName: 'tfjs-onnx',
    producerVersion: projectVersion(),
    docString: description.docString,
    metadata: { ...metadataProperties(metadata), [METADATA_DTYPE]: dtype },
  });
  const summary: ConversionSummary = {
    opset: description.opset,
    sourceFormat: description.sourceFormat,
    inputs: built.inputs.map(({ name, shape }) => ({ name, shape })),
    outputs: built.outputs.map(({ name, shape }) => ({ name, shape })),
    layers: description.units.map((unit) => ({
      name: unit.name,
      className: unit.className,
      onnxNodes: graph.nodes.filter((node) => node.layerName === unit.name).map((node) => node.opType),
    })),
    nodeCount: graph.nodes.length,
    sourceSha256,
    dtype,
    precision,
  };
  return { bytes, summary };
}

/**
 * Several precisions of one model side by side: `fp32Path` for fp32, the model hubs' names beside
 * it for the others (model_fp16.onnx, model_quantized.onnx); with `exactPath`, a single dtype goes
 * to `fp32Path` itself. All are converted before any is written.
 */
export async function convertModelVariantsToFiles(
  modelJsonPath: string,
  fp32Path: string,
  dtypes: readonly Dtype[],
  options: Omit<ConvertOptions, 'dtype'> = {},
  exactPath = false,
): Promise<(ConversionSummary & { fileBytes: number; path: string })[]> {
  if (exactPath && dtypes.length !== 1) throw new InvalidOptionError(`one output path takes one dtype, got ${dtypes.length}`);
  const converted = [];
  for (const dtype of dtypes) {
    converted.push({
      path: exactPath ? fp32Path : variantPath(fp32Path, dtype),
      ...(await convertModel(modelJsonPath, { ...options, dtype })),
    });
  }
  for (const { path: file, bytes } of converted) await writeFileAtomic(file, bytes);
  return converted.map(({ path: file, bytes, summary }) => ({ ...summary, fileBytes: bytes.byteLength, path: file }));
}

function validateOpset(opset: number | undefined): number {
  if (opset === undefined) return DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new InvalidOptionError(`opset must be an integer from ${MIN_OPSET} to ${MAX_OPSET}, got ${opset}`);
  }
  return opset;
}
