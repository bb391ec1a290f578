/** Embedding: a row lookup (Gather) in the embeddings matrix. */
import { InvalidInputError } from '../../../common/errors.ts';
import { attr } from '../../backend/graph/graphBuilder.ts';
import { cast } from '../../backend/graph/ops.ts';
import type { LayerContext } from '../layerContext.ts';
import type { TensorValue } from '../../backend/graph/tensorValue.ts';
import { validWhereNot } from './masking.ts';
import { defineLayer, option, type LayerArgs, type LayerDefinitionTable } from './definition.ts';

const embeddingOptions = { inputDim: option.int(), outputDim: option.int(), maskZero: option.bool(false) };

function convertEmbedding(ctx: LayerContext, { inputDim, outputDim, maskZero }: LayerArgs<typeof embeddingOptions>): TensorValue {
  const x = ctx.input();
  if (inputDim <= 0 || outputDim <= 0) throw new InvalidInputError(`${ctx.config.label} needs positive input_dim and output_dim`);
  const embeddings = ctx.floatWeight('embeddings', [inputDim, outputDim]);
  const g = ctx.graph;
  // tfjs casts float indices to int32 (truncating) before the lookup; Cast does the same.
  const indices = x.dtype === 'int32' ? ctx.logical(x) : cast(g, ctx.logical(x), 'int32');
  const y = g.node('Gather', [g.floatConstant('embeddings', embeddings.shape, embeddings.values), indices], { axis: attr.int(0) });
  // mask_zero: index 0 is padding, and the steps holding it are masked for the layers downstream.
  if (maskZero) ctx.outputMasks = [ctx.result(validWhereNot(ctx, ctx.logical(x), 0, x.dtype), x.shape)];
  return ctx.result(y, [...x.shape, outputDim]);
}

export const embeddingLayers: LayerDefinitionTable = {
  Embedding: defineLayer(embeddingOptions, convertEmbedding),
};
