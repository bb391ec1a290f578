import cliProgress from 'cli-progress';
import { writeJsonAtomic } from '../../common/files.ts';
import { datasetFiles } from '../../training/data/datasets.ts';
import type { ImageSplit } from '../../training/data/datasets.ts';
import {
  checkParity,
  describeParityFailure,
  normalizeImages,
  PARITY_DEVICES,
  ParityError,
  type ParityReport,
  readPreprocess,
} from '../parity.ts';
import { modelVariants } from '../options.ts';
import { checkVariants, describeVariantFailure } from '../variants/check.ts';
import type { VariantsReport } from '../variants/types.ts';
import { tfjsModelFileList } from './files.ts';
import type { Stage } from './stage.ts';

/** Compared where an adapter works; otherwise the report says why not. */
const PARITY_DEVICES_WHERE_AVAILABLE = ['webgpu'] as const;

export const parityStage: Stage = {
  name: 'parity',
  requires: (paths) => [paths.tfjsModel, paths.onnxModel],
  async inputs({ options, paths }) {
    return {
      files: [
        ...(await tfjsModelFileList(paths.tfjsModel)),
        ...modelVariants(paths, options.variants).map((model) => model.path),
        ...datasetFiles({ dataset: options.dataset, dataDir: options.dataDir }),
      ],
      settings: {
        thresholds: options.thresholds,
        backend: options.backend ?? 'auto',
        devices: [...PARITY_DEVICES, ...PARITY_DEVICES_WHERE_AVAILABLE],
        // Whether webgpu can run depends on the Vulkan driver the environment names.
        vulkanDriver: process.env.VK_ICD_FILENAMES ?? null,
        variants: options.variants.length > 0 ? { bounds: options.variantBounds, speed: options.variantSpeed } : undefined,
      },
    };
  },
  async run({ options, paths, dataset, say, interactive }) {
    const bar = interactive
      ? new cliProgress.SingleBar({
          format: '  predicting the test set [{bar}] {value}/{total} paths ({path})',
          hideCursor: true,
          clearOnComplete: true,
        })
      : undefined;
    bar?.start(1 + PARITY_DEVICES.length + PARITY_DEVICES_WHERE_AVAILABLE.length, 0, { path: 'tfjs' });
    const { report, predictions } = await checkParity({
      tfjsModelPath: paths.tfjsModel,
      onnxPath: paths.onnxModel,
      dataset: await dataset(),
      thresholds: options.thresholds,
      tfjsBackend: options.backend,
      devices: PARITY_DEVICES,
      devicesWhereAvailable: PARITY_DEVICES_WHERE_AVAILABLE,
      onProgress: (done, _total, source) => bar?.update(done, { path: `${source} done` }),
    });
    bar?.stop();
    // The reduced-precision variants, against the same tfjs predictions, with bounds fitting their
    // precision; checked once the fp32 model itself passes.
    const variants =
      options.variants.length === 0 || !report.passed
        ? undefined
        : await checkVariants({
            models: modelVariants(paths, options.variants),
            root: paths.out,
            test: (await dataset()).test,
            input: await normalizedTestImages(paths.tfjsModel, (await dataset()).test),
            reference: predictions[0],
            known: { fp32: { cpu: predictions[1], wasm: predictions[2] } },
            bounds: options.variantBounds,
            speed: options.variantSpeed,
            onProgress: say,
          });
    await writeJsonAtomic(paths.parity, variants ? { ...report, variants } : report);
    sayResults(report, variants, say);
    if (!report.passed) throw new ParityError(`parity failed: ${describeParityFailure(report)} (details in ${paths.parity})`);
    if (variants && !variants.passed)
      throw new ParityError(`variant parity failed: ${describeVariantFailure(variants)} (details in ${paths.parity})`);
    const worst = Math.max(...report.pairs.map((pair) => pair.maxAbsDiff));
    const agreement = Math.min(...report.pairs.map((pair) => pair.top1Agreement));
    const variantFigure = variants
      ? `; ${options.variants.join(', ')} within their bounds (top-1 ≥ ${(options.variantBounds.minTop1Agreement * 100).toFixed(1)}%)`
      : '';
    return {
      outputs: [paths.parity],
      figure: `${report.pairs.length} pairs: top-1 ${(agreement * 100).toFixed(2)}%, max |Δp| ${worst.toExponential(1)}${variantFigure}`,
    };
  },
};

/** One line per compared pair, skipped device and variant. */
function sayResults(report: ParityReport, variants: VariantsReport | undefined, say: (line: string) => void): void {
  for (const pair of report.pairs) {
    say(
      `${pair.passed ? 'ok  ' : 'FAIL'} ${pair.a} vs ${pair.b}: top-1 ${(pair.top1Agreement * 100).toFixed(2)}% of ${pair.samples}, max |Δp| ${pair.maxAbsDiff.toExponential(2)}, mean |Δp| ${pair.meanAbsDiff.toExponential(2)}`,
    );
  }
  for (const { device, reason } of report.skipped ?? []) say(`skip ${device}: ${reason}`);
  for (const variant of variants?.variants ?? []) {
    const agreement = Math.min(variant.versusTfjs.cpu.top1Agreement, variant.versusTfjs.wasm.top1Agreement);
    say(
      `${variant.passed ? 'ok  ' : 'FAIL'} ${variant.dtype} ${variant.file}: top-1 vs tfjs ${(agreement * 100).toFixed(2)}%, test accuracy ${(variant.testAccuracy * 100).toFixed(2)}% (${(variant.accuracyChange * 100).toFixed(2)} points), ${(variant.sizeRatio * 100).toFixed(0)}% of fp32's size`,
    );
  }
}

/** The test images as model input, normalized as checkParity normalizes them for the fp32 paths. */
async function normalizedTestImages(modelJsonPath: string, test: ImageSplit): Promise<Float32Array> {
  const { scale, offset } = await readPreprocess(modelJsonPath);
  return normalizeImages(test, scale, offset);
}
