import { readdirSync } from 'node:fs';
import path from 'node:path';
import { datasetFiles } from '../../training/data/datasets.ts';
import { train } from '../../training/train.ts';
import type { Stage } from './stage.ts';

export const trainStage: Stage = {
  name: 'train',
  requires: () => [],
  async inputs({ options }) {
    const { model, epochs, batchSize, learningRate, seed, limit, validationSplit, backend } = options;
    return {
      files: datasetFiles({ dataset: options.dataset, dataDir: options.dataDir }),
      settings: { model, epochs, batchSize, learningRate, seed, limit, validationSplit, backend: backend ?? 'auto' },
    };
  },
  async run({ options, paths }) {
    const result = await train({ ...options, out: paths.out });
    const modelFiles = readdirSync(paths.tfjsDirectory).map((name) => path.join(paths.tfjsDirectory, name));
    return {
      outputs: [...modelFiles, result.metricsPath],
      figure: `test accuracy ${(result.metrics.test.accuracy * 100).toFixed(2)}% (${result.metrics.backend})`,
    };
  },
};
