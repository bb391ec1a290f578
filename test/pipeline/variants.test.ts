/** The pipeline's variant options, failure messages and report section (the end-to-end run is in pipeline.test.ts). */
import { describe, expect, it } from 'vitest';
import { variantsSection } from '../../pipeline/report/sections/variants.ts';
import type { ReportInput } from '../../pipeline/report/types.ts';
import { resolvePipelineOptions } from '../../pipeline/run.ts';
import { describeVariantFailure } from '../../pipeline/variants/check.ts';
import { parseVariantList } from '../../pipeline/variants/options.ts';
import type { VariantFigures, VariantsReport } from '../../pipeline/variants/types.ts';

function figures(dtype: VariantFigures['dtype'], ratios: { cpu: number; wasm: number }, agreement = 1, accuracyChange = 0): VariantFigures {
  const speed = (ratio: number) => [1, 256].map((batch) => ({ batch, imagesPerSecond: { median: 1000 * ratio, min: 900, max: 1100, repetitions: 5 }, ratioToFp32: ratio }));
  const versus = { top1Agreement: agreement, maxAbsDiff: 1e-3, meanAbsDiff: 1e-5, disagreements: Math.round((1 - agreement) * 10000) };
  return {
    dtype,
    file: dtype === 'fp32' ? 'model.onnx' : `model_${dtype === 'fp16' ? 'fp16' : 'quantized'}.onnx`,
    bytes: 1000,
    sha256: 'ab',
    sizeRatio: 1,
    testAccuracy: 0.97 + accuracyChange,
    accuracyChange,
    versusTfjs: { cpu: versus, wasm: versus },
    speed: { cpu: speed(ratios.cpu), wasm: speed(ratios.wasm) },
    passed: agreement >= 0.995 && accuracyChange >= -0.003,
  };
}

function report(variants: VariantFigures[]): VariantsReport {
  return { bounds: { minTop1Agreement: 0.995, maxAccuracyDrop: 0.003 }, samples: 10000, speedMethod: 'test', variants, passed: variants.every((v) => v.passed) };
}

describe('--variants', () => {
  it('takes reduced precisions or none, and the API checks the same', () => {
    expect(parseVariantList('q8,fp16')).toEqual(['fp16', 'q8']);
    expect(parseVariantList('none')).toEqual([]);
    expect(() => parseVariantList('fp32,q8')).toThrow('fp32 (model.onnx) is always written');
    expect(() => parseVariantList('int4')).toThrow('"int4" is not one of them');
    expect(resolvePipelineOptions({}).variants).toEqual(['fp16', 'q8']);
    expect(() => resolvePipelineOptions({ variants: ['fp16', 'bf16' as never] })).toThrow('--variants takes fp16, q8 (comma-separated) or none; got "bf16"');
  });
});

describe('variant results', () => {
  it('names the failing variant with its agreement and accuracy against the bounds', () => {
    const failed = report([figures('fp32', { cpu: 1, wasm: 1 }), figures('q8', { cpu: 1, wasm: 1 }, 0.99, -0.005)]);
    expect(describeVariantFailure(failed)).toBe(
      'q8 (model_quantized.onnx): top-1 agreement with tfjs 99.00% on cpu, 99.00% on wasm (need ≥ 99.50%), test accuracy 96.50% (-0.50 points from fp32; at most 0.30 lower allowed)',
    );
  });

  it('shows every variant with its speed ratios, and says where and why a variant was slower than fp32', () => {
    const content = variantsSection.render({ variants: report([figures('fp32', { cpu: 1, wasm: 1 }), figures('fp16', { cpu: 1, wasm: 1.01 }), figures('q8', { cpu: 2, wasm: 0.8 })]) } as ReportInput);
    const markup = (content as { body: { markup: string } }).body.markup;
    expect(markup.match(/<tr data-dtype="/g)).toHaveLength(3);
    expect(markup).toContain('2.0k (2.00×)');
    expect(markup).toContain('q8 was slower than fp32 on wasm (onnxruntime-web) at batch 1 (0.80×), wasm (onnxruntime-web) at batch 256 (0.80×): q8 quantizes');
    expect(markup).not.toContain('fp16 was slower');
  });

  it('says so when the run wrote no variants', () => {
    const content = variantsSection.render({} as ReportInput) as { body: { markup: string } };
    expect(content.body.markup).toContain('This run wrote no reduced-precision variants');
  });
});
