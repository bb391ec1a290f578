/**
 * Composed GraphModels as tensorflowjs_converter writes real networks: a MobileNet-style fused
 * depthwise block, a ResNet-style residual block, an SSD-style head (shape subgraph → Reshape,
 * ConcatV2 over anchors) and a resize-and-conv decoder. Each must match tfjs-converter, pass the
 * checker, and keep its convolution run in NCHW: transposes only at the edges.
 */
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertModelToFile } from '../../../export/index.ts';
import { runCli } from '../../helpers/cli.ts';
import { checkOnnxModels, onnxNodes, randomTensor, removeTemporaryDirectories, runOnnx, useCpuBackend } from '../harness.ts';
import {
  GraphModelBuilder,
  attr,
  convertGraphModel,
  expectGraphModelMatches,
  loadReference,
  referenceOutputs,
  transposesBetweenConvolutions,
} from './harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const nhwc = attr.s('NHWC');
const convAttrs = (strides: number, padding = 'SAME') => ({
  strides: attr.ints([1, strides, strides, 1]),
  padding: attr.s(padding),
  data_format: nhwc,
  dilations: attr.ints([1, 1, 1, 1]),
});
const fusedAttrs = (ops: string[], strides = 1, padding = 'SAME') => ({
  ...convAttrs(strides, padding),
  fused_ops: attr.strings(ops),
  num_args: attr.i(1),
  epsilon: attr.f(0),
});

/** _FusedConv2D with a random filter and bias (what tfjs-converter makes of Conv2D + BiasAdd + activation). */
function fusedConv(
  g: GraphModelBuilder,
  x: string,
  kernel: number,
  inChannels: number,
  outChannels: number,
  activation?: string,
  strides = 1,
): string {
  return g.node(
    '_FusedConv2D',
    [x, g.randomConstant([kernel, kernel, inChannels, outChannels], -0.5, 0.5), g.randomConstant([outChannels], -0.1, 0.1)],
    fusedAttrs(activation ? ['BiasAdd', activation] : ['BiasAdd'], strides),
  );
}

function fusedDepthwise(g: GraphModelBuilder, x: string, channels: number, activation: string, strides = 1): string {
  return g.node(
    'FusedDepthwiseConv2dNative',
    [x, g.randomConstant([3, 3, channels, 1], -0.5, 0.5), g.randomConstant([channels], -0.1, 0.1)],
    fusedAttrs(['BiasAdd', activation], strides),
  );
}

async function countOps(onnxPath: string, opType: string): Promise<number> {
  return (await onnxNodes(onnxPath)).filter((node) => node.opType === opType).length;
}

describe('GraphModel blocks', () => {
  it('a MobileNetV2-style block: fused convs, fused depthwise, inverted residual, global pool, classifier', async () => {
    const g = new GraphModelBuilder(21);
    const x = g.placeholder('images', [null, 16, 16, 3]);
    const stem = fusedConv(g, x, 3, 3, 8, 'Relu6', 2);
    const expanded = fusedConv(g, stem, 1, 8, 24, 'Relu6');
    const depthwise = fusedDepthwise(g, expanded, 24, 'Relu6');
    const projected = fusedConv(g, depthwise, 1, 24, 8);
    const residual = g.node('AddV2', [stem, projected]);
    const pooled = g.node('Mean', [residual, g.ints([1, 2])], { keep_dims: attr.b(false) });
    const logits = g.node('_FusedMatMul', [pooled, g.randomConstant([8, 5]), g.randomConstant([5])], {
      fused_ops: attr.strings(['BiasAdd']),
      num_args: attr.i(1),
      transpose_a: attr.b(false),
      transpose_b: attr.b(false),
    });
    g.node('Softmax', [logits], {}, 'probabilities');
    const modelJson = await g.save();
    const { onnxPath, summary } = await expectGraphModelMatches(modelJson, { images: randomTensor([3, 16, 16, 3], 5) });
    expect(summary.inputs).toEqual([{ name: 'images', shape: ['batch', 16, 16, 3] }]);
    expect(summary.outputs).toEqual([{ name: 'probabilities', shape: ['batch', 5] }]);
    // One Transpose into NCHW at the input; the mean over H, W reads NCHW directly.
    expect(await countOps(onnxPath, 'Transpose')).toBe(1);
    expect(await transposesBetweenConvolutions(onnxPath)).toBe(0);
  });

  it('a residual block: Conv2D → FusedBatchNormV3 → Relu twice, MaxPool shortcut, AddV2', async () => {
    const g = new GraphModelBuilder(22);
    const x = g.placeholder('x', [null, 12, 12, 4]);
    const batchNorm = (input: string) => {
      const stats = [g.randomConstant([6], 0.5, 1.5), g.randomConstant([6]), g.randomConstant([6]), g.randomConstant([6], 0.5, 1.5)];
      return g.node('FusedBatchNormV3', [input, ...stats], { epsilon: attr.f(0.001), data_format: nhwc, is_training: attr.b(false) });
    };
    const first = g.node('Relu', [batchNorm(g.node('Conv2D', [x, g.randomConstant([3, 3, 4, 6], -0.5, 0.5)], convAttrs(1)))]);
    const second = batchNorm(g.node('Conv2D', [first, g.randomConstant([3, 3, 6, 6], -0.5, 0.5)], convAttrs(1)));
    const shortcut = g.node('Conv2D', [x, g.randomConstant([1, 1, 4, 6], -0.5, 0.5)], convAttrs(1));
    const sum = g.node('Relu', [g.node('AddV2', [second, shortcut])]);
    g.node('MaxPool', [sum], { ksize: attr.ints([1, 2, 2, 1]), ...convAttrs(2, 'VALID') }, 'features');
    const modelJson = await g.save();
    const { onnxPath } = await expectGraphModelMatches(modelJson, { x: randomTensor([2, 12, 12, 4], 6) });
    expect(await transposesBetweenConvolutions(onnxPath)).toBe(0);
    expect(await countOps(onnxPath, 'Transpose')).toBe(2);
  });

  it('an SSD-style head: per-anchor Reshape from a shape subgraph on a symbolic batch, ConcatV2 of two scales, Sigmoid scores', async () => {
    const g = new GraphModelBuilder(23);
    const x = g.placeholder('image', [null, 16, 16, 3]);
    const large = fusedConv(g, x, 3, 3, 8, 'Relu', 2);
    const small = fusedConv(g, large, 3, 8, 8, 'Relu', 2);
    const head = (features: string, anchors: number, values: number) => {
      const conv = fusedConv(g, features, 3, 8, anchors * values);
      const batch = g.node(
        'StridedSlice',
        [g.node('Shape', [conv], { out_type: attr.type('int32') }), g.ints([0]), g.ints([1]), g.ints([1])],
        {
          shrink_axis_mask: attr.i(1),
          begin_mask: attr.i(0),
          end_mask: attr.i(0),
          ellipsis_mask: attr.i(0),
          new_axis_mask: attr.i(0),
        },
      );
      return g.node('Reshape', [conv, g.node('Pack', [batch, g.scalarInt(-1), g.scalarInt(values)], { axis: attr.i(0), N: attr.i(3) })]);
    };
    g.node('ConcatV2', [head(large, 2, 4), head(small, 3, 4), g.scalarInt(1)], { N: attr.i(2) }, 'boxes');
    g.node('Sigmoid', [g.node('ConcatV2', [head(large, 2, 3), head(small, 3, 3), g.scalarInt(1)], { N: attr.i(2) })], {}, 'scores');
    const modelJson = await g.save();
    const { onnxPath, summary } = await expectGraphModelMatches(modelJson, { image: randomTensor([2, 16, 16, 3], 7) });
    // 8×8×2 + 4×4×3 anchors, the batch kept symbolic through the shape subgraph.
    expect(summary.outputs).toEqual([
      { name: 'boxes', shape: ['batch', 176, 4] },
      { name: 'scores', shape: ['batch', 176, 3] },
    ]);
    expect(await transposesBetweenConvolutions(onnxPath)).toBe(0);
  });

  it('a decoder: conv, ResizeBilinear (half-pixel), conv, ResizeNearestNeighbor, Conv2DBackpropInput, Sigmoid', async () => {
    const g = new GraphModelBuilder(24);
    const x = g.placeholder('latent', [1, 4, 4, 6]);
    const first = fusedConv(g, x, 3, 6, 8, 'Relu');
    const up = g.node('ResizeBilinear', [first, g.ints([8, 8])], { align_corners: attr.b(false), half_pixel_centers: attr.b(true) });
    const second = fusedConv(g, up, 3, 8, 4, 'Elu');
    const nearest = g.node('ResizeNearestNeighbor', [second, g.ints([16, 16])], {
      align_corners: attr.b(false),
      half_pixel_centers: attr.b(true),
    });
    const deconv = g.node(
      'Conv2DBackpropInput',
      [g.ints([1, 32, 32, 3]), g.randomConstant([3, 3, 3, 4], -0.5, 0.5), nearest],
      convAttrs(2),
    );
    g.node('Sigmoid', [deconv], {}, 'pixels');
    const modelJson = await g.save();
    const { onnxPath } = await expectGraphModelMatches(modelJson, { latent: randomTensor([1, 4, 4, 6], 8) });
    expect(await transposesBetweenConvolutions(onnxPath)).toBe(0);
    expect(await countOps(onnxPath, 'Transpose')).toBe(2);
  });
});

describe('GraphModel conversion', () => {
  it('records the source format and dequantizes uint8 and float16 weights as tfjs does', async () => {
    const g = new GraphModelBuilder(25);
    const x = g.placeholder('x', [null, 6]);
    const hidden = g.node('MatMul', [x, g.randomConstant([6, 5], -1, 1, { quantization: 'uint8' })], {});
    g.node('BiasAdd', [hidden, g.randomConstant([5], -1, 1, { quantization: 'float16' })], {}, 'out');
    const modelJson = await g.save();
    const { onnxPath, summary } = await expectGraphModelMatches(modelJson, { x: randomTensor([4, 6], 9) });
    expect(summary.sourceFormat).toBe('graph-model');
    const bytes = await readFile(onnxPath);
    expect(bytes.includes(Buffer.from('tfjs_onnx.source_format'))).toBe(true);
    expect(bytes.includes(Buffer.from('graph-model'))).toBe(true);
  });

  it('folds a Flatten shape subgraph to one Reshape, with -1 for a symbolic batch', async () => {
    const flatten = async (batch: number | null) => {
      const g = new GraphModelBuilder(29);
      const x = g.placeholder('x', [batch, 3, 4, 2]);
      const shape = g.node('Shape', [x], { out_type: attr.type('int32') });
      const slice = { begin_mask: attr.i(0), ellipsis_mask: attr.i(0), new_axis_mask: attr.i(0) };
      const first = g.node('StridedSlice', [shape, g.ints([0]), g.ints([1]), g.ints([1])], {
        ...slice,
        shrink_axis_mask: attr.i(1),
        end_mask: attr.i(0),
      });
      const rest = g.node('StridedSlice', [shape, g.ints([1]), g.ints([0]), g.ints([1])], {
        ...slice,
        shrink_axis_mask: attr.i(0),
        end_mask: attr.i(1),
      });
      const size = g.node('Prod', [rest, g.ints([0])], { keep_dims: attr.b(false) });
      g.node('Reshape', [x, g.node('Pack', [first, size], { axis: attr.i(0), N: attr.i(2) })], {}, 'flat');
      const { onnxPath, summary } = await expectGraphModelMatches(await g.save(), { x: randomTensor([2, 3, 4, 2], 3) });
      return { ops: (await onnxNodes(onnxPath)).map((node) => node.opType), outputs: summary.outputs };
    };
    const fixed = await flatten(2);
    expect(fixed.ops).toEqual(['Reshape']);
    expect(fixed.outputs).toEqual([{ name: 'flat', shape: [2, 24] }]);
    // Every size but the batch is known, so the run-time Shape → Pack chain becomes the constant [-1, 24].
    const symbolic = await flatten(null);
    expect(symbolic.ops).toEqual(['Reshape']);
    expect(symbolic.outputs).toEqual([{ name: 'flat', shape: ['batch', 24] }]);
  });

  it('keeps string constants (stored as length-prefixed UTF-8 weights) as ONNX string tensors', async () => {
    const g = new GraphModelBuilder(28);
    const x = g.placeholder('x', [2]);
    g.node('Identity', [g.constant(['cat', 'dög', ''], [3], 'string')], {}, 'labels');
    g.node('Neg', [x], {}, 'negated');
    const modelJson = await g.save();
    const { onnxPath } = await convertGraphModel(modelJson);
    expect(await checkOnnxModels([onnxPath])).toEqual(['']);
    const reference = await loadReference(modelJson);
    const [labels] = await referenceOutputs(reference, { x: tf.tensor([1, -2]) }, ['labels']);
    const actual = await runOnnx(onnxPath, { x: tf.tensor([1, -2]) });
    expect(actual.labels.data).toEqual(labels.dataSync());
    expect(actual.labels.data).toEqual(['cat', 'dög', '']);
  });

  it('lists every unsupported op at once (name, count, first node, the reason where known), writes nothing, and the CLI exits 1', async () => {
    const g = new GraphModelBuilder(26);
    const x = g.placeholder('x', [2]);
    const noise = g.node('RandomUniform', [g.ints([2])], { dtype: attr.type('float32') }, 'noise/uniform');
    g.node('RandomUniform', [g.ints([2])], { dtype: attr.type('float32') }, 'noise/uniform_1');
    const spectrum = g.node('RFFT', [g.node('Add', [x, noise])], {}, 'spectrum/rfft');
    g.node('Relu', [g.node('FancyCustomOp', [g.node('ComplexAbs', [spectrum], {}, 'spectrum/abs')], {}, 'custom/op')], {}, 'out');
    const modelJson = await g.save();
    const onnxPath = path.join(path.dirname(modelJson), 'never.onnx');
    const error = await convertModelToFile(modelJson, onnxPath).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toContain('uses 4 TensorFlow ops the ONNX converter does not support');
    expect(error?.message).toContain('RandomUniform (2 nodes, first "noise/uniform")');
    expect(error?.message).toContain('RFFT (1 node, first "spectrum/rfft")');
    expect(error?.message).toContain('ComplexAbs (1 node, first "spectrum/abs")');
    expect(error?.message).toContain('FancyCustomOp (1 node, first "custom/op")');
    // Known ops come with the reason (export/graphModel/tfOps/notConverted.ts); an unknown one has none to give.
    expect(error?.message).toMatch(/RandomUniform: random numbers/);
    expect(error?.message).toMatch(/RFFT, ComplexAbs: complex tensors/);
    expect(error?.message).not.toMatch(/FancyCustomOp:/);
    await expect(readFile(onnxPath)).rejects.toThrow();
    const cli = runCli(['convert', modelJson, '-o', onnxPath]);
    expect(cli.status).toBe(1);
    expect(cli.stderr).toMatch(/^error: .*RandomUniform \(2 nodes, first "noise\/uniform"\)/);
    expect(cli.stderr.trim().split('\n')).toHaveLength(1);
    await expect(readFile(onnxPath)).rejects.toThrow();
  });

  it('converts through the CLI with the GraphModel summary', async () => {
    const g = new GraphModelBuilder(27);
    const x = g.placeholder('x', [null, 8, 8, 3]);
    g.node('Relu', [fusedConv(g, x, 3, 3, 4, undefined)], {}, 'model/head/out');
    const modelJson = await g.save();
    const onnxPath = path.join(path.dirname(modelJson), 'cli.onnx');
    const cli = runCli(['convert', modelJson, '-o', onnxPath, '--opset', '17']);
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain('GraphModel: TF nodes by name scope → ONNX nodes:');
    expect(cli.stdout).toMatch(/model\/head\s+Relu\s+/);
    expect(cli.stdout).toContain('inputs:  x [batch, 8, 8, 3]');
    expect(cli.stdout).toContain('outputs: model/head/out [batch, 8, 8, 4]');
    expect(cli.stdout).toMatch(/opset 17, \d+ nodes/);
  });
});
