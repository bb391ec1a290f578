/** The pipeline's --variants option (variants/options.ts), as the CLI and the API take it (the end-to-end run is in pipeline.test.ts). */
import { describe, expect, it } from 'vitest';
import { resolvePipelineOptions } from '../../../pipeline/run.ts';
import { parseVariantList } from '../../../pipeline/variants/options.ts';

describe('--variants', () => {
  it('takes reduced precisions or none, and the API checks the same', () => {
    expect(parseVariantList('q8,fp16')).toEqual(['fp16', 'q8']);
    expect(parseVariantList('none')).toEqual([]);
    expect(() => parseVariantList('fp32,q8')).toThrow('fp32 (model.onnx) is always written');
    expect(() => parseVariantList('int4')).toThrow('"int4" is not one of them');
    expect(resolvePipelineOptions({}).variants).toEqual(['fp16', 'q8']);
    expect(() => resolvePipelineOptions({ variants: ['fp16', 'bf16' as never] })).toThrow(
      '--variants takes fp16, q8 (comma-separated) or none; got "bf16"',
    );
  });
});
