/** Core layers: Dense, Activation, and the layers that are identities at inference. */
import { applyActivation } from '../activations.ts';
import { InvalidInputError } from '../../../common/errors.ts';
import type { LayerContext } from '../layerContext.ts';
import type { TensorValue } from '../../backend/graph/tensorValue.ts';
import { defineLayer, option, type LayerArgs, type LayerDefinitionTable } from './definition.ts';

const denseOptions = { units: option.int(), useBias: option.bool(true), activation: option.activation() };

/** y = activation(x · kernel + bias) over the last axis; Gemm for 2-d inputs, MatMul (+Add) above. */
function convertDense(ctx: LayerContext, { units, useBias, activation }: LayerArgs<typeof denseOptions>): TensorValue {
  const x = ctx.input();
  const inFeatures = x.shape[x.shape.length - 1];
  if (inFeatures === null || x.shape.length < 2) {
    throw new InvalidInputError(`${ctx.config.label} needs an input whose last axis has a known size`);
  }
  const kernel = ctx.floatWeight('kernel', [inFeatures, units]);
  const bias = useBias ? ctx.floatWeight('bias', [units]) : undefined;
  const g = ctx.graph;
  const input = ctx.logical(x);
  const kernelName = g.floatConstant('kernel', kernel.shape, kernel.values);
  const biasName = bias ? g.floatConstant('bias', bias.shape, bias.values) : undefined;
  let output: string;
  if (x.shape.length === 2) {
    output = g.node('Gemm', biasName ? [input, kernelName, biasName] : [input, kernelName]);
  } else {
    const product = g.node('MatMul', [input, kernelName]);
    output = biasName ? g.node('Add', [product, biasName]) : product;
  }
  return applyActivation(ctx, ctx.result(output, [...x.shape.slice(0, -1), units]), activation);
}

const convertActivation = defineLayer({ activation: option.activation() }, (ctx, { activation }) =>
  applyActivation(ctx, ctx.input(), activation),
);

/** Dropout, noise and augmentation layers only act while training; at inference they pass their input through. */
export const convertInferenceIdentity = defineLayer({}, (ctx) => ctx.input());

export const coreLayers: LayerDefinitionTable = {
  Dense: defineLayer(denseOptions, convertDense),
  Activation: convertActivation,
  Dropout: convertInferenceIdentity,
  SpatialDropout1D: convertInferenceIdentity,
  SpatialDropout2D: convertInferenceIdentity,
  SpatialDropout3D: convertInferenceIdentity,
  GaussianNoise: convertInferenceIdentity,
  GaussianDropout: convertInferenceIdentity,
  AlphaDropout: convertInferenceIdentity,
};
