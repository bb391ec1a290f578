/**
 * dtype: the precision variant is picked by file name beside a given file, inside a given
 * directory, or from a base path (model.onnx, model_fp16.onnx, model_quantized.onnx, as JS model
 * hubs ship them), and the model reports what it loaded (metadata tfjs_onnx.dtype).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier, loadModel, ModelLoadError, type ModelDtype } from '../../src/index.node.ts';
import { variantFileName, variantUrl } from '../../src/model/variants.ts';
import { buildVariantModels } from '../../../test/helpers/fixtures/graphs.ts';
import { buildTinyClassifier } from '../../../test/helpers/fixtures/models.ts';
import { expectError } from '../../../test/helpers/expectError.ts';
import { DEVICES } from '../../../test/helpers/runtime.ts';
import { tempDir } from '../../../test/helpers/tempDir.ts';
import { maxAbsDiff, randomFloats } from '../../../test/helpers/tensors.ts';

const variants = buildVariantModels({ height: 6, width: 6, classCount: 4, seed: 9 });
const FILES: Record<ModelDtype, string> = { fp32: 'model.onnx', fp16: 'model_fp16.onnx', q8: 'model_quantized.onnx' };
/** How far each variant's probabilities may be from fp32's on these small weights. */
const TOLERANCE: Record<ModelDtype, number> = { fp32: 0, fp16: 2e-3, q8: 3e-2 };
const dir = tempDir('tfjs-onnx-runtime-');

beforeAll(() => {
  for (const dtype of ['fp32', 'fp16', 'q8'] as const) writeFileSync(join(dir, FILES[dtype]), variants[dtype]);
});

describe.each(DEVICES)('dtype on %s', (device) => {
  it('loads each variant from the directory and reports it; the probabilities stay close to fp32', async () => {
    const input = randomFloats(36 * 5, 4);
    const reference = await loadClassifier(dir, { device });
    const expected = await reference.predictBatch(input, 5);
    expect(reference.model.dtype).toBe('fp32');
    await reference.dispose();
    for (const dtype of ['fp32', 'fp16', 'q8'] as const) {
      const classifier = await loadClassifier(dir, { device, dtype });
      expect(classifier.model.dtype).toBe(dtype);
      expect(classifier.model.metadata.get('tfjs_onnx.dtype')).toBe(dtype);
      const probabilities = await classifier.predictBatch(input, 5);
      expect(maxAbsDiff(probabilities, expected), dtype).toBeLessThanOrEqual(TOLERANCE[dtype]);
      await classifier.dispose();
    }
  });
});

describe('choosing the file', () => {
  it('takes the variant beside a given file, from a base path, or as the file says', async () => {
    const cases: [string, ModelDtype | undefined, ModelDtype][] = [
      [join(dir, 'model.onnx'), 'fp16', 'fp16'],
      [join(dir, 'model_fp16.onnx'), 'q8', 'q8'],
      [join(dir, 'model'), 'q8', 'q8'],
      [join(dir, 'model_quantized.onnx'), undefined, 'q8'],
      [dir, undefined, 'fp32'],
    ];
    for (const [source, dtype, loaded] of cases) {
      const model = await loadModel(source, { dtype });
      expect(model.dtype, `${source} ${dtype}`).toBe(loaded);
      await model.dispose();
    }
  });

  it('says which file a dtype picked when it is missing, and refuses a file of another precision', async () => {
    const lonely = join(dir, 'lonely');
    mkdirSync(lonely);
    writeFileSync(join(lonely, 'model.onnx'), variants.fp32);
    writeFileSync(join(lonely, 'model_fp16.onnx'), variants.fp32);
    await expectError(
      () => loadModel(lonely, { dtype: 'q8' }),
      ModelLoadError,
      /cannot read the model file .*lonely\/model_quantized\.onnx: no such file \(a model directory holds model_quantized\.onnx for dtype 'q8'\)/,
    );
    await expectError(
      () => loadModel(join(lonely, 'model.onnx'), { dtype: 'q8' }),
      ModelLoadError,
      /no such file \(dtype 'q8' picks model_quantized\.onnx beside .*model\.onnx\)/,
    );
    await expectError(
      () => loadModel(lonely, { dtype: 'fp16' }),
      ModelLoadError,
      /model_fp16\.onnx is the fp32 variant \(metadata tfjs_onnx\.dtype\), but dtype 'fp16' was asked for/,
    );
    await expectError(() => loadModel(variants.fp16, { dtype: 'q8' }), ModelLoadError, /the in-memory model is the fp16 variant/);
    const unknown = buildTinyClassifier({ inputShape: [null, 2, 2, 1], classCount: 2, metadata: { 'tfjs_onnx.dtype': 'int4' } });
    await expectError(
      () => loadModel(unknown.bytes),
      ModelLoadError,
      /metadata tfjs_onnx\.dtype is 'int4'; this runtime knows fp32, fp16, q8/,
    );
  });

  it('reports the requested dtype for models without the metadata (other exporters), else fp32', async () => {
    const plain = buildTinyClassifier({ inputShape: [null, 2, 2, 1], classCount: 2 }).bytes;
    for (const [dtype, reported] of [
      [undefined, 'fp32'],
      ['fp16', 'fp16'],
    ] as const) {
      const model = await loadModel(plain, { dtype });
      expect(model.dtype).toBe(reported);
      await model.dispose();
    }
  });

  it('names variants the way model hubs do, for files and URLs alike', () => {
    expect(variantFileName('mnist.onnx', 'fp16')).toBe('mnist_fp16.onnx');
    expect(variantFileName('mnist_fp16.onnx', 'fp32')).toBe('mnist.onnx');
    expect(variantFileName('mnist', 'q8')).toBe('mnist_quantized.onnx');
    expect(variantUrl('models/', 'fp16')).toBe('models/model_fp16.onnx');
    expect(variantUrl('models/', undefined)).toBe('models/model.onnx');
    expect(variantUrl('https://example.com/m/mnist.onnx?v=2#x', 'q8')).toBe('https://example.com/m/mnist_quantized.onnx?v=2#x');
    expect(variantUrl('./model.onnx', undefined)).toBe('./model.onnx');
  });
});
