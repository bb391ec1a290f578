/**
 * Serving: the server engineer's benchmark (bench/server.ts) on the trained MLP and CNN — JSON,
 * binary and gRPC, batching on and off, the tfjs baseline, memory per protocol and the soak.
 */
import path from 'node:path';
import { recordedPath } from '../paths.ts';
import type { SectionContext, ServingData } from '../results.ts';
import { benchServer } from '../server.ts';

export async function measureServing(context: SectionContext): Promise<ServingData> {
  const { models, settings, workDirectory } = context;
  if (!models) throw new Error('the serving section needs the prepared models');
  const benchmark = await benchServer({
    quick: settings.serving.quick,
    models: [
      { name: 'mlp', onnx: models.mlp.onnx, tfjs: models.mlp.tfjs },
      { name: 'cnn', onnx: models.cnn.onnx, tfjs: models.cnn.tfjs },
    ],
    // The server engineer's own results file stays theirs; this run's figures go into latest.json.
    out: path.join(workDirectory, 'server.json'),
    log: (line) => process.stderr.write(`serving: ${line}\n`),
  });
  // latest.json records model files relative to the repository or as scratch/…, never absolute or ../../tmp.
  const recorded = benchmark.models.map((model) => ({ ...model, onnx: recordedPath(model.onnx, workDirectory), ...(model.tfjs ? { tfjs: recordedPath(model.tfjs, workDirectory) } : {}) }));
  return { benchmark: { ...benchmark, models: recorded } };
}
