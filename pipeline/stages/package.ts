/** package: manifest.json, describing every artifact (size, sha256) and how it was made. */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { readJsonFile, sha256OfBytes, writeJsonAtomic } from '../../common/files.ts';
import { readOnnxInfo } from '../onnxInfo.ts';
import type { ArtifactPaths } from '../options.ts';
import type { ParityReport } from '../parity.ts';
import { toolVersions } from '../versions.ts';
import { readTrainingMetrics, tfjsModelFileList } from './files.ts';
import type { Stage } from './stage.ts';

async function packagedFiles(paths: ArtifactPaths): Promise<string[]> {
  return [...(await tfjsModelFileList(paths.tfjsModel)), paths.onnxModel, paths.metrics, paths.parity];
}

export const packageStage: Stage = {
  name: 'package',
  requires: (paths) => [paths.tfjsModel, paths.onnxModel, paths.metrics, paths.parity],
  async inputs({ paths }) {
    return { files: await packagedFiles(paths), settings: { versions: toolVersions() } };
  },
  async run({ paths }) {
    const manifest = await buildManifest(paths);
    await writeJsonAtomic(paths.manifest, manifest);
    return { outputs: [paths.manifest], figure: `${manifest.files.length} files, ${(manifest.files.reduce((s, f) => s + f.bytes, 0) / 1024).toFixed(0)} KiB` };
  },
};

export async function buildManifest(paths: ArtifactPaths) {
  const files = await Promise.all(
    (await packagedFiles(paths)).map(async (file) => {
      const bytes = await fs.readFile(file);
      return { path: path.relative(paths.out, file), bytes: bytes.byteLength, sha256: sha256OfBytes(bytes) };
    }),
  );
  const metrics = await readTrainingMetrics(paths.metrics);
  const parity = existsSync(paths.parity) ? ((await readJsonFile(paths.parity)) as ParityReport) : undefined;
  const onnx = await readOnnxInfo(paths.onnxModel);
  return {
    createdAt: new Date().toISOString(),
    files,
    versions: toolVersions(),
    opset: onnx.opset,
    signature: { inputs: onnx.inputs, outputs: onnx.outputs },
    labels: onnx.metadata['tfjs_onnx.labels'] ? (JSON.parse(onnx.metadata['tfjs_onnx.labels']) as string[]) : metrics.dataset.classNames,
    model: metrics.model,
    dataset: metrics.dataset.name,
    trainingBackend: metrics.backend,
    testAccuracy: metrics.test.accuracy,
    parity: parity && {
      passed: parity.passed,
      thresholds: parity.thresholds,
      pairs: parity.pairs.map(({ a, b, samples, top1Agreement, maxAbsDiff, meanAbsDiff, passed }) => ({ a, b, samples, top1Agreement, maxAbsDiff, meanAbsDiff, passed })),
    },
  };
}

export type Manifest = Awaited<ReturnType<typeof buildManifest>>;
