/**
 * `npm run gpu-check` on this machine: the providers onnxruntime offers, each with what the
 * runtime makes of it, and the table of models on the usable ones: cpu, wasm and webgpu
 * (SwiftShader, software). Kept small here (the MLP and one GraphModel, at batch 1: a software
 * adapter takes seconds per batch of 32); the command runs all four models at batch 1, 32 and 256.
 */
import { describe, expect, it } from 'vitest';
import { checkGpus } from '../../bench/gpuCheck/check.ts';
import { gpuCheckTables } from '../../bench/gpuCheck/tables.ts';
import { renderText } from '../../bench/report/table.ts';
import { useSoftwareWebGpu } from '../helpers/webgpu.ts';

useSoftwareWebGpu();

describe('gpu-check', () => {
  it('lists every provider and checks the MLP and a GraphModel on cpu, wasm and webgpu (software)', async () => {
    const result = await checkGpus({ batches: [1], models: ['mlp', 'iris'] });
    const byProvider = Object.fromEntries(result.providers.map((p) => [p.provider, p]));
    expect(byProvider.cpu).toMatchObject({ runtime: 'onnxruntime-node', device: 'cpu', status: 'ok' });
    expect(byProvider.wasm).toMatchObject({ runtime: 'onnxruntime-web', device: 'wasm', status: 'ok' });
    expect(byProvider.webgpu).toMatchObject({
      runtime: 'onnxruntime-node',
      device: 'webgpu',
      status: 'ok',
      adapter: 'webgpu (onnxruntime-node, SwiftShader driver 5.0.0, software)',
    });
    // Linux x64's onnxruntime-node lists CUDA (an opt-in download) and TensorRT.
    expect(byProvider.cuda?.status).toBe("device 'cuda' cannot run here: onnxruntime-node's CUDA provider is not installed");
    expect(byProvider.cuda?.detail).toMatch(/libonnxruntime_providers_cuda\.so.*--onnxruntime-node-install=cuda12/);
    expect(result.rows.map((row) => `${row.device} ${row.model}`)).toEqual([
      'cpu mlp',
      'cpu iris',
      'webgpu mlp',
      'webgpu iris',
      'wasm mlp',
      'wasm iris',
    ]);
    for (const row of result.rows) {
      expect(row.maxScaledDiff, `${row.device} ${row.model}`).toBeLessThanOrEqual(1e-4);
      if (row.model === 'mlp') expect(row.top1Agreement).toBe(1);
      expect(row.imagesPerSecond[1]).toBeGreaterThan(0);
      expect(row.firstRunMs).toBeGreaterThan(0);
    }
    const text = renderText(gpuCheckTables(result, [1]));
    expect(text).toContain('Execution providers onnxruntime offers here');
    expect(text).toMatch(/webgpu +onnxruntime-node +SwiftShader driver 5\.0\.0 \(software\) +mlp +top-1 100\.0%/);
  }, 600_000);
});
