import { rm } from 'node:fs/promises';
import { formatBytes } from '../../common/format.ts';
import { convertModelVariantsToFiles } from '../../export/index.ts';
import { DTYPES } from '../../export/backend/precision/dtype.ts';
import { modelVariants } from '../options.ts';
import { describeConversion, describeSignature } from '../conversionSummary.ts';
import { tfjsModelFileList } from './files.ts';
import type { Stage } from './stage.ts';

export const convertStage: Stage = {
  name: 'convert',
  requires: (paths) => [paths.tfjsModel],
  async inputs({ options, paths }) {
    return { files: await tfjsModelFileList(paths.tfjsModel), settings: { opset: options.opset, variants: options.variants } };
  },
  async run({ options, paths, say }) {
    const models = modelVariants(paths, options.variants);
    const [summary, ...variants] = await convertModelVariantsToFiles(
      paths.tfjsModel,
      paths.onnxModel,
      models.map((model) => model.dtype),
      { opset: options.opset },
    );
    // Variants a previous run wrote but this one does not are removed, so no stale file is taken for this model's.
    const written = new Set(models.map((model) => model.path));
    for (const stale of modelVariants(
      paths,
      DTYPES.filter((dtype) => dtype !== 'fp32'),
    ).filter((model) => !written.has(model.path)))
      await rm(stale.path, { force: true });
    say(`${describeConversion(summary)} (opset ${summary.opset})`);
    say(`input ${describeSignature(summary.inputs)} → output ${describeSignature(summary.outputs)}`);
    for (const variant of variants)
      say(
        `${variant.dtype}: ${variant.path}, ${formatBytes(variant.fileBytes)} (${((variant.fileBytes / summary.fileBytes) * 100).toFixed(0)}% of fp32)`,
      );
    const figure = `${summary.nodeCount} nodes, opset ${summary.opset}, ${formatBytes(summary.fileBytes)}${variants.map((variant) => `; ${variant.dtype} ${formatBytes(variant.fileBytes)}`).join('')}`;
    return { outputs: models.map((model) => model.path), figure };
  },
};
