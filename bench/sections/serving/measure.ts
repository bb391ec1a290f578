/**
 * Serving: the server benchmark (benchmark.ts) on the trained MLP and CNN — JSON, binary and gRPC,
 * batching on and off, the tfjs baseline, memory per protocol, the soak and the server's CPU per
 * request.
 */
import path from 'node:path';
import { recordedPath } from '../../paths.ts';
import type { SectionContext } from '../definition.ts';
import { benchServer } from './benchmark.ts';
import type { ServingData } from './data.ts';

export async function measureServing(context: SectionContext): Promise<ServingData> {
  const { models, settings, workDirectory } = context;
  if (!models) throw new Error('the serving section needs the prepared models');
  const benchmark = await benchServer({
    quick: settings.serving.quick,
    models: [
      { name: 'mlp', onnx: models.mlp.onnx, tfjs: models.mlp.tfjs },
      { name: 'cnn', onnx: models.cnn.onnx, tfjs: models.cnn.tfjs },
    ],
    // The server benchmark's own results file (bench/results/server.json, from bench/server.ts) stays as it is; this run's figures go into latest.json.
    out: path.join(workDirectory, 'server.json'),
    log: (line) => process.stderr.write(`serving: ${line}\n`),
  });
  // latest.json records model files relative to the repository or as scratch/…, never absolute or ../../tmp.
  const recorded = benchmark.models.map((model) => ({
    ...model,
    onnx: recordedPath(model.onnx, workDirectory),
    ...(model.tfjs ? { tfjs: recordedPath(model.tfjs, workDirectory) } : {}),
  }));
  return { benchmark: { ...benchmark, models: recorded } };
}
