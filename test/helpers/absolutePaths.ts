/**
 * Finds absolute paths in what the project writes (artifacts, bench results): no artifact may
 * hold one (docs/architecture.md, contracts), since artifacts are copied, published and compared across machines.
 */
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/**
 * A POSIX path of at least one directory ("/tmp/x", "/work/repo/") not preceded by a character
 * that makes it part of something else (a/b, 15px/1.5, base64 text), a Windows drive path, or a
 * file: URL.
 */
const ABSOLUTE_PATH = /(?<![\w.~+=/\\-])\/(?:[\w.@+-]+\/)+[\w.@+-]*|\b[A-Za-z]:(?:\\\\|\\|\/)[\w.@ +-]+|file:\/\/\S+/g;

/** data: URIs carry base64 bytes, not paths; they are left out of the text before it is searched. */
const DATA_URI = /data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+/g;

export function findAbsolutePaths(text: string): string[] {
  return [...text.replace(DATA_URI, 'data:…').matchAll(ABSOLUTE_PATH)].map((match) => match[0]);
}

/** Every string an ONNX model holds (names, doc strings, metadata_props, producer), skipping tensor data. */
export function onnxStrings(bytes: Uint8Array): string[] {
  const model = onnx.ModelProto.decode(bytes);
  const strings: string[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === 'string') strings.push(value);
    else if (ArrayBuffer.isView(value))
      return; // tensor bytes
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(model);
  return strings;
}

/** Folders a leaked path would most likely start with on this machine; searched for in every byte of a file. */
function machineRoots(extra: string[]): string[] {
  return [
    ...new Set([os.tmpdir(), os.homedir(), process.cwd(), ...extra].map((root) => path.resolve(root)).filter((root) => root !== '/')),
  ];
}

export interface AbsolutePathFinding {
  file: string;
  found: string[];
}

/**
 * Every absolute path in the files of a folder (recursively): text files are searched as text,
 * ONNX files through their decoded strings, and every file (weights too) for this machine's
 * temporary, home, working and given folders as raw bytes.
 */
export function absolutePathsInFolder(folder: string, knownRoots: string[] = []): AbsolutePathFinding[] {
  const roots = machineRoots([folder, ...knownRoots]);
  const files = readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
  return files.flatMap((file) => {
    const bytes = readFileSync(file);
    const raw = bytes.toString('latin1');
    const rootsFound = roots.filter((root) => raw.includes(root));
    // The deepest folder says most ("/tmp/x/artifacts" rather than "/tmp" as well).
    const found = rootsFound.filter((root) => !rootsFound.some((other) => other.startsWith(`${root}${path.sep}`)));
    if (file.endsWith('.onnx')) found.push(...onnxStrings(bytes).flatMap(findAbsolutePaths));
    else if (!file.endsWith('.bin')) found.push(...findAbsolutePaths(bytes.toString('utf8')));
    return found.length > 0 ? [{ file: path.relative(folder, file), found: [...new Set(found)].sort() }] : [];
  });
}
