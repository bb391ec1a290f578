/**
 * The official ONNX backend test data as Debian's libonnx-testdata installs it
 * (/usr/share/libonnx-testdata/data/<suite>/<case>/model.onnx and test_data_set_N/{input,output}_K.pb):
 * cases listed, TensorProtos read into the typed arrays onnxruntime-node takes, and outputs compared
 * as the ONNX backend test runner does (rtol 1e-3, atol 1e-7; NaN equals NaN).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { fromHalfBits } from '../../../server/core/fp16.ts';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;
export const TEST_DATA_ROOT = '/usr/share/libonnx-testdata/data';
const SUITES = ['node', 'pytorch-converted', 'pytorch-operator', 'simple'];

export interface TestTensor {
  name: string;
  /** The protocol's datatype name. */
  datatype: string;
  dims: number[];
  data: ort.Tensor['data'];
}

export interface TestCase {
  /** `<suite>.<case>`: the model's name on the server. */
  name: string;
  modelPath: string;
  inputs: TestTensor[];
  expected: TestTensor[];
}

const DATATYPES: Record<number, { datatype: string; ort: ort.Tensor.Type }> = {
  [T.FLOAT]: { datatype: 'FP32', ort: 'float32' },
  [T.DOUBLE]: { datatype: 'FP64', ort: 'float64' },
  [T.FLOAT16]: { datatype: 'FP16', ort: 'float16' },
  [T.INT8]: { datatype: 'INT8', ort: 'int8' },
  [T.INT16]: { datatype: 'INT16', ort: 'int16' },
  [T.INT32]: { datatype: 'INT32', ort: 'int32' },
  [T.INT64]: { datatype: 'INT64', ort: 'int64' },
  [T.UINT8]: { datatype: 'UINT8', ort: 'uint8' },
  [T.UINT16]: { datatype: 'UINT16', ort: 'uint16' },
  [T.UINT32]: { datatype: 'UINT32', ort: 'uint32' },
  [T.UINT64]: { datatype: 'UINT64', ort: 'uint64' },
  [T.BOOL]: { datatype: 'BOOL', ort: 'bool' },
  [T.STRING]: { datatype: 'BYTES', ort: 'string' },
};

/** A typed array of a datatype's elements: numbers, or bigints for the 64-bit integers. */
interface ElementArray {
  [index: number]: number | bigint;
  readonly length: number;
}

/** The typed array class of a datatype, made over raw bytes or empty with a length. */
interface ElementArrayClass {
  new (buffer: ArrayBuffer): ElementArray;
  new (length: number): ElementArray;
}

const ARRAYS: Record<string, ElementArrayClass> = {
  FP32: Float32Array,
  FP64: Float64Array,
  FP16: Uint16Array,
  INT8: Int8Array,
  INT16: Int16Array,
  INT32: Int32Array,
  INT64: BigInt64Array,
  UINT8: Uint8Array,
  UINT16: Uint16Array,
  UINT32: Uint32Array,
  UINT64: BigUint64Array,
  BOOL: Uint8Array,
};

/** Every case of the installed suites with a model and a first data set; reasons for those that cannot be read. */
export function listCases(): { cases: TestCase[]; unreadable: { name: string; reason: string }[] } {
  const cases: TestCase[] = [];
  const unreadable: { name: string; reason: string }[] = [];
  for (const suite of SUITES) {
    const suiteDir = path.join(TEST_DATA_ROOT, suite);
    if (!existsSync(suiteDir)) continue;
    for (const entry of readdirSync(suiteDir).sort()) {
      const directory = path.join(suiteDir, entry);
      const name = `${suite}.${entry}`.replace(/[^A-Za-z0-9_.-]/g, '_');
      try {
        cases.push(readCase(name, directory));
      } catch (error) {
        unreadable.push({ name, reason: (error as Error).message });
      }
    }
  }
  return { cases, unreadable };
}

function readCase(name: string, directory: string): TestCase {
  const modelPath = path.join(directory, 'model.onnx');
  const dataSet = path.join(directory, 'test_data_set_0');
  if (!existsSync(modelPath) || !existsSync(dataSet)) throw new Error('no model.onnx with test_data_set_0');
  const graph = onnx.ModelProto.decode(readFileSync(modelPath)).graph!;
  const initializers = new Set((graph.initializer ?? []).map((tensor) => tensor.name));
  const graphInputs = (graph.input ?? []).filter((input) => !initializers.has(input.name ?? ''));
  for (const value of [...graphInputs, ...(graph.output ?? [])]) {
    const elemType = value.type?.tensorType?.elemType;
    if (elemType === undefined || elemType === null || !DATATYPES[elemType])
      throw new Error(`'${value.name}' is not a tensor of a protocol datatype`);
  }
  const read = (prefix: string, names: string[]) =>
    readdirSync(dataSet)
      .filter((file) => file.startsWith(prefix))
      .sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]))
      .map((file, index) => readTensor(path.join(dataSet, file), names[index]));
  return {
    name,
    modelPath,
    inputs: read(
      'input_',
      graphInputs.map((input) => input.name ?? ''),
    ),
    expected: read(
      'output_',
      (graph.output ?? []).map((output) => output.name ?? ''),
    ),
  };
}

function readTensor(file: string, graphName: string | undefined): TestTensor {
  const tensor = onnx.TensorProto.decode(readFileSync(file));
  const type = DATATYPES[tensor.dataType ?? 0];
  if (!type) throw new Error(`${path.basename(file)} has element type ${tensor.dataType}`);
  const dims = (tensor.dims ?? []).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  return { name: tensor.name || graphName || '', datatype: type.datatype, dims, data: tensorData(tensor, type.datatype, count) };
}

function tensorData(tensor: OnnxTypes.TensorProto, datatype: string, count: number): ort.Tensor['data'] {
  if (datatype === 'BYTES') return (tensor.stringData ?? []).map((bytes) => Buffer.from(bytes).toString('utf8'));
  const Array_ = ARRAYS[datatype];
  if (tensor.rawData && tensor.rawData.length > 0) {
    const copy = new Uint8Array(tensor.rawData.length);
    copy.set(tensor.rawData);
    return new Array_(copy.buffer) as ort.Tensor['data'];
  }
  const typed = (values: ArrayLike<number | bigint | { toString(): string }>) => {
    const result = new Array_(count);
    const big = result instanceof BigInt64Array || result instanceof BigUint64Array;
    for (let i = 0; i < count; i++) result[i] = big ? BigInt(String(values[i])) : Number(values[i]);
    return result as ort.Tensor['data'];
  };
  switch (datatype) {
    case 'FP32':
      return typed(tensor.floatData ?? []);
    case 'FP64':
      return typed(tensor.doubleData ?? []);
    case 'INT64':
      return typed((tensor.int64Data ?? []) as ArrayLike<{ toString(): string }>);
    case 'UINT32':
    case 'UINT64':
      return typed((tensor.uint64Data ?? []) as ArrayLike<{ toString(): string }>);
    default:
      return typed(tensor.int32Data ?? []);
  }
}

export function ortTensor(tensor: TestTensor): ort.Tensor {
  const type = Object.values(DATATYPES).find((entry) => entry.datatype === tensor.datatype)!.ort;
  return new ort.Tensor(type, tensor.data, tensor.dims);
}

/** The ONNX backend test runner's comparison: same shape, values within rtol 1e-3 / atol 1e-7, NaN matching NaN. */
export function matchesExpected(actual: ort.Tensor, expected: TestTensor): boolean {
  if (actual.dims.length !== expected.dims.length || actual.dims.some((size, axis) => size !== expected.dims[axis])) return false;
  const a = actual.data as ArrayLike<unknown>;
  const e = expected.data as ArrayLike<unknown>;
  if (a.length !== e.length) return false;
  const half = expected.datatype === 'FP16';
  for (let i = 0; i < a.length; i++) {
    const x = half ? fromHalfBits(Number(a[i])) : a[i];
    const y = half ? fromHalfBits(Number(e[i])) : e[i];
    if (typeof x === 'number' && typeof y === 'number') {
      if (Number.isNaN(x) && Number.isNaN(y)) continue;
      if (x === y) continue;
      if (!(Math.abs(x - y) <= 1e-7 + 1e-3 * Math.abs(y))) return false;
    } else if (x !== y && !(typeof x === 'boolean' || typeof y === 'boolean' ? Number(x) === Number(y) : false)) {
      return false;
    }
  }
  return true;
}
