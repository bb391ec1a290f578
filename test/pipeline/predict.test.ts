import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeJpeg, encodePng, randomPixels } from '../helpers/fixtures/images.ts';
import { buildGraph } from '../helpers/fixtures/graphs.ts';
import { buildTinyClassifier } from '../helpers/fixtures/models.ts';
import { InvalidInputError } from '../../common/errors.ts';
import { expandImageArguments, formatPredictions, predictImages } from '../../pipeline/predict.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tempDir.ts';

const LABELS = ['cat', 'dog', 'bird', 'fish'];

function top(result: Awaited<ReturnType<typeof predictImages>>, image: number): string {
  return result.predictions[image]!.top[0]!.label;
}

/** A classifier of 2×2 gray images whose output is `probabilities` whatever the input (x·0 + constant). */
function constantModel(probabilities: number[], extraInitializer = false): Uint8Array {
  return buildGraph({
    inputs: [{ name: 'image', type: 'float32', shape: [null, 2, 2, 1] }],
    outputs: [{ name: 'probabilities', type: 'float32', shape: [null, probabilities.length] }],
    nodes: [
      { op: 'Flatten', inputs: ['image'], outputs: ['flat'], attributes: { axis: 1 } },
      { op: 'MatMul', inputs: ['flat', 'zeros'], outputs: ['nothing'] },
      { op: 'Add', inputs: ['nothing', 'constant'], outputs: ['probabilities'] },
    ],
    initializers: [
      { name: 'zeros', type: 'float32', dims: [4, probabilities.length], values: new Array(4 * probabilities.length).fill(0) },
      { name: 'constant', type: 'float32', dims: [probabilities.length], values: probabilities },
      // Unused: onnxruntime logs a (coloured) warning for it at its default log level.
      ...(extraInitializer ? [{ name: 'unused', type: 'float32' as const, dims: [1], values: [0] }] : []),
    ],
  });
}

/** A valid grayscale PNG with one filter byte per row of zeros, built without pngjs (which needs RGBA the size of the image). */
function blankPng(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, 'latin1');
    data.copy(out, 8);
    return out; // CRCs are zero: the size must be refused before anything checks them
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const idat = width * height <= 1e8 ? deflateSync(Buffer.alloc((width + 1) * height)) : Buffer.alloc(0);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('tfjs-onnx predict', () => {
  const root = tempDir();
  const model = path.join(root, 'model.onnx');
  writeFileSync(
    model,
    buildTinyClassifier({ inputShape: [null, 8, 8, 1], classCount: 4, metadata: { 'tfjs_onnx.labels': JSON.stringify(LABELS) } }).bytes,
  );
  const png = path.join(root, 'a.png');
  writeFileSync(png, encodePng(randomPixels(64, 1), 8, 8, 1));
  const jpeg = path.join(root, 'b.jpg');
  writeFileSync(jpeg, encodeJpeg(randomPixels(20 * 20 * 3, 2), 20, 20, 3));

  it('classifies image files through the runtime package', async () => {
    const result = await predictImages(model, [png, jpeg], { topK: 2 });
    expect(result).toMatchObject({ model, placement: { device: 'cpu', runtime: 'onnxruntime-node', executionProvider: 'cpu' } });
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
    expect(lines[0]).toBe(`${model} on cpu (onnxruntime-node)`);
    for (const [i, image] of [png, jpeg].entries()) {
      expect(lines[i + 1]).toMatch(new RegExp(`^${image.replace(/[.\\/]/g, '\\$&')}\\s+(?:(cat|dog|bird|fish) \\(\\d+\\.\\d%\\)\\s*){2}$`));
    }
  });

  it('prints JSON with --json, the same on devices cpu and wasm', () => {
    const native = JSON.parse(runCli(['predict', model, png, '--json', '--top-k', '4']).stdout);
    const wasm = JSON.parse(runCli(['predict', model, png, '--json', '--top-k', '4', '--device', 'wasm']).stdout);
    expect(native.placement).toMatchObject({ device: 'cpu', runtime: 'onnxruntime-node' });
    expect(wasm.placement).toMatchObject({ device: 'wasm', runtime: 'onnxruntime-web' });
    expect(native.predictions[0].top.map((p: { label: string }) => p.label).sort()).toEqual([...LABELS].sort());
    expect(wasm.predictions[0].top.map((p: { index: number }) => p.index)).toEqual(
      native.predictions[0].top.map((p: { index: number }) => p.index),
    );
  });

  it('reports missing files, non-models, undecodable and oversized images in one line naming the file once', async () => {
    const huge = path.join(root, 'strip.png');
    writeFileSync(huge, blankPng(1, 49_000_000));
    const square = path.join(root, 'square.png');
    writeFileSync(square, blankPng(20_000, 20_000));
    const nan = path.join(root, 'nan.onnx');
    writeFileSync(nan, constantModel([Number.NaN, 0.5]));
    const cases: [string, string[], RegExp][] = [
      [path.join(root, 'none.onnx'), [png], /^model file not found: .*none\.onnx$/],
      [model, [path.join(root, 'none.png')], /^image file not found: .*none\.png$/],
      [png, [png], /^[^ ]*a\.png is not (a valid )?(an )?ONNX model/],
      [model, [model], /^.*model\.onnx: .* bytes, which is neither raw pixels/],
      [model, [square], /^.*square\.png: the PNG image is 20000×20000 pixels \(400 megapixels\), more than the limit of 50$/],
      [nan, [png], /^.*a\.png: the model output NaN for image 0 \(class 0\) on finite input/],
      [model, [path.join(root, '*.gif')], /^no file matches .*\*\.gif$/],
    ];
    for (const [modelPath, images, message] of cases) {
      const error = await predictImages(modelPath, images).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      const text = (error as Error).message;
      expect(text).toMatch(message);
      expect(text).not.toContain('\n');
      const named = modelPath === model ? images[0]! : modelPath;
      expect(text.split(path.basename(named)).length - 1, `${text} names ${named} once`).toBeLessThanOrEqual(1);
    }
    // The CLI turns them into one `error:` line and exit 1; a 95 KB 1×49,000,000 PNG used to abort the process.
    for (const [args, message] of [
      [
        [model, huge],
        /^error: .*strip\.png: the PNG image is 1×49000000 pixels, an aspect ratio of 49000000:1, more than the limit of 100:1$/,
      ],
      [[nan, png], /^error: .*a\.png: the model output NaN for image 0/],
    ] as const) {
      const run = runCli(['predict', ...args]);
      expect(run.status, run.stderr).toBe(1);
      expect(run.stderr.trim().split('\n'), run.stderr).toHaveLength(1);
      expect(run.stderr.trim()).toMatch(message);
    }
  });

  it('never prints a probability short of 1 as 100.0%, and keeps onnxruntime’s log lines off stderr', () => {
    const sure = path.join(root, 'sure.onnx');
    writeFileSync(sure, constantModel([0.99996, 0.00004], true));
    const tiny = path.join(root, 'tiny.png');
    writeFileSync(tiny, encodePng(randomPixels(4, 3), 2, 2, 1));
    for (const device of ['cpu', 'wasm']) {
      const run = runCli(['predict', sure, tiny, '--device', device]);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout.trim().split('\n')[1]).toMatch(/\s0 \(99\.9%\)\s+1 \(0\.0%\)$/);
    }
  });

  it('takes folders and quoted glob patterns, and any number of files (a command line of ~40 KB)', async () => {
    const folder = path.join(root, 'digits');
    mkdirSync(folder);
    const count = 400;
    // Long names, so the command line passes the ~28 KB where onnxruntime-node 1.30's telemetry crashed.
    const names = Array.from({ length: count }, (_, i) => path.join(folder, `digit-${String(i).padStart(4, '0')}-${'x'.repeat(60)}.png`));
    for (const [i, name] of names.entries()) writeFileSync(name, encodePng(randomPixels(64, 100 + i), 8, 8, 1));
    writeFileSync(path.join(folder, 'notes.txt'), 'not an image');
    expect(await expandImageArguments([folder])).toEqual([...names].sort());
    expect(await expandImageArguments([path.join(folder, 'digit-00[0-4]*.png'), png])).toEqual([...names.slice(0, 50), png]);
    expect(names.join(' ').length).toBeGreaterThan(30_000);

    const byPath = runCli(['predict', model, ...names, '--json']);
    expect(byPath.status, byPath.stderr.slice(0, 500)).toBe(0);
    const fromFolder = runCli(['predict', model, folder, '--json']);
    expect(fromFolder.status, fromFolder.stderr).toBe(0);
    const viaGlob = runCli(['predict', model, path.join(folder, '*.png'), '--json']);
    expect(viaGlob.status, viaGlob.stderr).toBe(0);
    const predictions = JSON.parse(byPath.stdout).predictions;
    expect(predictions).toHaveLength(count);
    expect(JSON.parse(fromFolder.stdout).predictions).toEqual(predictions);
    expect(JSON.parse(viaGlob.stdout).predictions).toEqual(predictions);
  }, 120_000);
});
