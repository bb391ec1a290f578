/**
 * docs/architecture.md against the tree, so it cannot drift: every file and folder it names in
 * backticks exists, every top-level source folder has a row in "Where each concern lives", and the
 * test folders mirror the source folders as its "Tests" section says (the README's layer and op
 * lists are checked against the code the same way).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.ts';

const DOC = readFileSync(path.join(REPO_ROOT, 'docs', 'architecture.md'), 'utf8');
/** Generated or installed, never part of the described tree. */
const NOT_SOURCE = new Set(['node_modules', 'dist', 'artifacts', 'test-output', 'docs', 'test']);
/** Test folders that mirror no source folder, each named in the doc's "Tests" section. */
const TEST_FOLDERS_OF_THEIR_OWN = ['test/helpers/', 'test/setup/', 'test/gpu/', 'test/server/helpers/'];

const isDirectory = (relative: string) =>
  existsSync(path.join(REPO_ROOT, relative)) && statSync(path.join(REPO_ROOT, relative)).isDirectory();
const topLevel = new Set(readdirSync(REPO_ROOT));

/** Tables row by row, everything else paragraph by paragraph: a short name is read against the paths beside it. */
function blocks(markdown: string): string[] {
  const withoutCode = markdown.replace(/^```[\s\S]*?^```/gm, '');
  return withoutCode.split(/\n\s*\n/).flatMap((block) => (block.trimStart().startsWith('|') ? block.split('\n') : [block]));
}

/** Backticked names that are paths in the repository: from a top-level entry (`export/index.ts`) or short (`reader/`, `plugins.ts`). */
function namedPaths(block: string): { full: string[]; short: string[] } {
  const full: string[] = [];
  const short: string[] = [];
  for (const [, token] of block.matchAll(/`([^`\s]+)`/g)) {
    const name = token!.split('<')[0]!; // a pattern such as test/<area>/<name>.fuzz.test.ts: its fixed part
    if (topLevel.has(name.split('/')[0]!) && (name.includes('/') || /\.\w+$/.test(name))) full.push(name);
    else if (/^[\w.-]+(\/[\w.-]+)*(\/|\.(ts|mjs|js))$/.test(name) && !name.startsWith('.')) short.push(name);
  }
  return { full, short };
}

/**
 * The folders a short name may be relative to: each folder named beside it (or holding a file named
 * beside it), its subfolders and the folders above it, short of the repository's root:
 * `export/layersModel/` and its `reader/`, `server/core/` and its `sharedMemory.ts`,
 * `export/graphModel/tfOps/` and `tfOps/index.ts`.
 */
function foldersBeside(full: string[]): string[] {
  return full.flatMap((name) => {
    const folder = name.endsWith('/') ? name : path.dirname(name);
    const above: string[] = [];
    for (let parent = path.dirname(folder); parent !== '.'; parent = path.dirname(parent)) above.push(parent);
    const below = isDirectory(folder)
      ? readdirSync(path.join(REPO_ROOT, folder))
          .map((entry) => path.join(folder, entry))
          .filter(isDirectory)
      : [];
    return [folder, ...below, ...above];
  });
}

function sourceFolders(): string[] {
  const hasTypeScript = (folder: string): boolean =>
    readdirSync(path.join(REPO_ROOT, folder), { withFileTypes: true }).some((entry) =>
      entry.isDirectory()
        ? entry.name !== 'node_modules' && entry.name !== 'dist' && hasTypeScript(path.join(folder, entry.name))
        : entry.name.endsWith('.ts'),
    );
  return [...topLevel].filter((name) => !NOT_SOURCE.has(name) && !name.startsWith('.') && isDirectory(name) && hasTypeScript(name)).sort();
}

/** Folders holding files under `root` (an empty folder a move left behind is not part of the tree git checks out). */
function testFolders(root: string): string[] {
  const holdsFiles = (folder: string): boolean =>
    readdirSync(path.join(REPO_ROOT, folder), { withFileTypes: true }).some(
      (entry) => !entry.isDirectory() || holdsFiles(path.join(folder, entry.name)),
    );
  return readdirSync(path.join(REPO_ROOT, root), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && holdsFiles(path.join(root, entry.name)))
    .flatMap((entry) => [path.join(root, entry.name), ...testFolders(path.join(root, entry.name))]);
}

describe('docs/architecture.md', () => {
  it('names only files and folders that exist', () => {
    const missing: string[] = [];
    for (const block of blocks(DOC)) {
      const { full, short } = namedPaths(block);
      for (const name of full) if (!existsSync(path.join(REPO_ROOT, name))) missing.push(name);
      const folders = foldersBeside(full);
      for (const name of short)
        if (!folders.some((folder) => existsSync(path.join(REPO_ROOT, folder, name))))
          missing.push(`${name} (beside ${full.join(', ') || 'no path'})`);
    }
    expect(missing).toEqual([]);
  });

  it('reads every path it names the way the test above does (the check checks something)', () => {
    const { full, short } = namedPaths(
      '| the core (`sharedMemory.ts` for the regions) | `server/core/`, `OUT/model.onnx`, `tfjs-onnx-cli/plugins`, `test/<area>/<name>.fuzz.test.ts` |',
    );
    expect(full).toEqual(['server/core/', 'test/']);
    expect(short).toEqual(['sharedMemory.ts']);
    expect(foldersBeside(['server/core/'])).toContain('server/core/');
    expect(namedPaths('`pipeline/no-such-module.ts`').full).toEqual(['pipeline/no-such-module.ts']);
  });

  it('gives every top-level source folder a row in "Where each concern lives"', () => {
    const section = /## Where each concern lives\n([\s\S]*?)\n#/.exec(DOC)![1]!;
    const whereColumn = section
      .split('\n')
      .filter((line) => line.startsWith('|'))
      .map((row) => row.split('|').at(-2)!);
    const covered = new Set(whereColumn.flatMap((cell) => namedPaths(cell).full.map((name) => name.split('/')[0])));
    expect(sourceFolders().filter((folder) => !covered.has(folder))).toEqual([]);
  });

  it('says how the tests mirror the source, and they do: test/<area>/… is <area>/…, runtime/test/… is runtime/src/…', () => {
    const prose = DOC.replace(/\s+/g, ' ');
    expect(prose).toContain('`test/` mirrors the source folders');
    expect(prose).toContain('`runtime/test/` mirrors `runtime/src/`');
    for (const folder of TEST_FOLDERS_OF_THEIR_OWN) expect(prose).toContain(`\`${folder}\``);
    const ownRoots = TEST_FOLDERS_OF_THEIR_OWN.map((folder) => folder.slice(0, -1));
    const unmirrored = [
      ...testFolders('test')
        .filter((folder) => !ownRoots.some((own) => folder === own || folder.startsWith(`${own}/`)))
        .filter((folder) => !isDirectory(path.relative('test', folder))),
      ...testFolders('runtime/test').filter((folder) => !isDirectory(path.join('runtime/src', path.relative('runtime/test', folder)))),
    ];
    expect(unmirrored).toEqual([]);
  });
});
