/**
 * Files and functions stay small (issue 24): no source file over 300 lines and no function over 60,
 * except the tables and generated lists named below, each with the reason it is one. Source files
 * are what git tracks, or would track (.ts .tsx .js .mjs .cjs .py .css .html; not bench/results,
 * not JSON). Functions are found by the TypeScript compiler's parser in the script files and
 * measured from their first line to their last; a `describe` callback only groups tests, so the
 * tests inside it are measured instead.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.ts';

const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 60;
const SOURCE = /\.(ts|tsx|js|mjs|cjs|py|css|html)$/;
const SCRIPT = /\.(ts|tsx|js|mjs|cjs)$/;
const NOT_SOURCE = /^bench\/results\//;

/** Files allowed over MAX_FILE_LINES, by path: each is a table or a generated list, and says why. */
const LONG_FILES: Readonly<Record<string, string>> = {};

/** Functions allowed over MAX_FUNCTION_LINES, as `path#name`: each is a table, and says why. */
const LONG_FUNCTIONS: Readonly<Record<string, string>> = {
  'training/ops/adamSimd.ts#adamBody': 'a WebAssembly function body, one instruction per line',
  'pipeline/report/charts.ts#confusionMatrixSpec': 'a Vega-Lite chart specification, one property per line',
  'pipeline/commands/serve.ts#builder': "the serve command's flags, one yargs declaration each",
};

interface FunctionSize {
  /** `path#name`, the key LONG_FUNCTIONS uses. */
  key: string;
  line: number;
  lines: number;
}

/** The source files git tracks, and the new ones it does not ignore, relative to the repository. */
function sourceFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  const files = new Set(listed.split('\0').filter((file) => SOURCE.test(file) && !NOT_SOURCE.test(file)));
  return [...files].filter((file) => existsSync(path.join(REPO_ROOT, file))).sort();
}

/** Lines as `wc -l` counts them. */
function lineCount(text: string): number {
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** The name a function is known by: its own, its variable's or property's, or the call it is passed to (`it('…')`). */
function functionName(node: ts.FunctionLikeDeclaration, source: ts.SourceFile): string {
  if (node.name) return node.name.getText(source);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))
    return parent.name.getText(source);
  if (ts.isCallExpression(parent)) {
    const [first] = parent.arguments;
    const label = first && ts.isStringLiteralLike(first) ? `'${first.text}'` : '';
    return `${parent.expression.getText(source)}(${label})`;
  }
  return '(anonymous)';
}

/** A callback of `describe`, `describe.each(…)` or `describe.skip`: a group of tests, not a function to keep short. */
function groupsTests(node: ts.FunctionLikeDeclaration): boolean {
  if (!ts.isCallExpression(node.parent) || !node.parent.arguments.includes(node as ts.Expression)) return false;
  let callee: ts.Expression = node.parent.expression;
  while (ts.isPropertyAccessExpression(callee) || ts.isCallExpression(callee)) callee = callee.expression;
  return ts.isIdentifier(callee) && callee.text === 'describe';
}

/** Every function with a body in a script, with its length in lines. */
function functionSizes(file: string, text: string): FunctionSize[] {
  const kind = file.endsWith('.tsx') ? ts.ScriptKind.TSX : file.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const sizes: FunctionSize[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body && !groupsTests(node)) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      sizes.push({ key: `${file}#${functionName(node, source)}`, line: first + 1, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return sizes;
}

describe('file and function sizes', () => {
  const files = sourceFiles();
  const texts = new Map(files.map((file) => [file, readFileSync(path.join(REPO_ROOT, file), 'utf8')]));

  it(`no source file is over ${MAX_FILE_LINES} lines, except the tables and generated lists named`, () => {
    const long = files.filter((file) => lineCount(texts.get(file)!) > MAX_FILE_LINES);
    expect(files.length).toBeGreaterThan(100);
    expect(long.filter((file) => !(file in LONG_FILES)).map((file) => `${file}: ${lineCount(texts.get(file)!)} lines`)).toEqual([]);
    // An exception that no longer applies goes, so the list stays short and true.
    expect(Object.keys(LONG_FILES).filter((file) => !long.includes(file))).toEqual([]);
  });

  it(`no function is over ${MAX_FUNCTION_LINES} lines, except the tables named`, () => {
    const long = files
      .filter((file) => SCRIPT.test(file))
      .flatMap((file) => functionSizes(file, texts.get(file)!))
      .filter((size) => size.lines > MAX_FUNCTION_LINES);
    expect(
      long.filter((size) => !(size.key in LONG_FUNCTIONS)).map((size) => `${size.key} (line ${size.line}): ${size.lines} lines`),
    ).toEqual([]);
    expect(Object.keys(LONG_FUNCTIONS).filter((key) => !long.some((size) => size.key === key))).toEqual([]);
  });

  it('measures what it says: functions, methods and test callbacks by their lines, describe groups left out', () => {
    const body = (lines: number) => Array.from({ length: lines - 2 }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const text = [
      `function long() {\n${body(61)}\n}`,
      `const short = () => {\n${body(60)}\n};`,
      `class Model {\n  method() {\n${body(62)}\n  }\n}`,
      `describe.each([1])('group %s', () => {\n  it('a test', () => {\n${body(61)}\n  });\n});`,
      `describe('group', () => {\n${body(70)}\n});`,
    ].join('\n');
    const sizes = functionSizes('sample.ts', text).filter((size) => size.lines > MAX_FUNCTION_LINES);
    expect(sizes.map((size) => [size.key, size.lines])).toEqual([
      ['sample.ts#long', 61],
      ['sample.ts#method', 62],
      ["sample.ts#it('a test')", 61],
    ]);
    expect(lineCount('a\nb\n')).toBe(2);
    expect(lineCount('a\nb')).toBe(2);
  });
});
