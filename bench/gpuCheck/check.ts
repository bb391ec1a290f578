/**
 * The GPU check itself: every execution provider onnxruntime offers on this machine, and on each one
 * the runtime can drive, the lecture's MLP, the CNN and two real GraphModels measured against the
 * CPU. The command line is `cli.ts`, the printed tables `tables.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkModel, type GpuCheckRow } from './measure.ts';
import { prepareModels } from './models.ts';
import { listProviders, type ProviderStatus, SWIFTSHADER_ICD, useSwiftShaderWithoutDriver } from './providers.ts';

export interface GpuCheckOptions {
  batches?: number[];
  /** A call slower than this ends the larger batches of that model on that provider. */
  maxCallSeconds?: number;
  /** Which models to check (default all four: mlp, cnn and the GraphModels). */
  models?: string[];
  log?: (line: string) => void;
}

export interface GpuCheckResult {
  providers: ProviderStatus[];
  rows: GpuCheckRow[];
  notes: string[];
}

export async function checkGpus(options: GpuCheckOptions = {}): Promise<GpuCheckResult> {
  const batches = options.batches ?? [1, 32, 256];
  const log = options.log ?? (() => {});
  const notes: string[] = [];
  const software = useSwiftShaderWithoutDriver();
  if (software)
    notes.push(
      `No Vulkan driver was found, so WebGPU ran on SwiftShader (${SWIFTSHADER_ICD}), a software adapter: its rows show the WebGPU path runs and agrees, not GPU speed.`,
    );
  const work = mkdtempSync(path.join(os.tmpdir(), 'tfjs-onnx-gpu-check-'));
  try {
    const models = (await prepareModels(work, options.models, log, notes)).filter(
      (model) => !options.models || options.models.includes(model.name),
    );
    const providers = await listProviders(models[0]!.path);
    const rows: GpuCheckRow[] = [];
    for (const provider of providers.filter((p) => p.status === 'ok' && p.device !== undefined)) {
      for (const model of models) {
        log(`gpu-check: ${model.name} on ${provider.device}`);
        rows.push(await checkModel(model, provider.device!, batches, options.maxCallSeconds ?? 5));
      }
    }
    return { providers, rows, notes };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
