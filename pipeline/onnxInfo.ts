/** What the pipeline needs to know of an ONNX file: opset, I/O signature, metadata. */
import { promises as fs } from 'node:fs';
import type { ElementType } from '@tfjs-onnx/runtime/constants';
import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';
import { InvalidInputError, describeError } from '../common/errors.ts';
import { elementTypeOfCode } from '../export/backend/onnx/dataTypes.ts';

const { onnx } = onnxProto;

export interface TensorSignature {
  name: string;
  /** Sizes, with symbolic dimensions by name (e.g. "batch"). */
  shape: (number | string)[];
  /** The tensor's element type; an ONNX type this project never writes shows its TensorProto.DataType code. */
  elementType: ElementType | `onnx type ${number}`;
}

export interface OnnxInfo {
  opset: number;
  producer: string;
  inputs: TensorSignature[];
  outputs: TensorSignature[];
  metadata: Record<string, string>;
}

export async function readOnnxInfo(onnxPath: string): Promise<OnnxInfo> {
  let model: OnnxTypes.ModelProto;
  try {
    model = onnx.ModelProto.decode(await fs.readFile(onnxPath));
  } catch (error) {
    throw new InvalidInputError(`${onnxPath} is not a readable ONNX model: ${describeError(error)}`);
  }
  const graph = model.graph;
  if (!graph) throw new InvalidInputError(`${onnxPath} is not an ONNX model: it has no graph`);
  const initializers = new Set((graph.initializer ?? []).map((tensor) => tensor.name));
  const defaultDomain = (model.opsetImport ?? []).find((entry) => !entry.domain || entry.domain === 'ai.onnx');
  return {
    opset: Number(defaultDomain?.version ?? 0),
    producer: `${model.producerName ?? ''} ${model.producerVersion ?? ''}`.trim(),
    inputs: (graph.input ?? []).filter((value) => !initializers.has(value.name ?? '')).map(signatureOf),
    outputs: (graph.output ?? []).map(signatureOf),
    metadata: Object.fromEntries((model.metadataProps ?? []).map((entry) => [entry.key ?? '', entry.value ?? ''])),
  };
}

function signatureOf(value: OnnxTypes.IValueInfoProto): TensorSignature {
  const tensorType = value.type?.tensorType;
  const dims = tensorType?.shape?.dim ?? [];
  return {
    name: value.name ?? '',
    shape: dims.map((dim) => (dim.dimParam ? dim.dimParam : Number(dim.dimValue ?? 0))),
    elementType: elementTypeOfCode(tensorType?.elemType ?? 0) ?? `onnx type ${tensorType?.elemType ?? 0}`,
  };
}
