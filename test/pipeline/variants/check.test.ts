/** What the pipeline says when a precision variant misses its bounds (variants/check.ts). */
import { describe, expect, it } from 'vitest';
import { describeVariantFailure } from '../../../pipeline/variants/check.ts';
import { figures, variantsReport as report } from './figures.ts';

describe('variant results', () => {
  it('names the failing variant with its agreement and accuracy against the bounds', () => {
    const failed = report([figures('fp32', { cpu: 1, wasm: 1 }), figures('q8', { cpu: 1, wasm: 1 }, 0.99, -0.005)]);
    expect(describeVariantFailure(failed)).toBe(
      'q8 (model_quantized.onnx): top-1 agreement with tfjs 99.00% on cpu, 99.00% on wasm (need ≥ 99.50%), test accuracy 96.50% (-0.50 points from fp32; at most 0.30 lower allowed)',
    );
  });
});
