/** What the ONNX file says about itself: producer, opset, I/O signature, metadata_props. */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertLayersModel } from '../../../../export/index.ts';
import { checkOnnxModel, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { expectOnnxMatchesTfjs, exportChecked, randomizeWeights, saveModel } from '../../layersModel/harness.ts';

const { onnx } = onnxProto;

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

function digitClassifier(): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, activation: 'relu' }),
      tf.layers.layerNormalization({}),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  randomizeWeights(model, 91);
  return model;
}

const preprocess = { layout: 'NHWC' as const, height: 8, width: 8, channels: 1, scale: 1 / 255, offset: 0 };

function metadataOf(model: ReturnType<typeof onnx.ModelProto.decode>): Record<string, string> {
  return Object.fromEntries(model.metadataProps.map((entry) => [entry.key, entry.value]));
}

describe('the ONNX model proto', () => {
  it('records producer, opset, symbolic batch and the metadata from userDefinedMetadata', async () => {
    const model = digitClassifier();
    model.setUserDefinedMetadata({ labels: ['zero', 'one', 'two'], preprocess });
    const modelJson = await saveModel(model);
    const { onnxPath, summary } = await exportChecked(modelJson);
    const proto = onnx.ModelProto.decode(await readFile(onnxPath));
    const packageJson = JSON.parse(await readFile(new URL('../../../../package.json', import.meta.url), 'utf8'));

    expect(proto.producerName).toBe('tfjs-onnx');
    expect(proto.producerVersion).toBe(packageJson.version);
    expect(proto.docString).toMatch(/tfjs Layers model/);
    expect(proto.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 13]]);
    const graph = proto.graph as InstanceType<typeof onnx.GraphProto>;
    const input = graph.input[0];
    expect(input.name).toBe(summary.inputs[0].name);
    expect(input.type?.tensorType?.shape?.dim?.map((d) => d.dimParam || Number(d.dimValue))).toEqual(['batch', 8, 8, 1]);
    expect(graph.output.map((o) => o.name)).toEqual([model.layers[3].name]);

    const shard = path.join(path.dirname(modelJson), 'group1-shard1of1.bin');
    const expectedSha = createHash('sha256')
      .update(await readFile(modelJson))
      .update(await readFile(shard))
      .digest('hex');
    expect(metadataOf(proto)).toEqual({
      'tfjs_onnx.labels': JSON.stringify(['zero', 'one', 'two']),
      'tfjs_onnx.preprocess': JSON.stringify(preprocess),
      'tfjs_onnx.source_sha256': expectedSha,
      'tfjs_onnx.source_format': 'layers-model',
      'tfjs_onnx.dtype': 'fp32',
    });
    expect(summary.sourceSha256).toBe(expectedSha);
    expect(summary.nodeCount).toBe(graph.node.length);
    expect(summary.fileBytes).toBe((await readFile(onnxPath)).byteLength);
  });

  it('prefers labels and preprocess from the options, and omits them when nobody gives them', async () => {
    const model = digitClassifier();
    model.setUserDefinedMetadata({ labels: ['a', 'b', 'c'] });
    const modelJson = await saveModel(model);
    const nchw = { ...preprocess, layout: 'NCHW' as const, scale: 2 / 255, offset: -1 };
    const fromOptions = await convertLayersModel(modelJson, { labels: ['x', 'y', 'z'], preprocess: nchw });
    expect(metadataOf(onnx.ModelProto.decode(fromOptions.bytes))).toMatchObject({
      'tfjs_onnx.labels': '["x","y","z"]',
      'tfjs_onnx.preprocess': JSON.stringify(nchw),
    });

    const bare = await convertLayersModel(await saveModel(digitClassifier()));
    expect(Object.keys(metadataOf(onnx.ModelProto.decode(bare.bytes)))).toEqual([
      'tfjs_onnx.source_sha256',
      'tfjs_onnx.source_format',
      'tfjs_onnx.dtype',
    ]);
    for (const [name, bytes] of [
      ['options', fromOptions.bytes],
      ['bare', bare.bytes],
    ] as const) {
      const onnxPath = path.join(path.dirname(modelJson), `${name}.onnx`);
      await writeFile(onnxPath, bytes);
      await checkOnnxModel(onnxPath);
    }
  });

  it('produces valid, equivalent models for every opset from 13 to 17', async () => {
    const model = digitClassifier();
    for (const opset of [13, 14, 15, 16, 17]) {
      const { summary, onnxPath } = await expectOnnxMatchesTfjs(model, { opset });
      const proto = onnx.ModelProto.decode(await readFile(onnxPath));
      expect(Number(proto.opsetImport[0].version)).toBe(opset);
      // The channels sit at stored axis 1 of the NCHW run, so LayerNormalization is computed in place (no transpose).
      expect(summary.layers[2].onnxNodes).toEqual(expect.arrayContaining(['ReduceMean', 'Sqrt']));
      expect(summary.layers[2].onnxNodes).not.toContain('Transpose');
    }
  });
});
