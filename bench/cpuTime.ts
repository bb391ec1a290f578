/**
 * Images per CPU-second of several ONNX models of the same input on one device (cpu or wasm), one
 * intra-op thread, calls interleaved model by model: a comparison that holds on a machine other
 * processes keep busy, where wall-clock images/s (the precision section) is noise. CPU time
 * counts only this process's work, so other processes' load barely moves it.
 *
 *   npx tsx bench/cpuTime.ts --device cpu|wasm reference.onnx other.onnx [...]
 *
 * Prints, per batch size (1, 32, 256), each model's images per CPU-second and its ratio to the
 * first model's. Inputs are the first MNIST test images, normalized by 1/255.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { describeError, InvalidOptionError } from '../common/errors.ts';
import { normalizeImages } from '../pipeline/parity.ts';
import { loadDataset } from '../training/data/datasets.ts';

const BATCHES = [1, 32, 256];
/** Calls per model at each batch size: about as much work at every size. */
const CALLS: Record<number, number> = { 1: 3000, 32: 300, 256: 60 };

type Session = {
  inputNames: readonly string[];
  inputMetadata: readonly { isTensor: boolean; shape?: readonly (number | string)[] }[];
  run(feeds: Record<string, unknown>): Promise<unknown>;
};

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { device: { type: 'string', default: 'cpu' } },
  });
  if (values.device !== 'cpu' && values.device !== 'wasm')
    throw new InvalidOptionError(`--device must be cpu (onnxruntime-node) or wasm (onnxruntime-web), got ${values.device}`);
  if (positionals.length < 2)
    throw new InvalidOptionError('give at least two .onnx files: the reference first, then the models to compare with it');
  const device = values.device;
  const { test } = await loadDataset({});
  const input = normalizeImages(test, 1 / 255, 0);
  ortWeb.env.wasm.numThreads = 1;
  const sessions: Session[] = [];
  for (const file of positionals) {
    const bytes = new Uint8Array(await readFile(file));
    sessions.push(
      device === 'cpu'
        ? await ortNode.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 })
        : await ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'] }),
    );
  }
  const Tensor = device === 'cpu' ? ortNode.Tensor : ortWeb.Tensor;
  for (const batch of BATCHES) {
    const feeds = sessions.map((session) => {
      const shape = (session.inputMetadata[0].shape ?? []).map((size, i) => (i === 0 || typeof size !== 'number' ? batch : size));
      return {
        [session.inputNames[0]]: new Tensor(
          'float32',
          input.subarray(
            0,
            shape.reduce((a, b) => a * b, 1),
          ),
          shape,
        ),
      };
    });
    for (let warmup = 0; warmup < 5; warmup++) for (let i = 0; i < sessions.length; i++) await sessions[i].run(feeds[i]);
    const microseconds = sessions.map(() => 0);
    for (let call = 0; call < CALLS[batch]; call++) {
      for (let i = 0; i < sessions.length; i++) {
        const before = process.cpuUsage();
        await sessions[i].run(feeds[i]);
        const used = process.cpuUsage(before);
        microseconds[i] += used.user + used.system;
      }
    }
    const cells = positionals.map(
      (file, i) =>
        `${file}: ${Math.round((CALLS[batch] * batch * 1e6) / microseconds[i])} images/CPU-s (${(microseconds[0] / microseconds[i]).toFixed(2)}×)`,
    );
    process.stdout.write(`${device} batch ${batch}: ${cells.join(', ')}\n`);
  }
}

try {
  await main(process.argv.slice(2));
  process.exit(0);
} catch (error) {
  process.stderr.write(`error: ${describeError(error)}\n`);
  process.exit(1);
}
