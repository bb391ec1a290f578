/**
 * Conversion time: seconds for convertLayersModel() (read model.json and shards, build, optimize,
 * encode the ONNX bytes in memory) on the MLP, the CNN and a MobileNetV2-sized functional model
 * built here with random weights. The first conversion of each is an untimed warm-up.
 */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import type { io } from '@tensorflow/tfjs';
import { fileSystemSaver } from '../../../common/tfjsModelFiles.ts';
import { convertLayersModel } from '../../../export/index.ts';
import { selectBackend } from '../../../training/backends/select.ts';
import { spread, type Spread } from '../../../common/stats.ts';
import { MOBILENET_SHAPE, buildMobileNet, describeMobileNet } from '../../models/mobileNet.ts';
import type { PreparedModel, SectionContext } from '../definition.ts';

export interface ConversionRow {
  model: string;
  description: string;
  parameters: number;
  onnxBytes: number;
  onnxNodes: number;
  seconds: Spread;
}

export interface ConversionData {
  rows: ConversionRow[];
}

export async function measureConversion(context: SectionContext): Promise<ConversionData> {
  const { models, settings, workDirectory } = context;
  if (!models) throw new Error('the conversion section needs the prepared models');
  const mobileNet = await saveMobileNet(workDirectory, settings.conversion.mobileNetInputSize);
  const targets = [
    { model: 'mlp', description: describe(models.mlp, 'Flatten → Dense 128 relu → Dense 10 softmax'), modelJson: models.mlp.tfjs },
    {
      model: 'cnn',
      description: describe(models.cnn, 'Conv 32 → pool → Conv 64 → pool → Dense 128 → Dense 10'),
      modelJson: models.cnn.tfjs,
    },
    { model: 'mobilenet', description: mobileNet.description, modelJson: mobileNet.modelJson },
  ];
  const rows: ConversionRow[] = [];
  for (const target of targets) {
    const row = await timeConversion(target.model, target.description, target.modelJson, settings.conversion);
    process.stderr.write(`conversion: ${row.model}: ${row.seconds.median.toFixed(3)} s\n`);
    rows.push(row);
  }
  return { rows };
}

/** The reference architecture for a model trained here; a given model may be anything, so only its path. */
function describe(model: PreparedModel, architecture: string): string {
  return model.origin === 'trained' ? `${architecture} (trained here)` : `given: ${model.tfjs}`;
}

async function saveMobileNet(workDirectory: string, inputSize: number): Promise<{ modelJson: string; description: string }> {
  // Any backend can hold the random weights until they are saved; use the default choice.
  await selectBackend();
  const shape = { ...MOBILENET_SHAPE, inputSize };
  const model = buildMobileNet(shape);
  const directory = path.join(workDirectory, 'mobilenet');
  await model.save(fileSystemSaver(directory));
  model.dispose();
  return { modelJson: path.join(directory, 'model.json'), description: describeMobileNet(shape) };
}

async function timeConversion(
  model: string,
  description: string,
  modelJson: string,
  settings: { warmup: number; repetitions: number },
): Promise<ConversionRow> {
  let last = await convertLayersModel(modelJson);
  for (let i = 1; i < settings.warmup; i++) last = await convertLayersModel(modelJson);
  const seconds: number[] = [];
  for (let repetition = 0; repetition < settings.repetitions; repetition++) {
    const started = performance.now();
    last = await convertLayersModel(modelJson);
    seconds.push((performance.now() - started) / 1000);
  }
  return {
    model,
    description,
    parameters: await parameterCount(modelJson),
    onnxBytes: last.bytes.byteLength,
    onnxNodes: last.summary.nodeCount,
    seconds: spread(seconds),
  };
}

/** Weights listed in model.json's manifest, counted by element (non-trainable batchnorm statistics included). */
async function parameterCount(modelJson: string): Promise<number> {
  const manifest = (JSON.parse(await readFile(modelJson, 'utf8')) as { weightsManifest?: io.WeightsManifestConfig }).weightsManifest ?? [];
  return manifest.flatMap((group) => group.weights).reduce((sum, weight) => sum + weight.shape.reduce((a, b) => a * b, 1), 0);
}
