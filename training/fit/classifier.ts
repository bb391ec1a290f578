/**
 * The forward pass of a Sequential classifier whose last layer is Dense with softmax, up to that
 * layer's logits. Training takes the loss from the logits (see ops/softmaxCrossEntropy.ts); the
 * model itself keeps its softmax, so the saved model and every runtime see probabilities.
 * Dropout layers are applied by the training step with a mask per step (see ops/dropout.ts), not
 * by the layer, whose seeded mask is the same at every call; in inference they pass their input
 * through, as the layer does.
 */
import * as tf from '@tensorflow/tfjs';
import { dropout } from '../ops/dropout.ts';

/** A Sequential model ending in Dense(softmax): the shape every model in models.ts has. */
export interface SoftmaxClassifier {
  model: tf.Sequential;
  /** The layers before the last one. */
  body: BodyLayer[];
  /** The last layer's weights. */
  kernel: tf.Variable;
  bias?: tf.Variable;
}

/** A layer before the last: applied as it is, or, for a Dropout layer, with the training step's mask. */
export interface BodyLayer {
  layer: tf.layers.Layer;
  dropout?: { rate: number; seed: number };
}

/** A forward pass in inference, or in training step `step` (1-based), whose number picks the dropout masks. */
export type ForwardPass = { training: false } | { training: true; step: number };

// noiseShape (a mask shared along some axes) is Dropout's; the loop draws one unit per element.
const UNSUPPORTED_SETTINGS = [
  'kernelRegularizer',
  'biasRegularizer',
  'activityRegularizer',
  'kernelConstraint',
  'biasConstraint',
  'depthwiseConstraint',
  'pointwiseConstraint',
  'noiseShape',
];
/** Layers whose training noise tfjs draws with a mask fixed by their seed, or unseeded: the loop would train them unrepeatably or degenerately. */
const UNSUPPORTED_NOISE_LAYERS = ['SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout'];

/** Checks that the model has the shape the training loop handles, and finds its last layer's weights. */
export function softmaxClassifier(model: tf.Sequential): SoftmaxClassifier {
  const layers = model.layers;
  const last = layers[layers.length - 1];
  const config = last?.getConfig() ?? {};
  if (last?.getClassName() !== 'Dense' || config.activation !== 'softmax') {
    throw new Error(
      `model ${model.name}: the training loop needs a last layer Dense with softmax activation, found ${last?.getClassName()} (${String(config.activation)})`,
    );
  }
  for (const layer of layers) {
    const layerConfig = layer.getConfig();
    const unsupported = UNSUPPORTED_SETTINGS.filter((key) => layerConfig[key] != null);
    // fit() would add regularization losses and apply constraints; this loop does neither.
    if (unsupported.length > 0)
      throw new Error(`model ${model.name}: layer ${layer.name} uses ${unsupported.join(', ')}, which the training loop does not apply`);
    if (UNSUPPORTED_NOISE_LAYERS.includes(layer.getClassName())) {
      throw new Error(
        `model ${model.name}: layer ${layer.name} is ${layer.getClassName()}, whose training noise the training loop does not draw (Dropout is supported)`,
      );
    }
  }
  const weight = (suffix: string) => last.weights.find((w) => w.originalName.endsWith(`/${suffix}`))?.read() as tf.Variable | undefined;
  const kernel = weight('kernel');
  if (!kernel) throw new Error(`model ${model.name}: layer ${last.name} has no kernel`);
  return { model, body: layers.slice(0, -1).map(bodyLayer), kernel, bias: weight('bias') };
}

function bodyLayer(layer: tf.layers.Layer): BodyLayer {
  if (layer.getClassName() !== 'Dropout') return { layer };
  const { rate, seed } = layer.getConfig() as { rate: number; seed?: number };
  // tfjs's Dropout passes its input through unless 0 < rate < 1; so does the loop. A layer
  // without a seed asked for no repeatability: it gets a random one.
  if (!(rate > 0 && rate < 1)) return { layer };
  return { layer, dropout: { rate, seed: seed ?? Math.floor(Math.random() * 0x100000000) } };
}

/** Logits [batch, classes] of `images`; a training pass switches layers such as Dropout to their training behaviour. */
export function classifierLogits(classifier: SoftmaxClassifier, images: tf.Tensor, pass: ForwardPass): tf.Tensor2D {
  let x = images;
  for (const { layer, dropout: settings } of classifier.body) {
    if (settings && pass.training) x = dropout(x, { ...settings, step: pass.step });
    else if (!settings) x = layer.apply(x, { training: pass.training }) as tf.Tensor;
  }
  return tf.fused.matMul({ a: x as tf.Tensor2D, b: classifier.kernel as tf.Tensor2D, bias: classifier.bias }) as tf.Tensor2D;
}
