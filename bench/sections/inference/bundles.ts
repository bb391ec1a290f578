/**
 * Browser bundle sizes: a page that loads a classifier, built with Vite the way an app builds it,
 * once importing '@tfjs-onnx/runtime' (onnxruntime-web's WebGPU + WebAssembly build) and once
 * '@tfjs-onnx/runtime/wasm' (its plain WebAssembly build). JavaScript and .wasm bytes as emitted.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build, type Rolldown } from 'vite';
import { PROJECT_ROOT } from '../../../common/project.ts';

export interface BundleSize {
  entry: string;
  jsBytes: number;
  wasmBytes: number;
  wasmFiles: string[];
}

export async function measureBundles(): Promise<BundleSize[]> {
  // Inside the repository, so the app resolves '@tfjs-onnx/runtime' through the workspace link (test-output/ is git-ignored).
  const root = path.join(PROJECT_ROOT, 'test-output', `bench-bundles-${process.pid}`);
  try {
    const sizes: BundleSize[] = [];
    for (const entry of ['@tfjs-onnx/runtime', '@tfjs-onnx/runtime/wasm']) sizes.push(await bundle(root, entry));
    return sizes;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function bundle(root: string, entry: string): Promise<BundleSize> {
  const app = path.join(root, entry.replace(/\W+/g, '-'));
  await mkdir(app, { recursive: true });
  await writeFile(path.join(app, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>\n');
  await writeFile(
    path.join(app, 'main.js'),
    `import { loadClassifier } from '${entry}';\nconst classifier = await loadClassifier('./model.onnx');\nconsole.log(classifier.device);\n`,
  );
  const output = await build({
    root: app,
    configFile: false,
    logLevel: 'silent',
    build: { outDir: path.join(app, 'dist'), target: 'es2022', write: false },
  });
  const files = (Array.isArray(output) ? output : [output]).flatMap((result) => (result as Rolldown.RolldownOutput).output);
  const size = (file: Rolldown.OutputChunk | Rolldown.OutputAsset) =>
    file.type === 'chunk'
      ? Buffer.byteLength(file.code)
      : typeof file.source === 'string'
        ? Buffer.byteLength(file.source)
        : file.source.byteLength;
  const js = files.filter((file) => file.fileName.endsWith('.js') || file.fileName.endsWith('.mjs'));
  const wasm = files.filter((file) => file.fileName.endsWith('.wasm'));
  return {
    entry,
    jsBytes: js.reduce((sum, file) => sum + size(file), 0),
    wasmBytes: wasm.reduce((sum, file) => sum + size(file), 0),
    wasmFiles: wasm.map((file) => path.basename(file.fileName)),
  };
}
