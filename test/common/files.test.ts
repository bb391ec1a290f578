import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputError } from '../../common/errors.ts';
import { ensureDirectory } from '../../common/files.ts';
import { tempDir } from '../helpers/tempDir.ts';

describe('ensureDirectory', () => {
  const root = tempDir();

  it('creates missing parents and accepts an existing directory', async () => {
    const nested = path.join(root, 'a', 'b', 'c');
    await ensureDirectory(nested);
    await ensureDirectory(nested);
    expect(statSync(nested).isDirectory()).toBe(true);
  });

  it('refuses a path under a file', async () => {
    const file = path.join(root, 'file');
    writeFileSync(file, '');
    await expect(ensureDirectory(path.join(file, 'out'))).rejects.toThrow(OutputError);
  });

  // Node's mkdir(..., { recursive: true }) never settles for a path under /proc: Linux's, so the test runs
  // where /proc is (Linux, as CI is) and nowhere else.
  it.runIf(existsSync('/proc/self'))(
    'fails at once under /proc instead of hanging',
    async () => {
      await expect(ensureDirectory('/proc/tfjs-onnx/out')).rejects.toThrow(/^cannot write to directory \/proc\/tfjs-onnx\/out: ENOENT/);
    },
    5000,
  );
});
