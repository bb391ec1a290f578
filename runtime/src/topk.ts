import type { Prediction } from './types.js';

/** The k most probable classes, most probable first; ties keep the lower index first. */
export function topK(probabilities: Float32Array, labels: readonly string[], k: number): Prediction[] {
  const indices = Array.from(probabilities.keys());
  indices.sort((a, b) => probabilities[b]! - probabilities[a]! || a - b);
  return indices.slice(0, k).map((index) => ({ index, label: labels[index]!, probability: probabilities[index]! }));
}
