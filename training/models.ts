/**
 * The model architectures `train` can build, registered by name. Every layer that draws random
 * numbers gets a seed derived from the run's seed, so a seeded run starts from the same weights.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError } from '../common/errors.ts';

export interface ModelShape {
  height: number;
  width: number;
  channels: number;
  classCount: number;
}

type ModelBuilder = (shape: ModelShape, seeds: SeedSequence) => tf.Sequential;

/** Hands out a fresh seed per layer, so adding a layer does not change the others' seeds' meaning. */
export class SeedSequence {
  private next: number;
  constructor(seed: number) {
    this.next = seed;
  }
  take(): number {
    return this.next++;
  }
}

const glorot = (seeds: SeedSequence) => tf.initializers.glorotUniform({ seed: seeds.take() });

/** The lecture's reference model: Flatten → Dense(128, relu) → Dense(classes, softmax). */
function buildMlp({ height, width, channels, classCount }: ModelShape, seeds: SeedSequence): tf.Sequential {
  return tf.sequential({
    name: 'mlp',
    layers: [
      tf.layers.flatten({ inputShape: [height, width, channels], name: 'flatten' }),
      tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: glorot(seeds), name: 'hidden' }),
      tf.layers.dense({ units: classCount, activation: 'softmax', kernelInitializer: glorot(seeds), name: 'probabilities' }),
    ],
  });
}

/** A small convolutional net in the style of the Keras MNIST convnet example (≥ 99% in a few epochs). */
function buildCnn({ height, width, channels, classCount }: ModelShape, seeds: SeedSequence): tf.Sequential {
  return tf.sequential({
    name: 'cnn',
    layers: [
      tf.layers.conv2d({ inputShape: [height, width, channels], filters: 32, kernelSize: 3, activation: 'relu', kernelInitializer: glorot(seeds), name: 'conv1' }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: glorot(seeds), name: 'conv2' }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dropout({ rate: 0.25, seed: seeds.take(), name: 'dropout' }),
      tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: glorot(seeds), name: 'hidden' }),
      tf.layers.dense({ units: classCount, activation: 'softmax', kernelInitializer: glorot(seeds), name: 'probabilities' }),
    ],
  });
}

export const MODEL_BUILDERS: Record<string, ModelBuilder> = { mlp: buildMlp, cnn: buildCnn };
export const MODEL_NAMES = Object.keys(MODEL_BUILDERS);

export function buildModel(name: string, shape: ModelShape, seed: number): tf.Sequential {
  const builder = MODEL_BUILDERS[name];
  if (!builder) throw new InvalidOptionError(`unknown model "${name}": choose one of ${MODEL_NAMES.join(', ')}`);
  return builder(shape, new SeedSequence(seed));
}
