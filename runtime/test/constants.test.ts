import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DTYPES, RUNTIME_VERSION, VARIANT_FILES, VARIANT_SUFFIXES } from '../src/constants.ts';

const RUNTIME = path.join(import.meta.dirname, '..');

describe('the constants entry', () => {
  it("states the package's own version", () => {
    expect(RUNTIME_VERSION).toBe(JSON.parse(readFileSync(path.join(RUNTIME, 'package.json'), 'utf8')).version);
  });

  it("names each precision's file with its suffix, so a model's variants and model.onnx's agree", () => {
    for (const dtype of DTYPES) expect(VARIANT_FILES[dtype]).toBe(`model${VARIANT_SUFFIXES[dtype]}.onnx`);
  });

  it('imports nothing, so a --help, an option parser or a page reads it without loading a backend', () => {
    expect(readFileSync(path.join(RUNTIME, 'src', 'constants.ts'), 'utf8')).not.toMatch(/^\s*(import|export .* from)\b/m);
  });
});
