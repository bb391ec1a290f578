/**
 * Every GraphModel shipped in an npm tarball (@vladmandic/human's models/, a devDependency; see
 * bench/models/npmGraphModels.ts): each converts, passes the checker and agrees with
 * tfjs-converter (executeAsync where the graph has control flow) on seeded random inputs within
 * 1e-4 · max(1, max |expected|). Architectures: an SSD-style face detector (blazeface), a
 * mini-Xception classifier (emotion), a pose network with keypoint decoding (movenet-lightning),
 * PReLU landmark regressors (facemesh, iris), inverted residual network (handlandmark-lite), small
 * CNNs (antispoof, liveness), a CenterNet detector with TopK decoding (centernet), a face
 * descriptor with clipped ReLUs (faceres) and a hand detector whose tf.map_fn over the batch is a
 * TF1 while loop with TensorLists, followed by NMS (handtrack). The TF ops each model uses are
 * listed below and checked against the model files, and the list of models against the package,
 * so the coverage stated here cannot drift.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NPM_GRAPH_MODELS, npmGraphModelPath } from '../../../bench/models/npmGraphModels.ts';
import { convertModelToFile } from '../../../export/index.ts';
import { signatureInputShapes } from '../../../pipeline/randomParity.ts';
import {
  checkOnnxModels,
  expectClose,
  randomIntTensor,
  randomTensor,
  removeTemporaryDirectories,
  runOnnx,
  temporaryDirectory,
  useCpuBackend,
} from '../harness.ts';
import { loadReference, referenceOutputs } from './harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

/** The TF ops of each model (besides Const and Placeholder), as its model.json lists them. */
const COVERED_OPS: Record<string, string[]> = {
  blazeface: ['AddV2', 'DepthwiseConv2dNative', 'Identity', 'MaxPool', 'Pad', 'Relu', 'Reshape', '_FusedConv2D'],
  emotion: ['AddV2', 'DepthwiseConv2dNative', 'Identity', 'MaxPool', 'Mean', 'Relu', 'Softmax', '_FusedConv2D'],
  'movenet-lightning': [
    'AddV2',
    'ArgMax',
    'Cast',
    'ConcatV2',
    'DepthwiseConv2dNative',
    'ExpandDims',
    'FloorDiv',
    'FusedDepthwiseConv2dNative',
    'GatherNd',
    'Identity',
    'Mul',
    'Pack',
    'RealDiv',
    'Reshape',
    'ResizeBilinear',
    'Sigmoid',
    'Sqrt',
    'SquaredDifference',
    'Squeeze',
    'Sub',
    'Unpack',
    '_FusedConv2D',
  ],
  facemesh: ['AddV2', 'DepthwiseConv2dNative', 'Identity', 'MaxPool', 'Pad', 'Prelu', 'Reshape', 'Sigmoid', '_FusedConv2D'],
  iris: ['AddV2', 'ConcatV2', 'DepthwiseConv2dNative', 'Identity', 'MaxPool', 'Pad', 'Prelu', '_FusedConv2D'],
  'handlandmark-lite': [
    'AddN',
    'AddV2',
    'Conv2D',
    'DepthwiseConv2dNative',
    'Identity',
    'MaxPool',
    'Mean',
    'Relu6',
    'Sigmoid',
    '_FusedMatMul',
  ],
  antispoof: ['Identity', 'MaxPool', 'Relu', 'Reshape', 'Sigmoid', '_FusedConv2D', '_FusedMatMul'],
  faceres: ['Add', 'Conv2D', 'DepthwiseConv2dNative', 'Maximum', 'Mean', 'Minimum', 'Mul', 'Relu', 'Sigmoid', 'Softmax', '_FusedMatMul'],
  liveness: ['Add', 'AddV2', 'Identity', 'MaxPool', 'Mul', 'Reshape', 'Softmax', '_FusedConv2D', '_FusedMatMul'],
  handtrack: [
    'AddV2',
    'Cast',
    'ConcatV2',
    'DepthwiseConv2dNative',
    'Enter',
    'Exit',
    'Exp',
    'ExpandDims',
    'Fill',
    'FusedDepthwiseConv2dNative',
    'GatherV2',
    'Greater',
    'GreaterEqual',
    'Identity',
    'Less',
    'LogicalAnd',
    'LoopCond',
    'Maximum',
    'Merge',
    'Minimum',
    'Mul',
    'NextIteration',
    'NoOp',
    'NonMaxSuppressionV5',
    'Pack',
    'Pad',
    'Range',
    'Reciprocal',
    'Reshape',
    'ResizeBilinear',
    'Select',
    'Shape',
    'Sigmoid',
    'Slice',
    'Split',
    'Squeeze',
    'StridedSlice',
    'Sub',
    'Sum',
    'Switch',
    'TensorListFromTensor',
    'TensorListGetItem',
    'TensorListReserve',
    'TensorListSetItem',
    'TensorListStack',
    'TopKV2',
    'Transpose',
    'Unpack',
    'Where',
    '_FusedConv2D',
  ],
  centernet: [
    'Add',
    'Cast',
    'ConcatV2',
    'Conv2D',
    'DepthwiseConv2dNative',
    'Equal',
    'ExpandDims',
    'FloorDiv',
    'FloorMod',
    'FusedDepthwiseConv2dNative',
    'GatherV2',
    'Identity',
    'MaxPool',
    'Mean',
    'Mul',
    'Relu',
    'Relu6',
    'Reshape',
    'ResizeBilinear',
    'Sigmoid',
    'StridedSlice',
    'Sub',
    'TopKV2',
    '_FusedConv2D',
  ],
};

async function readModelJson(
  modelJson: string,
): Promise<{ format?: string; signature?: unknown; modelTopology: { node: { op: string }[] } }> {
  return JSON.parse(await readFile(modelJson, 'utf8'));
}

async function modelOps(modelJson: string): Promise<string[]> {
  const json = await readModelJson(modelJson);
  return [...new Set(json.modelTopology.node.map((node) => node.op))].filter((op) => op !== 'Const' && op !== 'Placeholder').sort();
}

/** Every GraphModel the package ships. */
async function packagedGraphModels(): Promise<string[]> {
  const directory = path.dirname(npmGraphModelPath('blazeface'));
  const names = (await readdir(directory)).filter((file) => file.endsWith('.json')).map((file) => file.slice(0, -'.json'.length));
  const formats = await Promise.all(
    names.map(async (name) => (await readModelJson(npmGraphModelPath(name)).catch(() => ({ format: undefined }))).format),
  );
  return names.filter((_, i) => formats[i] === 'graph-model').sort();
}

const TESTED = NPM_GRAPH_MODELS.filter((model) => model.name in COVERED_OPS);

describe(`real GraphModels from npm (${TESTED.length} models)`, () => {
  const converted: string[] = [];

  it('covers every GraphModel in the package', async () => {
    expect(TESTED.map((model) => model.name).sort()).toEqual(await packagedGraphModels());
  });

  it.each(TESTED.map((model) => [model.name, model] as const))('%s converts and agrees with tfjs-converter', async (name, model) => {
    const modelJson = npmGraphModelPath(name);
    expect(await modelOps(modelJson)).toEqual([...COVERED_OPS[name]].sort());
    const onnxPath = path.join(await temporaryDirectory(), `${name}.onnx`);
    const summary = await convertModelToFile(modelJson, onnxPath);
    converted.push(onnxPath);
    const reference = await loadReference(modelJson);
    const declared = signatureInputShapes((await readModelJson(modelJson)).signature);
    // One image each (the symbolic batch is exercised by the built graphs; real models are large for tfjs's cpu backend).
    // Sizes the Placeholder leaves open come from the signature (handtrack's 320×320).
    const feeds = Object.fromEntries(
      reference.inputs.map((input, i) => {
        const signature = declared.get(input.name.replace(/:0$/, ''));
        const shape = input.shape!.map((size, axis) =>
          size === -1 || size === null ? ((axis > 0 ? signature?.[axis] : undefined) ?? 1) : size,
        );
        const [low, high] = model.inputRange;
        return [
          input.name.replace(/:0$/, ''),
          input.dtype === 'int32' ? randomIntTensor(shape, 40 + i, low, high) : randomTensor(shape, 40 + i, low, high),
        ];
      }),
    );
    const names = summary.outputs.map((output) => output.name);
    const expected = await referenceOutputs(reference, feeds, names);
    const actual = await runOnnx(onnxPath, feeds);
    names.forEach((output, i) => {
      expectClose(actual[output], expected[i], `${name} output ${output}`);
    });
    tf.dispose([...expected, ...Object.values(feeds)]);
    reference.dispose();
  });

  it('every converted model passes the official checker', async () => {
    expect(converted).toHaveLength(TESTED.length);
    expect(await checkOnnxModels(converted)).toEqual(converted.map(() => ''));
  });

  it("handtrack's map over the batch is one Loop whose TensorLists are a scan output and a Gather", async () => {
    const onnxPath = converted.find((file) => path.basename(file) === 'handtrack.onnx')!;
    const model = onnxProto.onnx.ModelProto.decode(await readFile(onnxPath));
    const loops = (model.graph?.node ?? []).filter((node) => node.opType === 'Loop');
    expect(loops).toHaveLength(1);
    const body = loops[0].attribute?.find((attribute) => attribute.name === 'body')?.g;
    expect((body?.node ?? []).map((node) => node.opType)).toContain('Resize');
    const everyOp = [...(model.graph?.node ?? []), ...(body?.node ?? [])].map((node) => node.opType ?? '');
    expect(everyOp.filter((op) => op.includes('Sequence'))).toEqual([]);
  });
});
