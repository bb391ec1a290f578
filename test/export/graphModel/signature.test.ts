/**
 * Every signature output becomes an ONNX output named by its signature key, as tfjs-converter's
 * GraphModel names it: keys that differ from their tensors' node names, several keys on one node
 * (or one tensor), tensors other nodes read. An output the graph cannot produce fails the
 * conversion, naming it.
 */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../../common/errors.ts';
import { convertModelToFile } from '../../../export/index.ts';
import { checkModelPair } from '../../../pipeline/randomParity.ts';
import { randomTensor, removeTemporaryDirectories, useCpuBackend } from '../harness.ts';
import { GraphModelBuilder, attr, expectGraphModelMatches } from './harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const tensor = (name: string) => ({ name, dtype: 'DT_FLOAT', tensorShape: {} });

/** The shape of a Keras model through tensorflowjs_converter: serving_default_ input, Identity_N outputs, keys named after the heads. */
function multiHeadModel(outputs: Record<string, string>): GraphModelBuilder {
  const g = new GraphModelBuilder(31);
  const x = g.placeholder('serving_default_x', [null, 6]);
  const dense = g.node(
    'MatMul',
    [x, g.randomConstant([6, 4])],
    { transpose_a: attr.b(false), transpose_b: attr.b(false) },
    'StatefulPartitionedCall/model/dense/MatMul',
  );
  const split = g.node('Split', [g.scalarInt(1), dense], { num_split: attr.i(2) }, 'StatefulPartitionedCall/model/split');
  g.node('Identity', [g.node('Sigmoid', [`${split}:0`])], {}, 'Identity');
  g.node('Identity', [g.node('Relu', [`${split}:1`])], {}, 'Identity_1');
  g.node('Identity', [g.node('Softmax', [dense])], {}, 'Identity_2');
  g.signature = {
    inputs: { x: tensor('serving_default_x:0') },
    outputs: Object.fromEntries(Object.entries(outputs).map(([key, name]) => [key, tensor(name)])),
  };
  return g;
}

async function onnxOutputNames(onnxPath: string): Promise<string[]> {
  const model = onnxProto.onnx.ModelProto.decode(await readFile(onnxPath));
  return (model.graph?.output ?? []).map((output) => output.name ?? '');
}

describe('signature outputs', () => {
  it('become ONNX outputs named by their keys, in signature order, each with its own tensor', async () => {
    // Not in graph order; two keys on one Split node; two keys on one tensor; split:0 is also read by Identity.
    const outputs = {
      output_scores: 'Identity_2:0',
      output_left: 'StatefulPartitionedCall/model/split:0',
      output_right: 'StatefulPartitionedCall/model/split:1',
      output_faceflag: 'Identity:0',
      output_faceflag_copy: 'Identity:0',
    };
    const modelJson = await multiHeadModel(outputs).save();
    // Converts, passes the checker, and every output agrees with tfjs-converter's execute(feeds, keys).
    const { onnxPath, summary } = await expectGraphModelMatches(modelJson, { serving_default_x: randomTensor([3, 6], 32) });
    expect(await onnxOutputNames(onnxPath)).toEqual(Object.keys(outputs));
    expect(summary.outputs).toEqual([
      { name: 'output_scores', shape: ['batch', 4] },
      { name: 'output_left', shape: ['batch', 2] },
      { name: 'output_right', shape: ['batch', 2] },
      { name: 'output_faceflag', shape: ['batch', 2] },
      { name: 'output_faceflag_copy', shape: ['batch', 2] },
    ]);
    // Identity_1 is a leaf of the graph but not in the signature: not an output.
    expect(summary.inputs).toEqual([{ name: 'serving_default_x', shape: ['batch', 6] }]);

    // Parity fetches tfjs's outputs by the ONNX names and compares every one of them.
    const { report, predictions } = await checkModelPair({ tfjsModelPath: modelJson, onnxPath, samples: 5, seed: 4, tfjsBackend: 'cpu' });
    expect(predictions.every((p) => p.classCount === 4 + 2 + 2 + 2 + 2)).toBe(true);
    expect(report.passed).toBe(true);
  });

  it('fail the conversion when one names a node the graph does not have, naming it, and write nothing', async () => {
    const modelJson = await multiHeadModel({ output_scores: 'Identity_2:0', output_lips: 'Identity_9:0' }).save();
    const onnxPath = path.join(path.dirname(modelJson), 'model.onnx');
    const error = await convertModelToFile(modelJson, onnxPath).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error?.message).toBe(
      `${modelJson}: signature output "output_lips" (tensor "Identity_9:0") names node "Identity_9", which is not in the graph`,
    );
    await expect(access(onnxPath)).rejects.toThrow();
  });

  it('fail the conversion when one names an output its node does not produce, naming it', async () => {
    const modelJson = await multiHeadModel({ output_scores: 'Identity_2:0', output_third: 'StatefulPartitionedCall/model/split:2' }).save();
    const onnxPath = path.join(path.dirname(modelJson), 'model.onnx');
    const error = await convertModelToFile(modelJson, onnxPath).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error?.message).toBe(
      `${modelJson}: the model's signature output "output_third" (tensor "StatefulPartitionedCall/model/split:2") is "StatefulPartitionedCall/model/split:2", which node "StatefulPartitionedCall/model/split" does not produce`,
    );
    await expect(access(onnxPath)).rejects.toThrow();
  });
});
