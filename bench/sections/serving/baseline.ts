/**
 * The baseline server: what a user without this project would deploy. Loads the tfjs Layers model
 * on the fastest tfjs backend available (as training picks it) and answers the same request format
 * (KServe v2 JSON) by calling model.predict() for each request, with no batching. Runs in its own
 * process, started by servers.ts:
 *
 *   node --import tsx bench/sections/serving/baseline.ts --tfjs model.json
 *
 * It prints "baseline on backend <name>: listening on <url>" when ready and stops on SIGTERM.
 */
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import Fastify from 'fastify';
import { describeError } from '../../../common/errors.ts';
import { fileSystemLoader } from '../../../common/tfjsModelFiles.ts';
import { selectBackend } from '../../../training/backends/select.ts';

async function runBaselineServer(tfjsPath: string): Promise<void> {
  const backend = await selectBackend();
  const model = await tf.loadLayersModel(fileSystemLoader(tfjsPath));
  const inputName = model.inputs[0]!.name;
  const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
  app.get('/v2/models/model', async () => ({
    name: 'model',
    inputs: [{ name: inputName, datatype: 'FP32', shape: model.inputs[0]!.shape.map((d) => d ?? -1) }],
    outputs: [{ name: 'output' }],
  }));
  app.post<{ Body: { inputs: { shape: number[]; data: number[] }[] } }>('/v2/models/model/infer', async (request) => {
    const [input] = request.body.inputs;
    const output = tf.tidy(() => model.predict(tf.tensor(input!.data, input!.shape)) as tf.Tensor);
    const data = await output.data();
    const shape = output.shape;
    output.dispose();
    return { model_name: 'model', outputs: [{ name: 'output', datatype: 'FP32', shape, data: Array.from(data) }] };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address() as AddressInfo;
  process.stdout.write(`baseline on backend ${backend}: listening on http://127.0.0.1:${address.port}\n`);
  await new Promise((resolve) => process.once('SIGTERM', resolve));
  await app.close();
}

try {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { tfjs: { type: 'string', default: 'artifacts/tfjs/model.json' } },
  });
  await runBaselineServer(values.tfjs);
} catch (error) {
  process.stderr.write(`error: ${describeError(error)}\n`);
  process.exitCode = 1;
}
