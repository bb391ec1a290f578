import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPipeline, type PipelineResult } from '../../pipeline/run.ts';
import { absolutePathsInFolder } from '../helpers/absolutePaths.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tempDir.ts';

const { onnx } = onnxProto;

/** The pipeline end to end on a small slice of MNIST: the real stages, real files, real runtimes. */
describe('pipeline end to end (--limit 2000 --epochs 1)', () => {
  const out = path.join(tempDir(), 'artifacts');
  const quiet = { limit: 2000, epochs: 1, out, quiet: true, backend: 'wasm' };
  let first: PipelineResult;

  beforeAll(async () => {
    first = await runPipeline(quiet);
  });

  it('runs every stage and writes every artifact', () => {
    expect(first.outcomes.map((o) => [o.stage, o.status])).toEqual([
      ['train', 'ran'], ['convert', 'ran'], ['verify', 'ran'], ['parity', 'ran'], ['package', 'ran'], ['report', 'ran'],
    ]);
    for (const file of ['tfjs/model.json', 'tfjs/group1-shard1of1.bin', 'model.onnx', 'metrics.json', 'parity.json', 'manifest.json', 'report.html']) {
      expect(existsSync(path.join(out, file)), file).toBe(true);
    }
  });

  it('passes parity across all three pairs on the whole test set', () => {
    const parity = JSON.parse(readFileSync(path.join(out, 'parity.json'), 'utf8'));
    expect(parity.passed).toBe(true);
    expect(parity.pairs.map((p: { a: string; b: string }) => `${p.a} | ${p.b}`)).toEqual([
      'tfjs (wasm) | onnxruntime-node', 'tfjs (wasm) | onnxruntime-web', 'onnxruntime-node | onnxruntime-web',
    ]);
    for (const pair of parity.pairs) {
      expect(pair.samples).toBe(10000);
      expect(pair.top1Agreement).toBe(1);
      expect(pair.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    }
  });

  it('writes a manifest whose sizes and hashes match the files', () => {
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.files.map((f: { path: string }) => f.path).sort()).toEqual(
      ['metrics.json', 'model.onnx', 'parity.json', 'tfjs/group1-shard1of1.bin', 'tfjs/model.json'].sort(),
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

  it('writes a report with the recipe, the model summary, the curves, per-class figures, misclassified digits and the manifest as tables', () => {
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(html).toMatch(/data:image\/png;base64,/);
    expect(html).toMatch(/onnxruntime-web/);
    // The lecture's MLP: 784·128 + 128 + 128·10 + 10 parameters, all trainable.
    expect(html).toMatch(/data-total="total">101,770</);
    expect(html).toMatch(/<tr><th>optimizer<\/th><td>Adam: β1 0\.9, β2 0\.999, ε 1e-7<\/td><\/tr>/);
    expect(html).toMatch(/<tr><th>images<\/th><td>2,000 training · 10,000 test<\/td><\/tr>/);
    expect([...html.matchAll(/<tr data-class="(\d)"/g)].map((match) => match[1])).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(html).toMatch(/<td><code>model\.onnx<\/code><\/td><td class="num" title="[\d,]+ bytes">[\d.]+ KiB<\/td><td><code class="hash">[0-9a-f]{64}<\/code>/);
    expect(html).not.toMatch(/<pre|&quot;\s*:/);
  });

  it('writes no absolute path into any artifact: JSON files, the report, the pipeline state, the ONNX strings and metadata', () => {
    const files = readdirSync(out, { recursive: true }).map(String);
    expect(files).toEqual(expect.arrayContaining(['.pipeline-state.json', 'metrics.json', 'manifest.json', 'parity.json', 'report.html', 'model.onnx', 'tfjs/model.json']));
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
    const values = bias.rawData && bias.rawData.length > 0 ? new Float32Array(new Uint8Array(bias.rawData).slice().buffer) : Float32Array.from(bias.floatData ?? []);
    values[0] += 0.05;
    bias.rawData = new Uint8Array(values.buffer);
    bias.floatData = [];
    writeFileSync(onnxPath, onnx.ModelProto.encode(model).finish());

    const run = runCli(['pipeline', '--from', 'parity', '--to', 'parity', '--out', out, '--limit', '2000', '--epochs', '1', '--backend', 'wasm', '--quiet']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^error: stage parity: parity failed: tfjs \(wasm\) vs onnxruntime-node: .*max \|Δp\| .* at test sample \d+/);
    const parity = JSON.parse(readFileSync(path.join(out, 'parity.json'), 'utf8'));
    expect(parity.passed).toBe(false);
    expect(parity.pairs.find((p: { a: string; b: string }) => p.b === 'onnxruntime-web' && p.a === 'onnxruntime-node').passed).toBe(true);
  });

  it('names metrics.json and the field when the report stage is given one it cannot read', () => {
    const broken = path.join(out, 'broken');
    mkdirSync(path.join(broken, 'tfjs'), { recursive: true });
    for (const file of ['tfjs/model.json', 'tfjs/group1-shard1of1.bin', 'model.onnx']) copyFileSync(path.join(out, file), path.join(broken, file));
    const metrics = JSON.parse(readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    delete metrics.summary;
    writeFileSync(path.join(broken, 'metrics.json'), JSON.stringify(metrics));
    const run = runCli(['pipeline', '--from', 'report', '--out', broken, '--limit', '2000', '--epochs', '1', '--backend', 'wasm', '--quiet']);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('error: stage report: metrics.json: summary is missing\n');
    expect(existsSync(path.join(broken, 'report.html'))).toBe(false);
  });

  it('names the missing artifact when a later stage starts without it', () => {
    const run = runCli(['pipeline', '--from', 'convert', '--out', path.join(out, 'empty'), '--quiet']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^error: stage convert needs .*tfjs\/model\.json, which an earlier stage writes/);
  });
});
