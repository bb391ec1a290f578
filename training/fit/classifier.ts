/**
 * The forward pass of a Sequential classifier whose last layer is Dense with softmax, up to that
 * layer's logits. Training takes the loss from the logits (see ops/softmaxCrossEntropy.ts); the
 * model itself keeps its softmax, so the saved model and every runtime see probabilities.
 */
import * as tf from '@tensorflow/tfjs';

/** A Sequential model ending in Dense(softmax): the shape every model in models.ts has. */
export interface SoftmaxClassifier {
  model: tf.Sequential;
  /** The layers before the last one, applied as they are. */
  body: tf.layers.Layer[];
  /** The last layer's weights. */
  kernel: tf.Variable;
  bias?: tf.Variable;
}

const UNSUPPORTED_SETTINGS = ['kernelRegularizer', 'biasRegularizer', 'activityRegularizer', 'kernelConstraint', 'biasConstraint', 'depthwiseConstraint', 'pointwiseConstraint'];

/** Checks that the model has the shape the training loop handles, and finds its last layer's weights. */
export function softmaxClassifier(model: tf.Sequential): SoftmaxClassifier {
  const layers = model.layers;
  const last = layers[layers.length - 1];
  const config = last?.getConfig() ?? {};
  if (last?.getClassName() !== 'Dense' || config.activation !== 'softmax') {
    throw new Error(`model ${model.name}: the training loop needs a last layer Dense with softmax activation, found ${last?.getClassName()} (${String(config.activation)})`);
  }
  for (const layer of layers) {
    const layerConfig = layer.getConfig();
    const unsupported = UNSUPPORTED_SETTINGS.filter((key) => layerConfig[key] != null);
    // fit() would add regularization losses and apply constraints; this loop does neither.
    if (unsupported.length > 0) throw new Error(`model ${model.name}: layer ${layer.name} uses ${unsupported.join(', ')}, which the training loop does not apply`);
  }
  const weight = (suffix: string) => last.weights.find((w) => w.originalName.endsWith(`/${suffix}`))?.read() as tf.Variable | undefined;
  const kernel = weight('kernel');
  if (!kernel) throw new Error(`model ${model.name}: layer ${last.name} has no kernel`);
  return { model, body: layers.slice(0, -1), kernel, bias: weight('bias') };
}

/** Logits [batch, classes] of `images`; `training` switches layers such as Dropout to their training behaviour. */
export function classifierLogits(classifier: SoftmaxClassifier, images: tf.Tensor, training: boolean): tf.Tensor2D {
  let x = images;
  for (const layer of classifier.body) x = layer.apply(x, { training }) as tf.Tensor;
  return tf.fused.matMul({ a: x as tf.Tensor2D, b: classifier.kernel as tf.Tensor2D, bias: classifier.bias }) as tf.Tensor2D;
}
