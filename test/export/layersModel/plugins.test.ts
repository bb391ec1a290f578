/**
 * Custom layers: a real tfjs custom layer class (registered with tf.serialization.registerClass,
 * so tfjs itself computes the reference) converted through the plugin API and through
 * `tfjs-onnx convert --plugin`, with the README's pixel-shuffle example as the plugin.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidOptionError, UserError } from '../../../common/errors.ts';
import { convertLayersModel } from '../../../export/index.ts';
import { UnconvertibleModelError, loadPlugins, registerLayerConverter } from '../../../export/layersModel/plugins.ts';
import {
  CheckerBatch,
  maxAbsDifference,
  removeTemporaryDirectories,
  runOnnxInOrder,
  temporaryDirectory,
  useCpuBackend,
} from '../harness.ts';
import { expectConvertedMatches, randomizeWeights, saveModel } from './harness.ts';

const run = promisify(execFile);
const repository = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLE_PLUGIN = 'examples/pixel-shuffle-plugin.js';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const checker = new CheckerBatch();

/** A pixel-shuffle (depth-to-space) layer as a tfjs project would write it. */
class PixelShuffle extends tf.layers.Layer {
  static className = 'PixelShuffle';
  readonly blockSize: number;

  constructor(config: { blockSize: number; name?: string }) {
    super(config);
    this.blockSize = config.blockSize;
  }

  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape {
    const [batch, height, width, channels] = shape as tf.Shape;
    const r = this.blockSize;
    return [batch, height === null ? null : height * r, width === null ? null : width * r, channels === null ? null : channels / (r * r)];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.depthToSpace((Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D, this.blockSize, 'NHWC'));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), blockSize: this.blockSize };
  }
}
tf.serialization.registerClass(PixelShuffle);

/** A tiny ESPCN-style super-resolution model: convolutions, then a ×2 pixel shuffle (also inside a nested model). */
async function superResolutionModel(): Promise<{ model: tf.LayersModel; modelJson: string }> {
  const upscaler = tf.sequential({
    name: 'upscaler',
    layers: [
      tf.layers.conv2d({ inputShape: [5, 6, 3], filters: 8, kernelSize: 3, padding: 'same' }),
      new PixelShuffle({ blockSize: 2, name: 'inner_shuffle' }),
    ],
  });
  const image = tf.input({ shape: [5, 6, 3], name: 'low_resolution' });
  const features = tf.layers.conv2d({ filters: 12, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(image) as tf.SymbolicTensor;
  const shuffled = new PixelShuffle({ blockSize: 2, name: 'shuffle' }).apply(features) as tf.SymbolicTensor;
  const model = tf.model({ inputs: image, outputs: [shuffled, upscaler.apply(image) as tf.SymbolicTensor] });
  randomizeWeights(model, 501);
  randomizeWeights(upscaler, 502);
  return { model, modelJson: await saveModel(model) };
}

describe('custom layer plugins', () => {
  it('refuses the model before the plugin is loaded, naming the class, its count and where to add it', async () => {
    const { modelJson } = await superResolutionModel();
    const error = await convertLayersModel(modelJson).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/PixelShuffle \(2 layers, first "shuffle"\)/);
    expect((error as Error).message).toMatch(/registerLayerConverter/);
  });

  it("converts the custom layer with the README's pixel-shuffle plugin, matching the tfjs layer", async () => {
    const { model, modelJson } = await superResolutionModel();
    await loadPlugins([EXAMPLE_PLUGIN], repository);
    const { summary } = await expectConvertedMatches(modelJson, model, { checker });
    expect(summary.layers.find((layer) => layer.name === 'shuffle')?.onnxNodes).toContain('DepthToSpace');
    expect(summary.outputs[0].shape).toEqual(['batch', 10, 12, 3]);
  });

  it('converts through `tfjs-onnx convert --plugin` (repeatable)', async () => {
    const { model, modelJson } = await superResolutionModel();
    const directory = await temporaryDirectory();
    // A second plugin, registering a class this model does not use, to show --plugin repeats.
    const other = path.join(directory, 'other-plugin.mjs');
    // The binary runs the compiled tree, so a plugin outside the package imports the compiled API.
    const api = pathToFileURL(path.join(repository, 'dist/export/layersModel/plugins.js')).href;
    await writeFile(
      other,
      `import { registerLayerConverter } from ${JSON.stringify(api)};\nregisterLayerConverter('Unused', (ctx) => ctx.input());\n`,
    );
    const onnxPath = path.join(directory, 'sr.onnx');
    const binary = path.join(repository, 'bin/tfjs-onnx.js');
    const ok = await run(process.execPath, [binary, 'convert', modelJson, '-o', onnxPath, '--plugin', EXAMPLE_PLUGIN, '--plugin', other], {
      cwd: repository,
    });
    expect(ok.stdout).toMatch(/shuffle\s+PixelShuffle\s+DepthToSpace/);
    checker.add(onnxPath);
    const x = tf.randomUniform([2, 5, 6, 3], -1, 1, 'float32', 7);
    const expected = model.predict(x) as tf.Tensor[];
    const { outputs } = await runOnnxInOrder(onnxPath, [x]);
    outputs.forEach((output, i) => {
      expect(maxAbsDifference(output.data as Float32Array, expected[i].dataSync())).toBeLessThanOrEqual(1e-4);
    });
  });

  it('names a plugin that cannot be loaded (the CLI prints it as its one error line)', async () => {
    const { modelJson } = await superResolutionModel();
    const error = await convertLayersModel(modelJson, { plugins: ['./no-such-plugin.js'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as Error).message).toMatch(/^plugin \.\/no-such-plugin\.js could not be loaded: /);
  });

  it('keeps built-in converters unless replacing is asked for, and unregisters', () => {
    expect(() => registerLayerConverter('Dense', (ctx) => ctx.input())).toThrow(InvalidOptionError);
    const unregister = registerLayerConverter('Dense', (ctx) => ctx.input(), { replaceBuiltIn: true });
    unregister();
    expect(() => registerLayerConverter('', (ctx) => ctx.input())).toThrow(/class name/);
  });

  it('reports every layer a plugin cannot translate (UnconvertibleModelError) in one error', async () => {
    const { modelJson } = await superResolutionModel();
    const unregister = registerLayerConverter('PixelShuffle', (ctx) => {
      throw new UnconvertibleModelError(`layer "${ctx.layerName}": this plugin does not convert PixelShuffle`);
    });
    try {
      const error = await convertLayersModel(modelJson).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnconvertibleModelError);
      expect((error as Error).message).toMatch(
        /^2 layers use options the ONNX converter does not support: layer "shuffle": .*; layer "inner_shuffle": /,
      );
    } finally {
      unregister();
    }
  });
});

it('passes the official ONNX checker on every model above', async () => {
  expect(checker.size).toBeGreaterThan(0);
  await checker.checkAll();
});
