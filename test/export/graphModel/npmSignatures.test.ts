/**
 * Every GraphModel shipped in @vladmandic/human's models/ (a devDependency) converts to an ONNX
 * file whose outputs are the model's outputs as tfjs-converter's GraphModel names them: every
 * signature key (facemesh's `output_mesh` for tensor `Identity_2:0`, antispoof's `activation_4`
 * for `Identity:0`), or without a signature every node nothing reads. The models are found by
 * listing the folder, so a model added to the package is covered without editing this file.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmGraphModelPath } from '../../../bench/models/npmGraphModels.ts';
import { convertModel } from '../../../export/index.ts';
import { removeTemporaryDirectories, useCpuBackend } from '../harness.ts';
import { loadReference } from './harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

interface ModelJson {
  format?: string;
  signature?: { outputs?: Record<string, unknown> };
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

  it.each(graphModels.map((model) => [model.name, model] as const))(
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
});
