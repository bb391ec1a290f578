/** package: manifest.json, describing every artifact (size, sha256) and how it was made. */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { METADATA_LABELS } from '@tfjs-onnx/runtime/constants';
import { readJsonFile, sha256OfBytes, writeJsonAtomic } from '../../common/files.ts';
import { formatBytes } from '../../common/format.ts';
import { readOnnxInfo } from '../onnxInfo.ts';
import { modelVariants, type ArtifactPaths } from '../options.ts';
import type { VariantDtype } from '../variants/options.ts';
import type { ParityReport } from '../parity.ts';
import { toolVersions } from '../versions.ts';
import { readTrainingMetrics, tfjsModelFileList } from './files.ts';
import type { Stage } from './stage.ts';

async function packagedFiles(paths: ArtifactPaths, variants: readonly VariantDtype[]): Promise<string[]> {
  return [
    ...(await tfjsModelFileList(paths.tfjsModel)),
    ...modelVariants(paths, variants).map((model) => model.path),
    paths.metrics,
    paths.parity,
  ];
}

export const packageStage: Stage = {
  name: 'package',
  requires: (paths) => [paths.tfjsModel, paths.onnxModel, paths.metrics, paths.parity],
  async inputs({ options, paths }) {
    return { files: await packagedFiles(paths, options.variants), settings: { versions: toolVersions() } };
  },
  async run({ options, paths }) {
    const manifest = await buildManifest(paths, options.variants);
    await writeJsonAtomic(paths.manifest, manifest);
    return {
      outputs: [paths.manifest],
      figure: `${manifest.files.length} files, ${formatBytes(manifest.files.reduce((sum, file) => sum + file.bytes, 0))}`,
    };
  },
};

export async function buildManifest(paths: ArtifactPaths, variants: readonly VariantDtype[] = []) {
  const files = await Promise.all(
    (await packagedFiles(paths, variants)).map(async (file) => {
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
    labels: onnx.metadata[METADATA_LABELS] ? (JSON.parse(onnx.metadata[METADATA_LABELS]) as string[]) : metrics.dataset.classNames,
    model: metrics.model,
    dataset: metrics.dataset.name,
    trainingBackend: metrics.backend,
    testAccuracy: metrics.test.accuracy,
    /** Every precision of the exported model, with its file's size and sha256 (from the files list). */
    models: modelVariants(paths, variants).map(({ dtype, path: file }) => {
      const { path: relative, bytes, sha256 } = files.find((listed) => listed.path === path.relative(paths.out, file))!;
      return { dtype, path: relative, bytes, sha256 };
    }),
    parity: parity && {
      passed: parity.passed,
      thresholds: parity.thresholds,
      pairs: parity.pairs.map(({ a, b, samples, top1Agreement, maxAbsDiff, meanAbsDiff, passed }) => ({
        a,
        b,
        samples,
        top1Agreement,
        maxAbsDiff,
        meanAbsDiff,
        passed,
      })),
    },
  };
}

export type Manifest = Awaited<ReturnType<typeof buildManifest>>;
