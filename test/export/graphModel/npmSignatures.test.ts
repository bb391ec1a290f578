/**
 * Every GraphModel shipped in @vladmandic/human's models/ (a devDependency) converts to an ONNX
 * file whose outputs are the model's outputs as tfjs-converter's GraphModel names them: every
 * signature key (facemesh's `output_mesh` for tensor `Identity_2:0`, antispoof's `activation_4`
 * for `Identity:0`), or without a signature every node nothing reads. A model using ops the
 * converter does not list as supported (handtrack's control flow, where Loop conversion is absent)
 * must instead be refused naming each. The models are found by listing the folder, so a model
 * added to the package is covered without editing this file.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmGraphModelPath } from '../../../bench/models/npmGraphModels.ts';
import { convertModel } from '../../../export/index.ts';
import { supportedTfOps } from '../../../export/graphModel/tfOps/index.ts';
import { removeTemporaryDirectories, useCpuBackend } from '../harness.ts';
import { loadReference } from './harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

interface ModelJson {
  format?: string;
  signature?: { outputs?: Record<string, unknown> };
  modelTopology: { node: { op: string }[] };
}

/** The model's ops the converter does not list as supported (handtrack's control flow, until that converts). */
function unsupportedOps(json: ModelJson): string[] {
  const supported = new Set(supportedTfOps());
  return [...new Set(json.modelTopology.node.map((node) => node.op))].filter((op) => !supported.has(op)).sort();
}

const folder = path.dirname(npmGraphModelPath('facemesh'));
const graphModels: { name: string; file: string; json: ModelJson }[] = [];
for (const entry of (await readdir(folder)).filter((file) => file.endsWith('.json')).sort()) {
  const json = JSON.parse(await readFile(path.join(folder, entry), 'utf8')) as ModelJson;
  if (json.format === 'graph-model') graphModels.push({ name: entry.replace(/\.json$/, ''), file: path.join(folder, entry), json });
}

describe(`every GraphModel in @vladmandic/human (${graphModels.length} models)`, () => {
  it('are found (the package ships them)', () => {
    expect(graphModels.length).toBeGreaterThanOrEqual(10);
  });

  it.each(graphModels.filter((model) => unsupportedOps(model.json).length === 0).map((model) => [model.name, model] as const))(
    '%s has every output tfjs-converter gives it, under the same name',
    async (_name, model) => {
      const { bytes, summary } = await convertModel(model.file);
      const onnxOutputs = (onnxProto.onnx.ModelProto.decode(bytes).graph?.output ?? []).map((output) => output.name);
      const reference = await loadReference(model.file);
      try {
        expect(onnxOutputs).toEqual(reference.outputNodes);
      } finally {
        reference.dispose();
      }
      const signatureKeys = Object.keys(model.json.signature?.outputs ?? {});
      if (signatureKeys.length > 0) expect(onnxOutputs).toEqual(signatureKeys);
      expect(summary.outputs.map((output) => output.name)).toEqual(onnxOutputs);
    },
  );

  it.each(graphModels.filter((model) => unsupportedOps(model.json).length > 0).map((model) => [model.name, model] as const))(
    '%s, which uses ops the converter lacks, is refused naming each of them',
    async (_name, model) => {
      const error = await convertModel(model.file).then(
        () => undefined,
        (e: Error) => e,
      );
      for (const op of unsupportedOps(model.json)) expect(error?.message).toMatch(new RegExp(`\\b${op} \\(\\d+ nodes?, first`));
    },
  );
});
