/**
 * checkParity on the devices it is given, and on those it adds only where they can run (the
 * pipeline's webgpu): a device that cannot run here is listed with the runtime's reason instead of
 * failing the check, and the report's parity section says so. CUDA stands in for a device without
 * its libraries (the pipeline test covers webgpu with an adapter); a 10-image dataset and a tiny model.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { checkParity } from '../../pipeline/parity.ts';
import { paritySection } from '../../pipeline/report/sections/parity.ts';
import type { ReportInput } from '../../pipeline/report/index.ts';
import { loadDataset } from '../../training/data/datasets.ts';
import { writeTinyParityPair } from '../helpers/fixtures/parityPair.ts';
import { tempDir } from '../helpers/tempDir.ts';

let data: string;
let tfjsModelPath: string;
let onnxPath: string;

beforeAll(async () => {
  ({ data, tfjsModel: tfjsModelPath, onnxModel: onnxPath } = await writeTinyParityPair(tempDir()));
});

describe('parity devices', () => {
  it('compares the devices that run, lists the one that cannot with why, and the report shows it', async () => {
    const dataset = await loadDataset({ dataDir: data });
    const { report, devices } = await checkParity({
      tfjsModelPath,
      onnxPath,
      dataset,
      tfjsBackend: 'cpu',
      devices: ['cpu', 'wasm'],
      devicesWhereAvailable: ['cuda'],
    });
    expect(devices).toEqual(['cpu', 'wasm']);
    expect(report.passed).toBe(true);
    expect(report.pairs.map((pair) => `${pair.a} | ${pair.b}`)).toEqual([
      'tfjs (cpu) | cpu (onnxruntime-node)',
      'tfjs (cpu) | wasm (onnxruntime-web)',
      'cpu (onnxruntime-node) | wasm (onnxruntime-web)',
    ]);
    expect(report.skipped).toHaveLength(1);
    expect(report.skipped![0]!.device).toBe('cuda');
    expect(report.skipped![0]!.reason).toMatch(/^device 'cuda' cannot run here: onnxruntime-node's CUDA provider is not installed/);
    const section = paritySection.render({ parity: report } as ReportInput) as { body: { markup: string } };
    expect(section.body.markup).toContain('<li data-skipped="cuda"><code>cuda</code> not compared: device &#39;cuda&#39; cannot run here');
  });

  it('fails when a device it must compare cannot run, naming the device', async () => {
    const dataset = await loadDataset({ dataDir: data });
    await expect(checkParity({ tfjsModelPath, onnxPath, dataset, tfjsBackend: 'cpu', devices: ['cpu', 'cuda'] })).rejects.toThrow(
      /device 'cuda' cannot run here/,
    );
  });
});
