import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeJpeg, encodePng, randomPixels } from '../../runtime/test/fixtures/images.ts';
import { buildTinyClassifier } from '../../runtime/test/fixtures/models.ts';
import { InvalidInputError } from '../../common/errors.ts';
import { formatPredictions, predictImages } from '../../pipeline/predict.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tempDir.ts';

const LABELS = ['cat', 'dog', 'bird', 'fish'];

function top(result: Awaited<ReturnType<typeof predictImages>>, image: number): string {
  return result.predictions[image]!.top[0]!.label;
}

describe('tfjs-onnx predict', () => {
  const root = tempDir();
  const model = path.join(root, 'model.onnx');
  writeFileSync(model, buildTinyClassifier({ inputShape: [null, 8, 8, 1], classCount: 4, metadata: { 'tfjs_onnx.labels': JSON.stringify(LABELS) } }).bytes);
  const png = path.join(root, 'a.png');
  writeFileSync(png, encodePng(randomPixels(64, 1), 8, 8, 1));
  const jpeg = path.join(root, 'b.jpg');
  writeFileSync(jpeg, encodeJpeg(randomPixels(20 * 20 * 3, 2), 20, 20, 3));

  it('classifies image files through the runtime package', async () => {
    const result = await predictImages(model, [png, jpeg], { topK: 2 });
    expect(result).toMatchObject({ model, backend: 'native', device: 'cpu' });
    expect(result.predictions.map((p) => p.image)).toEqual([png, jpeg]);
    for (const { top } of result.predictions) {
      expect(top).toHaveLength(2);
      expect(top[0]!.probability).toBeGreaterThanOrEqual(top[1]!.probability);
      expect(LABELS).toContain(top[0]!.label);
    }
    const text = formatPredictions(result).split('\n');
    expect(text).toHaveLength(3);
    expect(text[1]).toContain(`${top(result, 0)} (`);
    await expect(predictImages(model, [path.join(root, 'none.png')])).rejects.toThrow(InvalidInputError);
    await expect(predictImages(model, [png], { topK: 0 })).rejects.toThrow(/--top-k must be a positive integer/);
  });

  it('prints the top-k labels per image', () => {
    const run = runCli(['predict', model, png, jpeg, '--top-k', '2']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe(`${model} on native/cpu`);
    for (const [i, image] of [png, jpeg].entries()) {
      expect(lines[i + 1]).toMatch(new RegExp(`^${image.replace(/[.\\/]/g, '\\$&')}\\s+(?:(cat|dog|bird|fish) \\(\\d+\\.\\d%\\)\\s*){2}$`));
    }
  });

  it('prints JSON with --json, the same on both backends', () => {
    const native = JSON.parse(runCli(['predict', model, png, '--json', '--top-k', '4']).stdout);
    const wasm = JSON.parse(runCli(['predict', model, png, '--json', '--top-k', '4', '--backend', 'wasm']).stdout);
    expect(native.backend).toBe('native');
    expect(wasm.backend).toBe('wasm');
    expect(native.predictions[0].top.map((p: { label: string }) => p.label).sort()).toEqual([...LABELS].sort());
    expect(wasm.predictions[0].top.map((p: { index: number }) => p.index)).toEqual(native.predictions[0].top.map((p: { index: number }) => p.index));
  });

  it('reports missing files, non-models and undecodable images in one line, exit 1', () => {
    const cases: [string[], RegExp][] = [
      [['predict', path.join(root, 'none.onnx'), png], /^error: model file not found: .*none\.onnx$/],
      [['predict', model, path.join(root, 'none.png')], /^error: image file not found: .*none\.png$/],
      [['predict', png, png], /^error: .*a\.png:? .*not (a valid )?(an )?ONNX model/],
      [['predict', model, model], /^error: .*model\.onnx: .* bytes, which is neither raw pixels/],
    ];
    for (const [args, message] of cases) {
      const run = runCli(args);
      expect(run.status, run.stderr).toBe(1);
      expect(run.stderr.split('\n')[0]).toMatch(message);
      expect(run.stderr.split(root).length, 'the path is named once').toBe(2);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
