/**
 * The classification extension: an output asked for with `parameters.classification: k` comes back
 * as BYTES strings "<value>:<index>[:<label>]", the k highest values per batch row, as Triton
 * formats them (the value printed like C++'s std::to_string: six decimals for floats).
 */
import { InvalidRequestError } from '../errors.ts';
import type { TensorValues } from './datatypes.ts';
import type { OutputTensor } from './requests.ts';
import { fromHalfBits } from './fp16.ts';

export function classify(output: OutputTensor, k: number, batchable: boolean, labels: readonly string[] | undefined): OutputTensor {
  if (output.datatype === 'BYTES' || output.datatype === 'BOOL') {
    throw new InvalidRequestError(`output '${output.name}' is ${output.datatype}; classification needs a numeric output`);
  }
  const values = readable(output.datatype, output.values);
  const rows = batchable && output.shape.length > 0 ? output.shape[0] : 1;
  const perRow = rows === 0 ? 0 : values.length / rows;
  const count = Math.min(k, perRow);
  const floating = output.datatype === 'FP16' || output.datatype === 'FP32' || output.datatype === 'FP64';
  const strings: string[] = [];
  for (let row = 0; row < rows; row++) {
    const start = row * perRow;
    const order = Array.from({ length: perRow }, (_, i) => i);
    // Stable: equal values keep index order, so replies are reproducible.
    order.sort((a, b) => (values[start + b] > values[start + a] ? 1 : values[start + b] < values[start + a] ? -1 : a - b));
    for (const index of order.slice(0, count)) {
      const value = values[start + index];
      const label = labels?.[index];
      strings.push(`${floating ? (value as number).toFixed(6) : String(value)}:${index}${label !== undefined ? `:${label}` : ''}`);
    }
  }
  return { name: output.name, datatype: 'BYTES', shape: batchable ? [rows, count] : [count], values: strings };
}

function readable(datatype: OutputTensor['datatype'], values: TensorValues): ArrayLike<number | bigint> {
  if (datatype === 'FP16') return Array.from(values as Uint16Array, fromHalfBits);
  return values as ArrayLike<number | bigint>;
}
