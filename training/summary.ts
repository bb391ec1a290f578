/**
 * A model summary like Keras' `model.summary()`: each layer's name, class, output shape and
 * parameter count, and the totals split into trainable and non-trainable (101,770 parameters,
 * all trainable, for the lecture's MLP).
 */
import type * as tf from '@tensorflow/tfjs';

export interface LayerSummary {
  name: string;
  className: string;
  /** null for the batch dimension (and any other dimension the model leaves open). */
  outputShape: (number | null)[];
  params: number;
  trainable: boolean;
}

export interface ModelSummary {
  layers: LayerSummary[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
}

export function summarizeModel(model: tf.LayersModel): ModelSummary {
  const layers = model.layers.map((layer) => ({
    name: layer.name,
    className: layer.getClassName(),
    outputShape: layer.outputShape as (number | null)[],
    params: layer.countParams(),
    trainable: layer.trainable,
  }));
  const count = (weights: tf.LayerVariable[]) =>
    weights.reduce((sum, weight) => sum + weight.shape.reduce<number>((product, size) => product * (size ?? 1), 1), 0);
  const trainableParams = count(model.trainableWeights);
  const nonTrainableParams = count(model.nonTrainableWeights);
  return { layers, totalParams: trainableParams + nonTrainableParams, trainableParams, nonTrainableParams };
}
