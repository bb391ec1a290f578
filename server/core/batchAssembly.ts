/**
 * Batch assembly for dynamic batching (batching.ts queues the requests and decides which go
 * together): which requests can be merged, their inputs stacked along the batch (first) axis into
 * one run's feeds, and the run's outputs cut back into each request's own rows.
 */
import type { TensorData } from './model.ts';

/** A request's (or a run's) tensors by input or output name. */
export type Feeds = Record<string, TensorData>;

/** Inputs' names, types and dims after the batch axis: only requests with equal keys can be merged. */
export function mergeKey(feeds: Feeds): string {
  return Object.keys(feeds)
    .sort()
    .map((name) => `${name}:${feeds[name].type}:${feeds[name].dims.slice(1).join('x')}`)
    .join('|');
}

/** Each input of `parts` stacked along axis 0 (the parts share names, types and the other dims). */
export function concatenateFeeds(parts: Feeds[]): Feeds {
  const merged: Feeds = {};
  for (const name of Object.keys(parts[0])) {
    const tensors = parts.map((part) => part[name]);
    const rows = tensors.reduce((sum, tensor) => sum + tensor.dims[0], 0);
    merged[name] = {
      type: tensors[0].type,
      dims: [rows, ...tensors[0].dims.slice(1)],
      data: concatenateData(tensors.map((tensor) => tensor.data)),
    };
  }
  return merged;
}

function concatenateData(parts: TensorData['data'][]): TensorData['data'] {
  if (Array.isArray(parts[0])) return (parts as string[][]).flat();
  const numeric = parts as Exclude<TensorData['data'], string[]>[];
  const total = numeric.reduce((sum, part) => sum + part.length, 0);
  const result = new (numeric[0].constructor as new (length: number) => Exclude<TensorData['data'], string[]>)(total);
  let offset = 0;
  for (const part of numeric) {
    (result as Float32Array).set(part as Float32Array, offset);
    offset += part.length;
  }
  return result;
}

/** The merged outputs cut back into each request's rows, or undefined if some output has no batch axis. */
export function splitFeeds(outputs: Feeds, rowCounts: number[], totalRows: number): Feeds[] | undefined {
  const names = Object.keys(outputs);
  if (names.some((name) => outputs[name].dims[0] !== totalRows)) return undefined;
  const parts: Feeds[] = rowCounts.map(() => ({}));
  for (const name of names) {
    const { type, dims, data } = outputs[name];
    const perRow = totalRows === 0 ? 0 : data.length / totalRows;
    let row = 0;
    rowCounts.forEach((rows, index) => {
      // slice, not subarray: each caller owns its rows and may keep them after the batch buffer is gone.
      parts[index][name] = {
        type,
        dims: [rows, ...dims.slice(1)],
        data: data.slice(row * perRow, (row + rows) * perRow) as TensorData['data'],
      };
      row += rows;
    });
  }
  return parts;
}
