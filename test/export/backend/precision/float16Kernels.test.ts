/**
 * The fp16 pass's op lists are facts about onnxruntime, checked here against the installed
 * onnxruntime-node and onnxruntime-web: each probe model runs with profiling on and the profile
 * tells which element type each kernel ran on, and which Casts onnxruntime inserted itself.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { FLOAT16_OPS, FLOAT32_OPS, NO_FLOAT16_KERNEL } from '../../../../export/backend/precision/float16Kernels.ts';
import { FLOAT16_PROBES } from './float16Probes.ts';
import { parseProbeOutput } from './float16KernelRunner.ts';

const run = promisify(execFile);
const RUNNER = path.join(import.meta.dirname, 'float16KernelRunner.ts');

type Kernels = ReturnType<typeof parseProbeOutput>;

async function probe(backend: 'native' | 'wasm'): Promise<Kernels> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', RUNNER, backend], { maxBuffer: 64 * 1024 * 1024 });
  return parseProbeOutput(stdout);
}

/** Whether the op's own kernel ran on float16 data (not onnxruntime's float32 fallback between inserted Casts). */
function ranInFloat16(kernels: Kernels, op: string): boolean {
  return (kernels.get(op) ?? []).some((kernel) => kernel.op === op && !kernel.inserted && kernel.types.includes('float16'));
}

describe('float16 op lists against onnxruntime', () => {
  const backends = {} as Record<'native' | 'wasm', Kernels>;
  beforeAll(async () => {
    [backends.native, backends.wasm] = await Promise.all([probe('native'), probe('wasm')]);
  }, 120_000);

  it('has a probe for every listed op, and lists no op twice', () => {
    const listed = [...Object.keys(FLOAT16_OPS), ...Object.keys(FLOAT32_OPS)];
    expect(listed.filter((op) => !(op in FLOAT16_PROBES))).toEqual([]);
    expect(Object.keys(FLOAT16_OPS).filter((op) => op in FLOAT32_OPS)).toEqual([]);
    for (const kernels of Object.values(backends)) expect([...kernels.keys()].sort()).toEqual(Object.keys(FLOAT16_PROBES).sort());
  });

  it.each(Object.keys(FLOAT16_OPS))('%s computes in float16 on onnxruntime-node and onnxruntime-web', (op) => {
    expect(ranInFloat16(backends.native, op), `onnxruntime-node ran ${op} on ${JSON.stringify(backends.native.get(op))}`).toBe(true);
    expect(ranInFloat16(backends.wasm, op), `onnxruntime-web ran ${op} on ${JSON.stringify(backends.wasm.get(op))}`).toBe(true);
  });

  const withoutKernel = Object.entries(FLOAT32_OPS)
    .filter(([, reasons]) => reasons.includes(NO_FLOAT16_KERNEL))
    .map(([op]) => op);
  it.each(withoutKernel)('%s has no float16 kernel on onnxruntime-node or onnxruntime-web', (op) => {
    // "or": a native build with float16 kernels (ARM64's) still leaves WebAssembly without them.
    expect(ranInFloat16(backends.native, op) && ranInFloat16(backends.wasm, op), `${op} ran in float16 on both backends`).toBe(false);
    // The probe itself ran: the op appears in both profiles (computing in float32 between inserted Casts, or decomposed).
    expect(backends.wasm.get(op)?.length).toBeGreaterThan(0);
  });
});
