import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../common/errors.ts';
import { DEFAULT_OUT, parseBenchOptions, parseSections } from '../../bench/options.ts';

describe('bench command line', () => {
  it('runs every section into latest.json by default', () => {
    const options = parseBenchOptions([]);
    expect(options.sections).toEqual(['training', 'conversion', 'inference', 'precision', 'serving', 'graphModels', 'cli']);
    expect(options.out).toBe(DEFAULT_OUT);
    expect(options.quick).toBe(false);
    expect(options.given).toEqual({});
  });

  it('--only keeps the canonical order and rejects unknown names', () => {
    expect(parseSections('serving,training')).toEqual(['training', 'serving']);
    expect(() => parseSections('training,gpu')).toThrow(InvalidOptionError);
    expect(() => parseSections('')).toThrow(InvalidOptionError);
  });

  it('takes given models with or without their ONNX file', () => {
    const options = parseBenchOptions(['--mlp', 'a/model.json', '--mlp-onnx', 'a.onnx', '--cnn', 'b/model.json', '--quick']);
    expect(options.given).toEqual({ mlp: { tfjs: 'a/model.json', onnx: 'a.onnx' }, cnn: { tfjs: 'b/model.json', onnx: undefined } });
    expect(options.quick).toBe(true);
  });

  it('refuses an ONNX file without the tfjs model it came from, and unknown flags', () => {
    expect(() => parseBenchOptions(['--cnn-onnx', 'b.onnx'])).toThrow(/--cnn-onnx needs --cnn/);
    expect(() => parseBenchOptions(['--fast'])).toThrow(InvalidOptionError);
  });
});
