import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeError, DisposedError, ModelLoadError, TfjsOnnxRuntimeError, UnsupportedModelError } from '../src/errors.ts';

describe('the errors entry', () => {
  it('folds any thrown value into one line: line breaks become clauses, other control characters spaces', () => {
    expect(describeError(new Error('  Load model failed.\n   node Conv_3:\r\n  bad kernel shape  '))).toBe(
      'Load model failed.; node Conv_3:; bad kernel shape',
    );
    expect(describeError(new SyntaxError('Unexpected token "\u0001\tx" in JSON'))).toBe('Unexpected token " x" in JSON');
    expect(describeError('a bare string')).toBe('a bare string');
    expect(describeError(42)).toBe('42');
  });

  it('names every class, so a minified bundle still logs what went wrong', () => {
    for (const ErrorClass of [TfjsOnnxRuntimeError, ModelLoadError, UnsupportedModelError, DisposedError]) {
      const error = new ErrorClass('message');
      expect(error.name).toBe(ErrorClass.name);
      expect(error).toBeInstanceOf(TfjsOnnxRuntimeError);
    }
  });

  it('imports nothing, so an app or a CLI can recognize the errors without loading a backend', () => {
    expect(readFileSync(path.join(import.meta.dirname, '..', 'src', 'errors.ts'), 'utf8')).not.toMatch(/^\s*(import|export .* from)\b/m);
  });
});
