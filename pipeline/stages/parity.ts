import cliProgress from 'cli-progress';
import { writeJsonAtomic } from '../../common/files.ts';
import { datasetFiles } from '../../training/data/datasets.ts';
import { ParityError, checkParity, describeParityFailure } from '../parity.ts';
import { tfjsModelFileList } from './files.ts';
import type { Stage } from './stage.ts';

export const parityStage: Stage = {
  name: 'parity',
  requires: (paths) => [paths.tfjsModel, paths.onnxModel],
  async inputs({ options, paths }) {
    return {
      files: [...(await tfjsModelFileList(paths.tfjsModel)), paths.onnxModel, ...datasetFiles({ dataset: options.dataset, dataDir: options.dataDir })],
      settings: { thresholds: options.thresholds, backend: options.backend ?? 'auto' },
    };
  },
  async run({ options, paths, dataset, say, interactive }) {
    const bar = interactive ? new cliProgress.SingleBar({ format: '  predicting the test set [{bar}] {value}/{total} paths ({path})', hideCursor: true, clearOnComplete: true }) : undefined;
    bar?.start(3, 0, { path: 'tfjs' });
    const { report } = await checkParity({
      tfjsModelPath: paths.tfjsModel,
      onnxPath: paths.onnxModel,
      dataset: await dataset(),
      thresholds: options.thresholds,
      tfjsBackend: options.backend,
      onProgress: (done, _total, source) => bar?.update(done, { path: `${source} done` }),
    });
    bar?.stop();
    await writeJsonAtomic(paths.parity, report);
    for (const pair of report.pairs) {
      say(
        `${pair.passed ? 'ok  ' : 'FAIL'} ${pair.a} vs ${pair.b}: top-1 ${(pair.top1Agreement * 100).toFixed(2)}% of ${pair.samples}, max |Δp| ${pair.maxAbsDiff.toExponential(2)}, mean |Δp| ${pair.meanAbsDiff.toExponential(2)}`,
      );
    }
    if (!report.passed) throw new ParityError(`parity failed: ${describeParityFailure(report)} (details in ${paths.parity})`);
    const worst = Math.max(...report.pairs.map((pair) => pair.maxAbsDiff));
    const agreement = Math.min(...report.pairs.map((pair) => pair.top1Agreement));
    return { outputs: [paths.parity], figure: `${report.pairs.length} pairs: top-1 ${(agreement * 100).toFixed(2)}%, max |Δp| ${worst.toExponential(1)}` };
  },
};
