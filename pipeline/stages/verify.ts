/**
 * verify: the ONNX file loads on both onnxruntime backends and its input/output signature
 * matches the tfjs model's, before the slower parity stage predicts anything.
 */
import { loadClassifier, type Backend } from '@tfjs-onnx/runtime';
import { UserError } from '../../common/errors.ts';
import { readOnnxInfo } from '../onnxInfo.ts';
import { loadTfjsModel } from '../parity.ts';
import { runtimeCall } from '../runtimeErrors.ts';
import type { Stage } from './stage.ts';

export class SignatureMismatchError extends UserError {}

export const verifyStage: Stage = {
  name: 'verify',
  requires: (paths) => [paths.tfjsModel, paths.onnxModel],
  async inputs({ paths }) {
    return { files: [paths.tfjsModel, paths.onnxModel], settings: {} };
  },
  async run({ paths, say }) {
    const expected = await tfjsSignature(paths.tfjsModel);
    const onnx = await readOnnxInfo(paths.onnxModel);
    const actualInput = onnx.inputs[0]?.shape.slice(1);
    const actualOutput = onnx.outputs[0]?.shape.slice(1);
    if (JSON.stringify(actualInput) !== JSON.stringify(expected.input) || JSON.stringify(actualOutput) !== JSON.stringify(expected.output)) {
      throw new SignatureMismatchError(
        `${paths.onnxModel} takes [${actualInput}] → [${actualOutput}] per sample but the tfjs model takes [${expected.input}] → [${expected.output}]`,
      );
    }
    for (const backend of ['native', 'wasm'] as Backend[]) {
      const classifier = await runtimeCall(paths.onnxModel, () => loadClassifier(paths.onnxModel, { backend }));
      say(`${backend === 'native' ? 'onnxruntime-node' : 'onnxruntime-web'}: loads; input ${classifier.inputName} [${classifier.inputShape.map((d) => d ?? 'batch').join(', ')}], ${classifier.classCount} classes`);
      await classifier.dispose();
    }
    return { outputs: [], figure: `signature [${expected.input}] → [${expected.output}] on node and web` };
  },
};

/** The tfjs model's per-sample input and output shapes, from its topology's first input and last layer. */
async function tfjsSignature(modelJsonPath: string): Promise<{ input: number[]; output: number[] }> {
  const model = await loadTfjsModel(modelJsonPath);
  try {
    return { input: (model.inputs[0].shape as number[]).slice(1), output: (model.outputs[0].shape as number[]).slice(1) };
  } finally {
    model.dispose();
  }
}
