import { convertLayersModelToFile } from '../../export/index.ts';
import { describeConversion } from '../conversionSummary.ts';
import { tfjsModelFileList } from './files.ts';
import type { Stage } from './stage.ts';

export const convertStage: Stage = {
  name: 'convert',
  requires: (paths) => [paths.tfjsModel],
  async inputs({ options, paths }) {
    return { files: await tfjsModelFileList(paths.tfjsModel), settings: { opset: options.opset } };
  },
  async run({ options, paths, say }) {
    const summary = await convertLayersModelToFile(paths.tfjsModel, paths.onnxModel, { opset: options.opset });
    const signature = (io: { name: string; shape: (number | string)[] }[]) => io.map((t) => `${t.name} [${t.shape.join(', ')}]`).join(', ');
    say(`${describeConversion(summary)} (opset ${summary.opset})`);
    say(`input ${signature(summary.inputs)} → output ${signature(summary.outputs)}`);
    return { outputs: [paths.onnxModel], figure: `${summary.nodeCount} nodes, opset ${summary.opset}, ${(summary.fileBytes / 1024).toFixed(0)} KiB` };
  },
};
