import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { recoverInterruptedReplacements } from '../../common/replaceTogether.ts';
import { fileSystemLoader } from '../../common/tfjsModelFiles.ts';
import { selectBackend } from '../../training/backends/select.ts';
import { loadDataset } from '../../training/data/datasets.ts';
import { ClassifierTrainer } from '../../training/fit/trainer.ts';
import { ADAM_DEFAULTS } from '../../training/ops/adam.ts';
import { train, type TrainingMetrics } from '../../training/train.ts';
import { writeSyntheticDataset } from '../helpers/fixtures/idx.ts';
import { tempDir } from '../helpers/tempDir.ts';

const root = tempDir();
const dataDir = path.join(root, 'data');
const quick = { dataDir, epochs: 1, batchSize: 16, quiet: true, backend: 'wasm' };

/** `train` in a child process that kills itself (kill -9) at the named step of its save. */
function trainKilledAt(out: string, step: string, seed: number): Promise<NodeJS.Signals | null> {
  const script = `import('./training/train.ts').then((m) => m.train(${JSON.stringify({ ...quick, seed, out })}))`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], {
    env: { ...process.env, TFJS_ONNX_TEST_KILL_AT: step },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return new Promise((resolve) => child.once('exit', (_, signal) => resolve(signal)));
}

/** The test loss of the saved model, computed from its files: equal to metrics.json's only if the two belong together. */
async function savedModelTestLoss(out: string): Promise<number> {
  const model = (await tf.loadLayersModel(fileSystemLoader(path.join(out, 'tfjs', 'model.json')))) as tf.Sequential;
  const dataset = await loadDataset({ dataDir });
  const trainer = new ClassifierTrainer(model, { learningRate: 1e-3, ...ADAM_DEFAULTS });
  const { loss } = trainer.evaluate(dataset.test, dataset);
  trainer.dispose();
  model.dispose();
  return loss;
}

beforeAll(async () => {
  mkdirSync(dataDir);
  writeSyntheticDataset(dataDir, { train: 200, test: 40 });
  await selectBackend('wasm');
});

describe("train's save under kill -9", () => {
  // The two windows a kill can hit: between the renames that swap the model folder (OUT/tfjs gone),
  // and after the model moved in but before the metrics did (new model, old metrics).
  it.each(['retired:tfjs', 'replaced:tfjs'])(
    'killed at %s, the next run starts from a model and metrics.json that belong together',
    async (step) => {
      const out = path.join(root, step.replace(/\W/g, '-'));
      const previous = (await train({ ...quick, seed: 1, out })).metrics;
      expect(await trainKilledAt(out, step, 2)).toBe('SIGKILL');
      // What `train` does first on its next run:
      await recoverInterruptedReplacements(out);
      expect(readdirSync(out).sort()).toEqual(['metrics.json', 'tfjs']);
      const metrics = JSON.parse(readFileSync(path.join(out, 'metrics.json'), 'utf8')) as TrainingMetrics;
      expect(metrics.recipe.seed).toBe(2); // the killed run had committed its pair
      expect(metrics.test.loss).not.toBe(previous.test.loss);
      expect(await savedModelTestLoss(out)).toBeCloseTo(metrics.test.loss, 6);
    },
  );
});
