/**
 * References for recurrent tests that tfjs cannot compute itself: the GRU equations written out
 * (tfjs refuses reset_after=true), and the helpers to feed token batches (padded ones for the mask
 * tests) and swap a saved weight.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** A [batch, 6] batch of token ids in 1..9 with padding zeros before, after and inside the sequences, and one empty row. */
export const PADDED_TOKENS = [
  [0, 0, 3, 7, 2, 9],
  [4, 1, 8, 0, 0, 0],
  [5, 0, 6, 0, 2, 1],
  [0, 0, 0, 0, 0, 0],
  [9, 8, 7, 6, 5, 4],
];

/** A batch of integer token ids (int32 for an int32 model input; a Sequential's first Embedding takes float32). */
export function tokenBatch(rows: number[][], dtype: 'int32' | 'float32' = 'int32'): tf.Tensor {
  return tf.tensor2d(rows, [rows.length, rows[0].length], dtype);
}

export interface GruWeights {
  units: number;
  /** [features, 3·units], gates z, r, h. */
  kernel: Float32Array;
  /** [units, 3·units]. */
  recurrentKernel: Float32Array;
  /** reset_after: [2, 3·units] (input bias, then recurrent bias); otherwise [3·units]. */
  bias: Float32Array;
  resetAfter: boolean;
  /** Keras mask per sample and step (true: valid); a masked step keeps the state and repeats the output. */
  mask?: boolean[][];
  goBackwards?: boolean;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Keras's GRU, step by step in float64 (keras/layers/rnn/gru.py):
 *   z = σ(x·Wz + bz + h·Rz + b'z), r = σ(x·Wr + br + h·Rr + b'r)
 *   reset_after: ĥ = tanh(x·Wh + bh + r ⊙ (h·Rh + b'h)), else ĥ = tanh(x·Wh + bh + (r ⊙ h)·Rh)
 *   h = z ⊙ h₋ + (1 − z) ⊙ ĥ
 * Returns the output sequence [batch, steps, units] in processing order.
 */
export function gruReference(sequences: number[][][], weights: GruWeights): number[][][] {
  const { units, kernel, recurrentKernel, bias, resetAfter } = weights;
  const columns = 3 * units;
  const features = sequences[0][0].length;
  const inputBias = bias.subarray(0, columns);
  const recurrentBias = resetAfter ? bias.subarray(columns) : new Float32Array(columns);
  return sequences.map((sample, b) => {
    let h = new Array<number>(units).fill(0);
    const steps = sample.map((_, t) => t);
    if (weights.goBackwards) steps.reverse();
    return steps.map((t) => {
      if (weights.mask && !weights.mask[b][t]) return [...h];
      const x = sample[t];
      const projected = (gate: number, j: number) => {
        let sum = inputBias[gate * units + j];
        for (let f = 0; f < features; f++) sum += x[f] * kernel[f * columns + gate * units + j];
        return sum;
      };
      const recurrent = (state: number[], gate: number, j: number) => {
        let sum = recurrentBias[gate * units + j];
        for (let k = 0; k < units; k++) sum += state[k] * recurrentKernel[k * columns + gate * units + j];
        return sum;
      };
      const z = h.map((_, j) => sigmoid(projected(0, j) + recurrent(h, 0, j)));
      const r = h.map((_, j) => sigmoid(projected(1, j) + recurrent(h, 1, j)));
      const reset = h.map((value, j) => r[j] * value);
      const candidate = h.map((_, j) => Math.tanh(projected(2, j) + (resetAfter ? r[j] * recurrent(h, 2, j) : recurrent(reset, 2, j))));
      h = h.map((value, j) => z[j] * value + (1 - z[j]) * candidate[j]);
      return [...h];
    });
  });
}

/**
 * Replaces one weight of a saved model (shape and values), rewriting the single shard: how a
 * test produces weights tfjs would not create (a reset_after GRU's two bias rows).
 */
export async function replaceWeight(modelJsonPath: string, name: string, shape: number[], values: Float32Array): Promise<void> {
  const json = JSON.parse(await readFile(modelJsonPath, 'utf8'));
  const directory = path.dirname(modelJsonPath);
  const [group] = json.weightsManifest as { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
  const shard = new Uint8Array(await readFile(path.join(directory, group.paths[0])));
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const spec of group.weights) {
    const bytes = 4 * spec.shape.reduce((p, s) => p * s, 1);
    if (spec.name === name) {
      spec.shape = shape;
      chunks.push(new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)));
    } else {
      chunks.push(shard.subarray(offset, offset + bytes));
    }
    offset += bytes;
  }
  if (!group.weights.some((spec) => spec.name === name)) throw new Error(`no weight ${name} in ${modelJsonPath}`);
  group.paths = ['rewritten.bin'];
  await writeFile(path.join(directory, 'rewritten.bin'), Buffer.concat(chunks));
  await writeFile(modelJsonPath, JSON.stringify(json));
}
