import { rm } from 'node:fs/promises';
import { convertModelVariantsToFiles } from '../../export/index.ts';
import { DTYPES } from '../../export/backend/precision/dtype.ts';
import { modelVariants } from '../options.ts';
import { describeConversion } from '../conversionSummary.ts';
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
    const [summary, ...variants] = await convertModelVariantsToFiles(paths.tfjsModel, paths.onnxModel, models.map((model) => model.dtype), { opset: options.opset });
    // Variants a previous run wrote but this one does not are removed, so no stale file is taken for this model's.
    const written = new Set(models.map((model) => model.path));
    for (const stale of modelVariants(paths, DTYPES.filter((dtype) => dtype !== 'fp32')).filter((model) => !written.has(model.path))) await rm(stale.path, { force: true });
    const signature = (io: { name: string; shape: (number | string)[] }[]) => io.map((t) => `${t.name} [${t.shape.join(', ')}]`).join(', ');
    const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
    say(`${describeConversion(summary)} (opset ${summary.opset})`);
    say(`input ${signature(summary.inputs)} → output ${signature(summary.outputs)}`);
    for (const variant of variants) say(`${variant.dtype}: ${variant.path}, ${kib(variant.fileBytes)} (${((variant.fileBytes / summary.fileBytes) * 100).toFixed(0)}% of fp32)`);
    const figure = `${summary.nodeCount} nodes, opset ${summary.opset}, ${kib(summary.fileBytes)}${variants.map((variant) => `; ${variant.dtype} ${kib(variant.fileBytes)}`).join('')}`;
    return { outputs: models.map((model) => model.path), figure };
  },
};
