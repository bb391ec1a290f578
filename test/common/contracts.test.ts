/**
 * The contract facts (metadata keys, variant file names, precisions, devices, element types,
 * source formats, the default top-k, image limits and magic bytes, the version) are written once,
 * in the runtime's constants entry, and imported everywhere else: a copy is missed by the next
 * change of the original. This reads every tracked source file outside the tests with the
 * TypeScript parser (so comments, which document the facts, do not count) and looks for the
 * constants' own values, taken from the module, so a new value is searched for without editing here.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_IMAGE_LIMITS,
  DEFAULT_TOP_K,
  DEVICES,
  DTYPES,
  ELEMENT_TYPES,
  IMAGE_MAGIC_BYTES,
  METADATA_PREFIX,
  RUNTIME_VERSION,
  SOURCE_FORMATS,
  VARIANT_FILES,
} from '@tfjs-onnx/runtime/constants';
import { PROJECT_ROOT, projectVersion } from '../../common/project.ts';

/** Where a literal is allowed, and why: the definition itself, or another party's contract that happens to share the value. */
const ALLOWED: readonly { file: string; finding: string; why: string }[] = [
  { file: 'runtime/src/constants.ts', finding: '*', why: 'the definitions' },
  {
    file: 'server/repository/config.ts',
    finding: `the variant file name '${VARIANT_FILES.fp32}'`,
    why: "Triton's default_model_filename for the onnxruntime backend, a Triton fact that only shares our fp32 file's name",
  },
];

const SOURCE_EXTENSIONS = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
/** Tests spell the facts out on purpose: they pin the format a user's files and clients rely on. */
const TEST_FILE = /(^|\/)test\/|\.test\.[a-z]+$/;

function sourceFiles(): string[] {
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).split('\0');
  return tracked.filter((file) => SOURCE_EXTENSIONS.test(file) && !TEST_FILE.test(file) && !file.endsWith('.d.ts'));
}

const sameSet = (values: readonly string[], list: readonly string[]) =>
  values.length === list.length && list.every((value) => values.includes(value));

const STRING_LISTS: Record<string, readonly string[]> = { DTYPES, DEVICES, ELEMENT_TYPES, SOURCE_FORMATS };
const VERSIONS = new Set([RUNTIME_VERSION, projectVersion()]);
const NUMBER_PROPERTIES: Record<string, number> = { ...DEFAULT_IMAGE_LIMITS };

/** What in this node copies a contract constant, if anything. */
function copiedFact(node: ts.Node): string | undefined {
  if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node))
    return copiedString(node.text);
  if (ts.isArrayLiteralExpression(node)) return copiedList(node.elements);
  if (ts.isUnionTypeNode(node)) return copiedList(node.types.map((type) => (ts.isLiteralTypeNode(type) ? type.literal : type)));
  if (ts.isPropertyAssignment(node) || ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node)) {
    const name = node.name.getText();
    const value = node.initializer && ts.isNumericLiteral(node.initializer) ? Number(node.initializer.text) : undefined;
    if (value === DEFAULT_TOP_K && /top_?k/i.test(name)) return `the default top-k (${name} = ${value})`;
    if (value !== undefined && NUMBER_PROPERTIES[name] === value) return `the image limit ${name} = ${value}`;
  }
  if (
    ts.isBinaryExpression(node) &&
    node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken &&
    /top_?k/i.test(node.left.getText())
  ) {
    if (ts.isNumericLiteral(node.right) && Number(node.right.text) === DEFAULT_TOP_K) return `the default top-k (${node.getText()})`;
  }
  return undefined;
}

function copiedString(text: string): string | undefined {
  if (text.includes(METADATA_PREFIX)) return `a metadata key ('${METADATA_PREFIX}…')`;
  for (const file of Object.values(VARIANT_FILES)) {
    // model.onnx alone is too common a name in examples to search inside longer text; the others are ours.
    if (text === file || (file !== VARIANT_FILES.fp32 && text.includes(file))) return `the variant file name '${file}'`;
  }
  if (VERSIONS.has(text)) return `the version '${text}'`;
  return undefined;
}

function copiedList(elements: readonly ts.Node[]): string | undefined {
  const strings = elements.filter(ts.isStringLiteralLike).map((element) => element.text);
  for (const [name, list] of Object.entries(STRING_LISTS)) if (sameSet(strings, list)) return `the list ${name}`;
  const numbers = elements.map((element) => (ts.isNumericLiteral(element) ? Number(element.text) : Number.NaN));
  for (const [format, magic] of Object.entries(IMAGE_MAGIC_BYTES)) {
    if (magic.every((byte, i) => numbers[i] === byte)) return `the ${format} magic bytes`;
  }
  return undefined;
}

function findCopies(file: string): string[] {
  const text = readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    const fact = copiedFact(node);
    const allowed = fact && ALLOWED.some((entry) => entry.file === file && (entry.finding === '*' || entry.finding === fact));
    if (fact && !allowed) found.push(`${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${fact}`);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('the contract constants', () => {
  it('are written once, in runtime/src/constants.ts, and imported from @tfjs-onnx/runtime/constants everywhere else', () => {
    expect(sourceFiles().flatMap(findCopies)).toEqual([]);
  });

  it('are recognized when copied (the search finds what it looks for)', () => {
    const copies = [
      `const key = '${METADATA_PREFIX}labels';`,
      `const file = '${VARIANT_FILES.fp16}';`,
      `const help = 'writes ${VARIANT_FILES.q8} beside it';`,
      `const TOP_K = ${DEFAULT_TOP_K};`,
      `const k = request.query.top_k ?? ${DEFAULT_TOP_K};`,
      `const PNG = [${IMAGE_MAGIC_BYTES.png.join(', ')}];`,
      `type Format = ${SOURCE_FORMATS.map((format) => `'${format}'`).join(' | ')};`,
      `const precisions = [${[...DTYPES]
        .reverse()
        .map((dtype) => `'${dtype}'`)
        .join(', ')}];`,
      `const limits = { maxMegapixels: ${DEFAULT_IMAGE_LIMITS.maxMegapixels} };`,
      `export const VERSION = '${RUNTIME_VERSION}';`,
    ];
    for (const line of copies) {
      const source = ts.createSourceFile('copy.ts', line, ts.ScriptTarget.Latest, true);
      const facts: string[] = [];
      const visit = (node: ts.Node) => {
        const fact = copiedFact(node);
        if (fact) facts.push(fact);
        ts.forEachChild(node, visit);
      };
      visit(source);
      expect(facts, line).not.toEqual([]);
    }
  });
});
