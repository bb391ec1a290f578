/**
 * Small ONNX models built directly with onnx-proto for the server tests: one with an input and an
 * output of every protocol datatype (so every encoding path meets a real onnxruntime session), and
 * variants of batch axes. Each output is computed from its input (Add doubles the numbers, Not
 * flips booleans, Identity passes the rest), so a reply proves the tensor went through the model.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';
import type { Datatype } from '../../../server/core/datatypes.ts';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;

export const ONNX_TYPES: Record<Datatype, number> = {
  BOOL: T.BOOL,
  UINT8: T.UINT8,
  UINT16: T.UINT16,
  UINT32: T.UINT32,
  UINT64: T.UINT64,
  INT8: T.INT8,
  INT16: T.INT16,
  INT32: T.INT32,
  INT64: T.INT64,
  FP16: T.FLOAT16,
  FP32: T.FLOAT,
  FP64: T.DOUBLE,
  BYTES: T.STRING,
};

/** Datatypes whose output is input + input (onnxruntime's Add kernels); BOOL goes through Not, the rest Identity. */
export const DOUBLED: readonly Datatype[] = ['FP32', 'FP64', 'INT32', 'INT64'];

export function tensorName(role: 'in' | 'out', datatype: Datatype): string {
  return `${role}_${datatype.toLowerCase()}`;
}

function valueInfo(name: string, datatype: Datatype, shape: (number | string)[]) {
  return {
    name,
    type: {
      tensorType: {
        elemType: ONNX_TYPES[datatype],
        shape: { dim: shape.map((size) => (typeof size === 'number' ? { dimValue: size } : { dimParam: size })) },
      },
    },
  };
}

/**
 * One input `in_<type>` and output `out_<type>` of shape [batch, 2] per datatype; with `identity`
 * every output is its input unchanged, for round-trips of exact values.
 */
export function writeAllTypesModel(
  file: string,
  options: { datatypes?: readonly Datatype[]; batch?: number | string; metadata?: Record<string, string>; identity?: boolean } = {},
): void {
  const datatypes = options.datatypes ?? (Object.keys(ONNX_TYPES) as Datatype[]);
  const batch = options.batch ?? 'batch';
  const nodes = datatypes.map((datatype) => {
    const input = tensorName('in', datatype);
    const output = tensorName('out', datatype);
    if (!options.identity && DOUBLED.includes(datatype))
      return { opType: 'Add', input: [input, input], output: [output], name: `add_${datatype}` };
    if (!options.identity && datatype === 'BOOL') return { opType: 'Not', input: [input], output: [output], name: 'not_bool' };
    return { opType: 'Identity', input: [input], output: [output], name: `identity_${datatype}` };
  });
  writeModel(
    file,
    {
      name: 'all_types',
      node: nodes,
      input: datatypes.map((datatype) => valueInfo(tensorName('in', datatype), datatype, [batch, 2])),
      output: datatypes.map((datatype) => valueInfo(tensorName('out', datatype), datatype, [batch, 2])),
    },
    options.metadata,
  );
}

/**
 * The models the protocol-extension tests serve, written into `directory`: `types` (an input and
 * an output of every datatype), `constant` (no inputs) and `doubler` (FP32 only).
 */
export function writeProtocolModels(directory: string): { types: string; constant: string; doubler: string } {
  const models = {
    types: path.join(directory, 'types.onnx'),
    constant: path.join(directory, 'constant.onnx'),
    doubler: path.join(directory, 'doubler.onnx'),
  };
  writeAllTypesModel(models.types);
  writeConstantModel(models.constant);
  writeAllTypesModel(models.doubler, { datatypes: ['FP32'] });
  return models;
}

/** A model without inputs: a Constant node gives output `constant` = [NaN, Infinity, -Infinity, 1.5] (FP32, shape [4]). */
export function writeConstantModel(file: string): void {
  writeModel(file, {
    name: 'constant',
    node: [
      {
        opType: 'Constant',
        output: ['constant'],
        name: 'constant',
        attribute: [
          {
            name: 'value',
            type: onnx.AttributeProto.AttributeType.TENSOR,
            t: { dims: [4], dataType: T.FLOAT, floatData: [Number.NaN, Infinity, -Infinity, 1.5] },
          },
        ],
      },
    ],
    input: [],
    output: [valueInfo('constant', 'FP32', [4])],
  });
}

/** An opset-17 model around `graph`, with `metadata` as its metadata_props, written to `file`. */
function writeModel(file: string, graph: OnnxTypes.IGraphProto, metadata: Record<string, string> = {}): void {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'tfjs-onnx server tests',
    graph,
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
  writeFileSync(file, onnx.ModelProto.encode(model).finish());
}

// ---- requests for the all-types model ------------------------------------------------------

/** The all-types model's inputs other than the floats and 64-bit integers, each filled by withOtherInputs. */
const OTHER_TYPES = ['bool', 'uint8', 'uint16', 'uint32', 'int8', 'int16', 'int32', 'bytes'] as const;

/** The JSON text with the model's other inputs appended (each [1, 2] of a plain value). */
export function withOtherInputs(body: string): string {
  const others = OTHER_TYPES.map(
    (type) =>
      `{"name":"in_${type}","shape":[1,2],"datatype":"${type === 'bytes' ? 'BYTES' : type.toUpperCase()}","data":${type === 'bool' ? '[true,false]' : type === 'bytes' ? '["a","b"]' : '[1,2]'}}`,
  );
  return body.replace('"inputs":[', `"inputs":[${others.join(',')},`);
}

/** A JSON inference request's inputs, as withOtherInputsObject writes them. */
export interface JsonInferRequest {
  inputs: { name: string; datatype: string; shape: number[]; data: unknown[] }[];
}

/** A request for the all-types model: every input with `rows` rows and no data, unless `overrides` gives it. */
export function withOtherInputsObject(overrides: Record<string, { shape: number[]; data: unknown[] }>, rows: number): JsonInferRequest {
  const datatypes: Record<string, string> = {
    bool: 'BOOL',
    uint8: 'UINT8',
    uint16: 'UINT16',
    uint32: 'UINT32',
    uint64: 'UINT64',
    int8: 'INT8',
    int16: 'INT16',
    int32: 'INT32',
    int64: 'INT64',
    fp16: 'FP16',
    fp32: 'FP32',
    fp64: 'FP64',
    bytes: 'BYTES',
  };
  return {
    inputs: Object.entries(datatypes).map(([type, datatype]) => ({
      name: `in_${type}`,
      datatype,
      ...(overrides[`in_${type}`] ?? { shape: [rows, 2], data: [] }),
    })),
  };
}

/** Fills every input of a withOtherInputsObject request with `rows` rows of plain values. */
export function fillRows(request: JsonInferRequest, rows: number): JsonInferRequest {
  for (const input of request.inputs) {
    input.shape = [rows, 2];
    input.data = Array.from({ length: rows * 2 }, () => (input.datatype === 'BOOL' ? true : input.datatype === 'BYTES' ? 'x' : 1));
  }
  return request;
}
