import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OutputError } from '../../common/errors.ts';
import { recoverInterruptedReplacements, replaceTogether } from '../../common/replaceTogether.ts';
import { tempDir } from '../helpers/tempDir.ts';

const CHILD = fileURLToPath(new URL('./replaceChild.ts', import.meta.url));

/** The label of the pair in `directory`: 'A', 'B', or a description of what is wrong. */
function pairIn(directory: string): string {
  const read = (file: string) => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { label: string }).label : 'missing');
  const model = read(path.join(directory, 'tfjs', 'model.json'));
  const weights = existsSync(path.join(directory, 'tfjs', 'group1-shard1of1.bin'))
    ? readFileSync(path.join(directory, 'tfjs', 'group1-shard1of1.bin'), 'utf8')
    : 'missing';
  const metrics = read(path.join(directory, 'metrics.json'));
  return model === metrics && weights === `weights ${model}` ? model : `model ${model}, weights ${weights}, metrics ${metrics}`;
}

function writePair(directory: string, label: string): void {
  mkdirSync(path.join(directory, 'tfjs'), { recursive: true });
  writeFileSync(path.join(directory, 'tfjs', 'group1-shard1of1.bin'), `weights ${label}`);
  writeFileSync(path.join(directory, 'tfjs', 'model.json'), JSON.stringify({ label }));
  writeFileSync(path.join(directory, 'metrics.json'), JSON.stringify({ label }));
}

/** Runs the child that replaces pair A by pair B, killed (kill -9) at `step`. */
function replaceInChild(directory: string, step: string | undefined): Promise<NodeJS.Signals | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, directory, 'B'], {
    env: { ...process.env, TFJS_ONNX_TEST_KILL_AT: step ?? '' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return new Promise((resolve) => child.once('exit', (_, signal) => resolve(signal)));
}

describe('replacing the model folder and metrics.json as one', () => {
  const root = tempDir();
  // Killed before the commit, the old pair stays; at or after it, the new pair wins.
  const steps: [string, string][] = [
    ['staged', 'A'],
    ['committed', 'B'],
    ['retired:tfjs', 'B'],
    ['replaced:tfjs', 'B'],
    ['replaced:metrics.json', 'B'],
  ];

  // Concurrent: each case has its own folder and child process, and most of the time is the child's start.
  it.concurrent.each(steps)(
    'killed at %s, leaves pair %s once the next run has recovered, and no staging folder',
    async (step, expected) => {
      const directory = path.join(root, step.replace(/\W/g, '-'));
      writePair(directory, 'A');
      expect(await replaceInChild(directory, step)).toBe('SIGKILL');
      expect(readdirSync(directory).some((entry) => entry.startsWith('.replace-'))).toBe(true);
      await recoverInterruptedReplacements(directory);
      expect(pairIn(directory)).toBe(expected);
      expect(readdirSync(directory).sort()).toEqual(['metrics.json', 'tfjs']);
    },
  );

  it('replaces the pair when nothing interrupts it, leaving nothing else behind', async () => {
    const directory = path.join(root, 'uninterrupted');
    writePair(directory, 'A');
    expect(await replaceInChild(directory, undefined)).toBe(null);
    expect(pairIn(directory)).toBe('B');
    expect(readdirSync(directory).sort()).toEqual(['metrics.json', 'tfjs']);
  });

  it('recovers at the start of the next replacement too', async () => {
    const directory = path.join(root, 'next-run');
    writePair(directory, 'A');
    expect(await replaceInChild(directory, 'retired:tfjs')).toBe('SIGKILL');
    expect(existsSync(path.join(directory, 'tfjs'))).toBe(false); // killed between the renames that swap the folder, OUT/tfjs is briefly gone
    await replaceTogether(directory, [{ name: 'notes.txt', kind: 'file', write: (target) => Promise.resolve(writeFileSync(target, 'C')) }]);
    expect(pairIn(directory)).toBe('B');
    expect(readdirSync(directory).sort()).toEqual(['metrics.json', 'notes.txt', 'tfjs']);
  });

  it("leaves a running process's staging alone and removes a dead one's", async () => {
    const directory = path.join(root, 'owners');
    writePair(directory, 'A');
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
    mkdirSync(path.join(directory, `.replace-${process.pid}-aaaaaaaaaaaa.staging`, 'new'), { recursive: true });
    mkdirSync(path.join(directory, `.replace-${deadPid}-bbbbbbbbbbbb.staging`, 'new'), { recursive: true });
    await recoverInterruptedReplacements(directory);
    expect(readdirSync(directory).sort()).toEqual([`.replace-${process.pid}-aaaaaaaaaaaa.staging`, 'metrics.json', 'tfjs']);
  });

  it('restores the model folder an earlier version left aside when it was killed mid-swap, and drops its staging', async () => {
    const directory = path.join(root, 'legacy');
    mkdirSync(directory);
    writePair(path.join(root, 'legacy-source'), 'A');
    const { renameSync } = await import('node:fs');
    renameSync(path.join(root, 'legacy-source', 'tfjs'), path.join(directory, '.tfjs.0123456789ab.old'));
    renameSync(path.join(root, 'legacy-source', 'metrics.json'), path.join(directory, 'metrics.json'));
    mkdirSync(path.join(directory, '.tfjs.ba9876543210.tmp'));
    writeFileSync(path.join(directory, '.metrics.json.0123456789ab.tmp'), 'a file of another writer: not ours to remove');
    await recoverInterruptedReplacements(directory);
    expect(pairIn(directory)).toBe('A');
    expect(readdirSync(directory).sort()).toEqual(['.metrics.json.0123456789ab.tmp', 'metrics.json', 'tfjs']);
  });

  it('keeps the old pair and no staging when writing the new one fails', async () => {
    const directory = path.join(root, 'failing');
    writePair(directory, 'A');
    const failing = replaceTogether(directory, [
      { name: 'tfjs', kind: 'directory', write: async (target) => mkdirSync(target) },
      { name: 'metrics.json', kind: 'file', write: async () => Promise.reject(new Error('disk full')) },
    ]);
    await expect(failing).rejects.toThrow(OutputError);
    await expect(failing).rejects.toThrow(
      `cannot write ${path.join(directory, 'tfjs')} and ${path.join(directory, 'metrics.json')}: disk full`,
    );
    expect(pairIn(directory)).toBe('A');
    expect(readdirSync(directory).sort()).toEqual(['metrics.json', 'tfjs']);
  });
});
