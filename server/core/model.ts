/**
 * What the core needs of a loaded model: the general session of CONTRACTS §1 (any inputs and
 * outputs, every tensor type). Declared structurally so the core depends only on this shape.
 */
export type TensorType =
  | 'float32'
  | 'float16'
  | 'float64'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'bool'
  | 'string';

export interface TensorSpec {
  name: string;
  type: TensorType;
  /** null: a symbolic or unknown size. */
  shape: (number | null)[];
}

export interface TensorData {
  type: TensorType;
  dims: readonly number[];
  data:
    | Float32Array
    | Float64Array
    | Int8Array
    | Uint8Array
    | Int16Array
    | Uint16Array
    | Int32Array
    | Uint32Array
    | BigInt64Array
    | BigUint64Array
    | string[];
}

export interface RunnableModel {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  readonly metadata: ReadonlyMap<string, string>;
  run(feeds: Record<string, TensorData>): Promise<Record<string, TensorData>>;
  dispose(): Promise<void>;
}
