import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { installCommand, requireSystemPackage, SYSTEM_PACKAGES } from '../helpers/systemPackages.ts';

const README = path.join(import.meta.dirname, '..', '..', 'README.md');

describe('the Debian packages the tests need', () => {
  it('are the ones the README lists, in the same order', () => {
    const block = /<!-- system-packages -->(.*?)<!-- \/system-packages -->/s.exec(readFileSync(README, 'utf8'));
    expect(block, 'README.md has a <!-- system-packages --> block').not.toBeNull();
    const listed = [...block![1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    expect(listed).toEqual(SYSTEM_PACKAGES.map((p) => p.name));
  });

  it('are all installed here, where the suite runs', () => {
    expect(SYSTEM_PACKAGES.filter((p) => !p.present()).map((p) => p.name)).toEqual([]);
  });

  it('install with one apt-get command', () => {
    expect(installCommand(['chromium', 'python3-onnx'])).toBe(
      'apt-get update && apt-get install -y --no-install-recommends chromium python3-onnx',
    );
  });

  it('refuse a name the list does not know', () => {
    expect(() => requireSystemPackage('no-such-package')).toThrow("'no-such-package' is not in SYSTEM_PACKAGES");
  });
});
