/**
 * Export stage: a tfjs Layers model (model.json + weight shards) → ONNX ModelProto.
 *
 * read (reader/) → build the graph layer by layer (converter.ts dispatching to layers/*) →
 * clean up (passes/) → encode with metadata (onnx/). Nothing is written unless every step succeeds.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidInputError, InvalidOptionError } from '../common/errors.ts';
import { sha256OfFiles, writeFileAtomic } from '../common/files.ts';
import { readTfjsModelFiles } from '../common/tfjsModelFiles.ts';
import { buildGraph } from './converter.ts';
import { METADATA_PREFIX, metadataProperties, resolveMetadata, type PreprocessSpec } from './metadata.ts';
import { encodeModel } from './onnx/encodeModel.ts';
import { optimizeGraph } from './passes/index.ts';
import { validateDtype, variantPath, withPrecision, type Dtype, type PrecisionSummary, type QuantizeForms } from './precision/index.ts';
import { parseModelTopology } from './reader/modelTopology.ts';
import { WeightStore, decodeWeights } from './reader/weights.ts';

export type { PreprocessSpec } from './metadata.ts';
export type { Dtype, PrecisionSummary } from './precision/index.ts';

export interface ConvertOptions {
  /** ONNX opset, 13–17 (default 13). */
  opset?: number;
  labels?: string[];
  preprocess?: PreprocessSpec;
  /** Precision of the weights and compute: fp32 (default), fp16 or q8 (export/precision/). */
  dtype?: Dtype;
  /** q8 only: the quantized forms to write (default: the measured fastest; the benchmark compares the others). */
  quantization?: Partial<QuantizeForms>;
}

export interface ConversionSummary {
  opset: number;
  inputs: { name: string; shape: (number | string)[] }[];
  outputs: { name: string; shape: (number | string)[] }[];
  /** Each Keras layer and the ONNX op types it became (after optimization). */
  layers: { name: string; className: string; onnxNodes: string[] }[];
  nodeCount: number;
  sourceSha256: string;
  dtype: Dtype;
  /** What the precision pass did (which ops stayed float32 and why, which matmuls became integer). */
  precision: PrecisionSummary;
}

export const DEFAULT_OPSET = 13;
export const MIN_OPSET = 13;
/** ReduceMean & co. take axes as an input from opset 18; the layer converters emit the ≤17 form. */
export const MAX_OPSET = 17;

export async function convertLayersModel(modelJsonPath: string, options: ConvertOptions = {}): Promise<{ bytes: Uint8Array; summary: ConversionSummary }> {
  const opset = validateOpset(options.opset);
  const dtype = validateDtype(options.dtype);
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
  const { graph, summary: precision } = withPrecision(built.graph, dtype, options.quantization);

  const sourceSha256 = await sha256OfFiles(files.files);
  const metadata = resolveMetadata(options, files.modelJson.userDefinedMetadata, sourceSha256, source);
  const bytes = encodeModel(graph, {
    opset,
    graphName: topology.name,
    producerName: 'tfjs-onnx',
    producerVersion: await producerVersion(),
    docString: `Converted by tfjs-onnx from the tfjs Layers model ${path.basename(modelJsonPath)} (${topology.className} "${topology.name}").`,
    metadata: { ...metadataProperties(metadata), [`${METADATA_PREFIX}dtype`]: dtype },
  });
  const summary: ConversionSummary = {
    opset,
    inputs: built.inputs.map(({ name, shape }) => ({ name, shape })),
    outputs: built.outputs.map(({ name, shape }) => ({ name, shape })),
    layers: topology.layers.map((layer) => ({
      name: layer.name,
      className: layer.className,
      onnxNodes: graph.nodes.filter((node) => node.layerName === layer.name).map((node) => node.opType),
    })),
    nodeCount: graph.nodes.length,
    sourceSha256,
    dtype,
    precision,
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
    converted.push({ path: exactPath ? fp32Path : variantPath(fp32Path, dtype), ...(await convertLayersModel(modelJsonPath, { ...options, dtype })) });
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

let cachedVersion: string | undefined;

/** producer_version is the project's version, from the root package.json (one source of truth). */
async function producerVersion(): Promise<string> {
  if (cachedVersion === undefined) {
    const packageJson = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    cachedVersion = packageJson.version ?? '0.0.0';
  }
  return cachedVersion;
}
