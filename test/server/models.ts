/**
 * Small ONNX models built directly with onnx-proto for the server tests: one with an input and an
 * output of every protocol datatype (so every encoding path meets a real onnxruntime session), and
 * variants of batch axes. Each output is computed from its input (Add doubles the numbers, Not
 * flips booleans, Identity passes the rest), so a reply proves the tensor went through the model.
 */
import { writeFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import type { Datatype } from '../../server/core/datatypes.ts';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;

export const ONNX_TYPES: Record<Datatype, number> = {
  BOOL: T.BOOL, UINT8: T.UINT8, UINT16: T.UINT16, UINT32: T.UINT32, UINT64: T.UINT64, INT8: T.INT8, INT16: T.INT16, INT32: T.INT32,
  INT64: T.INT64, FP16: T.FLOAT16, FP32: T.FLOAT, FP64: T.DOUBLE, BYTES: T.STRING,
};

/** Datatypes whose output is input + input (onnxruntime's Add kernels); BOOL goes through Not, the rest Identity. */
export const DOUBLED: readonly Datatype[] = ['FP32', 'FP64', 'INT32', 'INT64'];

export function tensorName(role: 'in' | 'out', datatype: Datatype): string {
  return `${role}_${datatype.toLowerCase()}`;
}

function valueInfo(name: string, datatype: Datatype, shape: (number | string)[]) {
  return {
    name,
    type: { tensorType: { elemType: ONNX_TYPES[datatype], shape: { dim: shape.map((size) => (typeof size === 'number' ? { dimValue: size } : { dimParam: size })) } } },
  };
}

/** One input `in_<type>` and output `out_<type>` of shape [batch, 2] per datatype. */
export function writeAllTypesModel(file: string, options: { datatypes?: readonly Datatype[]; batch?: number | string; metadata?: Record<string, string> } = {}): void {
  const datatypes = options.datatypes ?? (Object.keys(ONNX_TYPES) as Datatype[]);
  const batch = options.batch ?? 'batch';
  const nodes = datatypes.map((datatype) => {
    const input = tensorName('in', datatype);
    const output = tensorName('out', datatype);
    if (DOUBLED.includes(datatype)) return { opType: 'Add', input: [input, input], output: [output], name: `add_${datatype}` };
    if (datatype === 'BOOL') return { opType: 'Not', input: [input], output: [output], name: 'not_bool' };
    return { opType: 'Identity', input: [input], output: [output], name: `identity_${datatype}` };
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'tfjs-onnx server tests',
    graph: {
      name: 'all_types',
      node: nodes,
      input: datatypes.map((datatype) => valueInfo(tensorName('in', datatype), datatype, [batch, 2])),
      output: datatypes.map((datatype) => valueInfo(tensorName('out', datatype), datatype, [batch, 2])),
    },
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
  writeFileSync(file, onnx.ModelProto.encode(model).finish());
}

/** A model without inputs: a Constant node gives output `constant` = [NaN, Infinity, -Infinity, 1.5] (FP32, shape [4]). */
export function writeConstantModel(file: string): void {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'tfjs-onnx server tests',
    graph: {
      name: 'constant',
      node: [{ opType: 'Constant', output: ['constant'], name: 'constant', attribute: [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: { dims: [4], dataType: T.FLOAT, floatData: [Number.NaN, Infinity, -Infinity, 1.5] } }] }],
      input: [],
      output: [valueInfo('constant', 'FP32', [4])],
    },
  });
  writeFileSync(file, onnx.ModelProto.encode(model).finish());
}
