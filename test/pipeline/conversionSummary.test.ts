/** "N layers became M ONNX nodes": both numbers count what the sentence says. */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fileSystemSaver } from '../../common/tfjsModelFiles.ts';
import { convertLayersModel } from '../../export/index.ts';
import { describeConversion } from '../../pipeline/conversionSummary.ts';
import { tempDir } from '../helpers/tempDir.ts';

const root = tempDir();

async function summaryOf(name: string, layers: tf.layers.Layer[]) {
  const directory = path.join(root, name);
  await tf.sequential({ layers }).save(fileSystemSaver(directory));
  return (await convertLayersModel(path.join(directory, 'model.json'))).summary;
}

describe('describeConversion', () => {
  beforeAll(() => tf.setBackend('cpu'));

  it("counts the model's layers, not the InputLayer a Sequential model declares implicitly", async () => {
    const summary = await summaryOf('mlp', [
      tf.layers.flatten({ inputShape: [28, 28, 1] }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ]);
    expect(summary.layers.map((layer) => layer.className)).toEqual(['InputLayer', 'Flatten', 'Dense', 'Dense']);
    expect(describeConversion(summary)).toBe(`3 layers became ${summary.nodeCount} ONNX nodes`);
  });

  it('counts a layer that became no node (Dropout) as a layer', async () => {
    const summary = await summaryOf('cnn', [
      tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }),
      tf.layers.flatten(),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ]);
    expect(describeConversion(summary)).toBe(`4 layers became ${summary.nodeCount} ONNX nodes`);
  });

  it('counts nodes no layer accounts for apart', () => {
    const layers = [{ name: 'd', className: 'Dense', onnxNodes: ['Gemm'] }];
    expect(describeConversion({ layers, nodeCount: 3 })).toBe('1 layer became 1 ONNX node, plus 2 outside any layer');
  });
});
