import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPipeline, type PipelineResult } from '../../pipeline/run.ts';
import { absolutePathsInFolder } from '../helpers/absolutePaths.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { useSoftwareWebGpu } from '../helpers/webgpu.ts';

// The parity stage adds webgpu where an adapter works: SwiftShader here, so the MLP is checked on WebGPU too.
useSoftwareWebGpu();

const { onnx } = onnxProto;

/** The pipeline end to end on a small slice of MNIST: the real stages, real files, real runtimes. */
describe('pipeline end to end (--limit 2000 --epochs 1)', () => {
  const out = path.join(tempDir(), 'artifacts');
  // The variants' speed is timed briefly here: its figures are checked for shape, not size.
  const variantSpeed = {
    devices: ['cpu', 'wasm'] as ('cpu' | 'wasm')[],
    batchSizes: [1, 256],
    repetitions: 1,
    warmupCalls: 1,
    blockMs: 1,
    minCalls: 1,
  };
  const quiet = { limit: 2000, epochs: 1, out, quiet: true, backend: 'wasm', variantSpeed };
  let first: PipelineResult;

  beforeAll(async () => {
    first = await runPipeline(quiet);
  });

  it('runs every stage and writes every artifact', () => {
    expect(first.outcomes.map((o) => [o.stage, o.status])).toEqual([
      ['train', 'ran'],
      ['convert', 'ran'],
      ['verify', 'ran'],
      ['parity', 'ran'],
      ['package', 'ran'],
      ['report', 'ran'],
    ]);
    for (const file of [
      'tfjs/model.json',
      'tfjs/group1-shard1of1.bin',
      'model.onnx',
      'model_fp16.onnx',
      'model_quantized.onnx',
      'metrics.json',
      'parity.json',
      'manifest.json',
      'report.html',
    ]) {
      expect(existsSync(path.join(out, file)), file).toBe(true);
    }
  });

  it('passes parity across every pair of tfjs, cpu, wasm and webgpu (where an adapter works: SwiftShader here) on the whole test set', () => {
    const parity = JSON.parse(readFileSync(path.join(out, 'parity.json'), 'utf8'));
    expect(parity.passed).toBe(true);
    const [tfjs, cpu, wasm, webgpu] = [
      'tfjs (wasm)',
      'cpu (onnxruntime-node)',
      'wasm (onnxruntime-web)',
      'webgpu (onnxruntime-node, SwiftShader driver 5.0.0, software)',
    ];
    expect(parity.pairs.map((p: { a: string; b: string }) => `${p.a} | ${p.b}`)).toEqual([
      `${tfjs} | ${cpu}`,
      `${tfjs} | ${wasm}`,
      `${tfjs} | ${webgpu}`,
      `${cpu} | ${wasm}`,
      `${cpu} | ${webgpu}`,
      `${wasm} | ${webgpu}`,
    ]);
    expect(parity.skipped).toBeUndefined();
    for (const pair of parity.pairs) {
      expect(pair.samples).toBe(10000);
      expect(pair.top1Agreement).toBe(1);
      // The bound for webgpu against cpu is 1e-4; here every pair holds 1e-5.
      expect(pair.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    }
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain(`data-pair="${cpu} ⇄ ${webgpu}"`);
    expect(html).toContain('A software adapter (SwiftShader, llvmpipe) runs the WebGPU shaders on the CPU');
  });

  it('writes a manifest whose sizes and hashes match the files', () => {
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.files.map((f: { path: string }) => f.path).sort()).toEqual(
      [
        'metrics.json',
        'model.onnx',
        'model_fp16.onnx',
        'model_quantized.onnx',
        'parity.json',
        'tfjs/group1-shard1of1.bin',
        'tfjs/model.json',
      ].sort(),
    );
    for (const file of manifest.files) {
      const bytes = readFileSync(path.join(out, file.path));
      expect(file.bytes).toBe(bytes.byteLength);
      expect(file.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    expect(manifest.versions['onnxruntime-node']).toMatch(/^\d+\.\d+\.\d+/);
    expect(manifest.versions['onnxruntime-web']).toMatch(/^\d+\.\d+\.\d+/);
    expect(manifest.versions['@tensorflow/tfjs']).toMatch(/^\d+\.\d+\.\d+/);
    expect(manifest.opset).toBe(13);
    expect(manifest.signature.inputs[0].shape.slice(1)).toEqual([28, 28, 1]);
    expect(manifest.signature.outputs[0].shape.slice(1)).toEqual([10]);
    expect(manifest.labels).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const metrics = JSON.parse(readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    expect(manifest.testAccuracy).toBe(metrics.test.accuracy);
    expect(manifest.testAccuracy).toBeGreaterThan(0.75); // one epoch on 2,000 images
    expect(manifest.parity.passed).toBe(true);
  });

  it('checks the fp16 and q8 variants on the whole test set within their bounds, lists them in the manifest and shows them in the report', () => {
    const { variants } = JSON.parse(readFileSync(path.join(out, 'parity.json'), 'utf8'));
    expect(variants.passed).toBe(true);
    expect(variants.variants.map((v: { dtype: string; file: string }) => [v.dtype, v.file])).toEqual([
      ['fp32', 'model.onnx'],
      ['fp16', 'model_fp16.onnx'],
      ['q8', 'model_quantized.onnx'],
    ]);
    const [fp32, fp16, q8] = variants.variants;
    expect(fp16.sizeRatio).toBeGreaterThan(0.49);
    expect(fp16.sizeRatio).toBeLessThan(0.51);
    expect(q8.sizeRatio).toBeLessThan(0.3);
    for (const variant of variants.variants) {
      for (const device of ['cpu', 'wasm']) {
        expect(variant.versusTfjs[device].top1Agreement).toBeGreaterThanOrEqual(0.995);
        expect(variant.speed[device].map((s: { batch: number }) => s.batch)).toEqual([1, 256]);
      }
      expect(Math.abs(variant.testAccuracy - fp32.testAccuracy)).toBeLessThanOrEqual(0.003);
    }
    expect(fp32.versusTfjs.cpu.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.models.map((m: { dtype: string; path: string; sha256: string }) => [m.dtype, m.path, m.sha256])).toEqual(
      variants.variants.map((v: { dtype: string; file: string; sha256: string }) => [v.dtype, v.file, v.sha256]),
    );
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/<section id="variants">/);
    expect(html).toMatch(/<tr data-dtype="q8">[\s\S]*model_quantized\.onnx/);
  });

  it('writes a report with the recipe, the model summary, the curves, per-class figures, misclassified digits and the manifest as tables', () => {
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(html).toMatch(/data:image\/png;base64,/);
    expect(html).toMatch(/onnxruntime-web/);
    // The lecture's MLP: 784·128 + 128 + 128·10 + 10 parameters, all trainable.
    expect(html).toMatch(/data-total="total">101,770</);
    expect(html).toMatch(/<tr><th>optimizer<\/th><td>Adam: β1 0\.9, β2 0\.999, ε 1e-7<\/td><\/tr>/);
    expect(html).toMatch(/<tr><th>images<\/th><td>2,000 training · 10,000 test<\/td><\/tr>/);
    expect([...html.matchAll(/<tr data-class="(\d)"/g)].map((match) => match[1])).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
    ]);
    expect(html).toMatch(
      /<td><code>model\.onnx<\/code><\/td><td class="num" title="[\d,]+ bytes">[\d.]+ KiB<\/td><td><code class="hash">[0-9a-f]{64}<\/code>/,
    );
    expect(html).not.toMatch(/<pre|&quot;\s*:/);
  });

  it('writes no absolute path into any artifact: JSON files, the report, the pipeline state, the ONNX strings and metadata', () => {
    const files = readdirSync(out, { recursive: true }).map(String);
    expect(files).toEqual(
      expect.arrayContaining([
        '.pipeline-state.json',
        'metrics.json',
        'manifest.json',
        'parity.json',
        'report.html',
        'model.onnx',
        'tfjs/model.json',
      ]),
    );
    expect(absolutePathsInFolder(out, [path.resolve('.')])).toEqual([]);
    // The ONNX metadata is among what was searched.
    const metadata = onnx.ModelProto.decode(readFileSync(path.join(out, 'model.onnx'))).metadataProps ?? [];
    expect(metadata.map((entry) => entry.key)).toEqual(expect.arrayContaining(['tfjs_onnx.labels', 'tfjs_onnx.preprocess']));
  });

  it('skips unchanged stages on a second run, and --force runs them again', async () => {
    const again = await runPipeline({ ...quiet, from: 'convert', to: 'package' });
    expect(again.outcomes.map((o) => o.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
    const forced = await runPipeline({ ...quiet, from: 'convert', to: 'verify', force: true });
    expect(forced.outcomes.map((o) => o.status)).toEqual(['ran', 'ran']);
  });

  it('fails parity, with exit code 1 naming the pair and the worst sample, when the ONNX model is perturbed', () => {
    const onnxPath = path.join(out, 'model.onnx');
    const model = onnx.ModelProto.decode(readFileSync(onnxPath));
    // Nudge the last initializer (the output layer's bias) by 0.05: small, but far beyond float error.
    const bias = model.graph!.initializer!.at(-1)!;
    const values =
      bias.rawData && bias.rawData.length > 0
        ? new Float32Array(new Uint8Array(bias.rawData).slice().buffer)
        : Float32Array.from(bias.floatData ?? []);
    values[0] += 0.05;
    bias.rawData = new Uint8Array(values.buffer);
    bias.floatData = [];
    writeFileSync(onnxPath, onnx.ModelProto.encode(model).finish());

    const run = runCli([
      'pipeline',
      '--from',
      'parity',
      '--to',
      'parity',
      '--out',
      out,
      '--limit',
      '2000',
      '--epochs',
      '1',
      '--backend',
      'wasm',
      '--quiet',
    ]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^error: stage parity: parity failed: tfjs \(wasm\) vs cpu \(onnxruntime-node\): .*max \|Δp\| .* at test sample \d+/,
    );
    const parity = JSON.parse(readFileSync(path.join(out, 'parity.json'), 'utf8'));
    expect(parity.passed).toBe(false);
    expect(
      parity.pairs.find((p: { a: string; b: string }) => p.b === 'wasm (onnxruntime-web)' && p.a === 'cpu (onnxruntime-node)').passed,
    ).toBe(true);
  });

  it('names metrics.json and the field when the report stage is given one it cannot read', () => {
    const broken = path.join(out, 'broken');
    mkdirSync(path.join(broken, 'tfjs'), { recursive: true });
    for (const file of ['tfjs/model.json', 'tfjs/group1-shard1of1.bin', 'model.onnx'])
      copyFileSync(path.join(out, file), path.join(broken, file));
    const metrics = JSON.parse(readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    delete metrics.summary;
    writeFileSync(path.join(broken, 'metrics.json'), JSON.stringify(metrics));
    const run = runCli([
      'pipeline',
      '--from',
      'report',
      '--out',
      broken,
      '--limit',
      '2000',
      '--epochs',
      '1',
      '--backend',
      'wasm',
      '--quiet',
    ]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('error: stage report: metrics.json: summary is missing\n');
    expect(existsSync(path.join(broken, 'report.html'))).toBe(false);
  });

  it('names the missing artifact when a later stage starts without it', () => {
    const run = runCli(['pipeline', '--from', 'convert', '--out', path.join(out, 'empty'), '--quiet']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^error: stage convert needs .*tfjs\/model\.json, which an earlier stage writes/);
  });

  it('writes no variants with --variants none, removing those an earlier run wrote', async () => {
    await runPipeline({ ...quiet, from: 'convert', to: 'verify', variants: [] });
    expect(existsSync(path.join(out, 'model_fp16.onnx'))).toBe(false);
    expect(existsSync(path.join(out, 'model_quantized.onnx'))).toBe(false);
    await runPipeline({ ...quiet, from: 'package', to: 'package', variants: [] });
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.models.map((m: { dtype: string }) => m.dtype)).toEqual(['fp32']);
    expect(manifest.files.map((f: { path: string }) => f.path)).not.toContain('model_fp16.onnx');
  });
});
