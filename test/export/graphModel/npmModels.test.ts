/**
 * Real GraphModels shipped in an npm tarball (@vladmandic/human's models/, a devDependency; see
 * bench/models/npmGraphModels.ts): each converts, passes the checker and agrees with
 * tfjs-converter on seeded random inputs within 1e-4 · max(1, max |expected|). Architectures:
 * an SSD-style face detector (blazeface), a mini-Xception classifier (emotion), a pose network
 * with keypoint decoding (movenet-lightning), PReLU landmark regressors (facemesh, iris), inverted
 * residual network (handlandmark-lite), a small CNN (antispoof) and a CenterNet detector with TopK
 * decoding (centernet). The TF ops each model uses are listed below and checked against the model
 * files, so the coverage stated here cannot drift. faceres is benchmarked but not tested here: it is
 * the slowest on tfjs's cpu backend and its ops (Conv2D, Minimum/Maximum, Mean, _FusedMatMul) are
 * covered by the models above and the op tests.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NPM_GRAPH_MODELS, npmGraphModelPath } from '../../../bench/models/npmGraphModels.ts';
import { convertModelToFile } from '../../../export/index.ts';
import { removeTemporaryDirectories, temporaryDirectory, useCpuBackend } from '../harness.ts';
import { checkOnnxModels, expectClose, loadReference, randomIntTensor, randomTensor, referenceOutputs, runOnnx } from './harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

/** The TF ops of each model (besides Const and Placeholder), as its model.json lists them. */
const COVERED_OPS: Record<string, string[]> = {
  blazeface: ['AddV2', 'DepthwiseConv2dNative', 'Identity', 'MaxPool', 'Pad', 'Relu', 'Reshape', '_FusedConv2D'],
  emotion: ['AddV2', 'DepthwiseConv2dNative', 'Identity', 'MaxPool', 'Mean', 'Relu', 'Softmax', '_FusedConv2D'],
  'movenet-lightning': ['AddV2', 'ArgMax', 'Cast', 'ConcatV2', 'DepthwiseConv2dNative', 'ExpandDims', 'FloorDiv', 'FusedDepthwiseConv2dNative', 'GatherNd', 'Identity', 'Mul', 'Pack', 'RealDiv', 'Reshape', 'ResizeBilinear', 'Sigmoid', 'Sqrt', 'SquaredDifference', 'Squeeze', 'Sub', 'Unpack', '_FusedConv2D'],
  facemesh: ['AddV2', 'DepthwiseConv2dNative', 'Identity', 'MaxPool', 'Pad', 'Prelu', 'Reshape', 'Sigmoid', '_FusedConv2D'],
  iris: ['AddV2', 'ConcatV2', 'DepthwiseConv2dNative', 'Identity', 'MaxPool', 'Pad', 'Prelu', '_FusedConv2D'],
  'handlandmark-lite': ['AddN', 'AddV2', 'Conv2D', 'DepthwiseConv2dNative', 'Identity', 'MaxPool', 'Mean', 'Relu6', 'Sigmoid', '_FusedMatMul'],
  antispoof: ['Identity', 'MaxPool', 'Relu', 'Reshape', 'Sigmoid', '_FusedConv2D', '_FusedMatMul'],
  centernet: ['Add', 'Cast', 'ConcatV2', 'Conv2D', 'DepthwiseConv2dNative', 'Equal', 'ExpandDims', 'FloorDiv', 'FloorMod', 'FusedDepthwiseConv2dNative', 'GatherV2', 'Identity', 'MaxPool', 'Mean', 'Mul', 'Relu', 'Relu6', 'Reshape', 'ResizeBilinear', 'Sigmoid', 'StridedSlice', 'Sub', 'TopKV2', '_FusedConv2D'],
};

async function modelOps(modelJson: string): Promise<string[]> {
  const json = JSON.parse(await readFile(modelJson, 'utf8')) as { modelTopology: { node: { op: string }[] } };
  return [...new Set(json.modelTopology.node.map((node) => node.op))].filter((op) => op !== 'Const' && op !== 'Placeholder').sort();
}

const TESTED = NPM_GRAPH_MODELS.filter((model) => model.name in COVERED_OPS);

describe(`real GraphModels from npm (${TESTED.length} models)`, () => {
  const converted: string[] = [];

  it.each(TESTED.map((model) => [model.name, model] as const))('%s converts and agrees with tfjs-converter', async (name, model) => {
    const modelJson = npmGraphModelPath(name);
    expect(await modelOps(modelJson)).toEqual([...COVERED_OPS[name]].sort());
    const onnxPath = path.join(await temporaryDirectory(), `${name}.onnx`);
    const summary = await convertModelToFile(modelJson, onnxPath);
    converted.push(onnxPath);
    const reference = await loadReference(modelJson);
    // One image each (the symbolic batch is exercised by the built graphs; real models are large for tfjs's cpu backend).
    const feeds = Object.fromEntries(
      reference.inputs.map((input, i) => {
        const shape = input.shape!.map((size) => (size === -1 || size === null ? 1 : size));
        const [low, high] = model.inputRange;
        return [input.name.replace(/:0$/, ''), input.dtype === 'int32' ? randomIntTensor(shape, 40 + i, low, high) : randomTensor(shape, 40 + i, low, high)];
      }),
    );
    const names = summary.outputs.map((output) => output.name);
    const expected = await referenceOutputs(reference, feeds, names);
    const actual = await runOnnx(onnxPath, feeds);
    names.forEach((output, i) => expectClose(actual[output], expected[i], `${name} output ${output}`));
    tf.dispose([...expected, ...Object.values(feeds)]);
    reference.dispose();
  });

  it('every converted model passes the official checker', async () => {
    expect(converted).toHaveLength(TESTED.length);
    expect(await checkOnnxModels(converted)).toEqual(converted.map(() => ''));
  });

  it('a model with a while loop (handtrack) is rejected with every control-flow op listed', async () => {
    const onnxPath = path.join(await temporaryDirectory(), 'handtrack.onnx');
    const error = await convertModelToFile(npmGraphModelPath('handtrack'), onnxPath).then(() => undefined, (e: Error) => e);
    for (const op of ['Enter', 'Exit', 'LoopCond', 'Merge', 'NextIteration', 'Switch', 'TensorListFromTensor', 'TensorListGetItem', 'TensorListReserve', 'TensorListSetItem', 'TensorListStack']) {
      expect(error?.message).toMatch(new RegExp(`${op} \\(\\d+ nodes?, first "[^"]+"\\)`));
    }
    await expect(readFile(onnxPath)).rejects.toThrow();
  });
});
