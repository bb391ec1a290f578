/**
 * verify: the ONNX file loads on both onnxruntime backends and its input/output signature
 * matches the tfjs model's, before the slower parity stage predicts anything.
 */
import { describePlacement, loadClassifier } from '@tfjs-onnx/runtime';
import { formatShape } from '@tfjs-onnx/runtime/constants';
import { UserError } from '../../common/errors.ts';
import { runOnnxChecker } from '../onnxChecker.ts';
import { readOnnxInfo } from '../onnxInfo.ts';
import { modelVariants } from '../options.ts';
import { loadTfjsModel } from '../parity.ts';
import { runtimeCall } from '../runtimeErrors.ts';
import type { Stage } from './stage.ts';

export class SignatureMismatchError extends UserError {}

export const verifyStage: Stage = {
  name: 'verify',
  requires: (paths) => [paths.tfjsModel, paths.onnxModel],
  async inputs({ options, paths }) {
    return { files: [paths.tfjsModel, ...modelVariants(paths, options.variants).map((model) => model.path)], settings: {} };
  },
  async run({ options, paths, say }) {
    const expected = await tfjsSignature(paths.tfjsModel);
    const models = modelVariants(paths, options.variants);
    for (const model of models) await verifyModel(model.path, expected, say);
    const checker = await runOnnxChecker(models.map((model) => model.path));
    say(
      checker.status === 'passed'
        ? `onnx.checker (onnx ${checker.version}, full check): every model passes`
        : 'onnx.checker: skipped (Python onnx is not installed; Debian: apt-get install python3-onnx)',
    );
    const checked = checker.status === 'passed' ? ', checker passed' : '';
    return {
      outputs: [],
      figure: `signature [${expected.input}] → [${expected.output}] on node and web${models.length > 1 ? ` (${models.map((model) => model.dtype).join(', ')})` : ''}${checked}`,
    };
  },
};

/** One ONNX file: its per-sample signature is the tfjs model's, and it loads on both packages (devices cpu and wasm). */
async function verifyModel(onnxPath: string, expected: { input: number[]; output: number[] }, say: (line: string) => void): Promise<void> {
  const onnx = await readOnnxInfo(onnxPath);
  const actualInput = onnx.inputs[0]?.shape.slice(1);
  const actualOutput = onnx.outputs[0]?.shape.slice(1);
  if (JSON.stringify(actualInput) !== JSON.stringify(expected.input) || JSON.stringify(actualOutput) !== JSON.stringify(expected.output)) {
    throw new SignatureMismatchError(
      `${onnxPath} takes [${actualInput}] → [${actualOutput}] per sample but the tfjs model takes [${expected.input}] → [${expected.output}]`,
    );
  }
  for (const device of ['cpu', 'wasm'] as const) {
    const classifier = await runtimeCall(onnxPath, () => loadClassifier(onnxPath, { device }));
    say(
      `${onnxPath} on ${describePlacement(classifier.placement)}: loads; input ${classifier.inputName} ${formatShape(classifier.inputShape)}, ${classifier.classCount} classes`,
    );
    await classifier.dispose();
  }
}

/** The tfjs model's per-sample input and output shapes, from its topology's first input and last layer. */
async function tfjsSignature(modelJsonPath: string): Promise<{ input: number[]; output: number[] }> {
  const model = await loadTfjsModel(modelJsonPath);
  try {
    return { input: (model.inputs[0].shape as number[]).slice(1), output: (model.outputs[0].shape as number[]).slice(1) };
  } finally {
    model.dispose();
  }
}
