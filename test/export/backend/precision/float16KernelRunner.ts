/**
 * Runs every float16 probe on one onnxruntime backend with profiling on and prints each profile
 * after a `@@probe <op>` line; parseProbeOutput reads back which kernels ran on which element
 * types. Graph optimizations are off so each probed op runs as written (no fusions); onnxruntime
 * inserts its Casts around ops without a float16 kernel regardless. A child process of
 * float16Kernels.test.ts, because onnxruntime-web writes its profile straight to standard output.
 *
 *   node --import tsx float16KernelRunner.ts native|wasm
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FLOAT16_PROBES, float16ProbeModel } from './float16Probes.ts';

interface ProfileEvent {
  cat: string;
  name: string;
  args: { op_name?: string; input_type_shape?: Record<string, number[]>[] };
}

const backend = process.argv[2];
const MARK = '@@probe ';

async function main(): Promise<void> {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'tfjs-onnx-float16-probe-'));
  try {
    for (const op of Object.keys(FLOAT16_PROBES)) {
      const { bytes, shape, data } = float16ProbeModel(op);
      writeSync(1, `${MARK}${op}\n`);
      if (backend === 'native') {
        const ort = await import('onnxruntime-node');
        const prefix = path.join(directory, op);
        const session = await ort.InferenceSession.create(bytes, {
          enableProfiling: true,
          profileFilePrefix: prefix,
          graphOptimizationLevel: 'disabled',
        });
        await session.run({ x: new ort.Tensor('float16', data, shape) });
        session.endProfiling();
        await session.release();
        const file = readdirSync(directory).find((name) => name.startsWith(`${op}_`))!;
        writeSync(1, `${readFileSync(path.join(directory, file), 'utf8')}\n`);
      } else {
        const ort = await import('onnxruntime-web');
        ort.env.wasm.numThreads = 1;
        const session = await ort.InferenceSession.create(bytes, {
          executionProviders: ['wasm'],
          enableProfiling: true,
          graphOptimizationLevel: 'disabled',
        });
        await session.run({ x: new ort.Tensor('float16', data, shape) });
        session.endProfiling();
        await session.release();
      }
    }
    writeSync(1, `${MARK}end\n`);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Parses the runner's output: per probed op, every kernel that ran, whether onnxruntime inserted it, and its input element types. */
export function parseProbeOutput(stdout: string): Map<string, { op: string; inserted: boolean; types: string[] }[]> {
  const result = new Map<string, { op: string; inserted: boolean; types: string[] }[]>();
  const sections = stdout.split(MARK).slice(1);
  for (const section of sections) {
    const newline = section.indexOf('\n');
    const op = section.slice(0, newline).trim();
    if (op === 'end') continue;
    const json = section.slice(newline + 1);
    const events = JSON.parse(json.slice(json.indexOf('['), json.lastIndexOf(']') + 1)) as ProfileEvent[];
    result.set(
      op,
      events
        .filter((event) => event.cat === 'Node' && event.args.op_name)
        .map((event) => ({
          op: event.args.op_name!,
          inserted: event.name.startsWith('InsertedPrecisionFreeCast_'),
          types: (event.args.input_type_shape ?? []).flatMap((entry) => Object.keys(entry)),
        })),
    );
  }
  return result;
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  await main();
  process.exit(0);
}
