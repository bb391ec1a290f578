/** Preprocessing layers tfjs ships: Rescaling, Resizing, CenterCrop, CategoryEncoding. */
import type { LayerContext } from '../graph/layerContext.ts';
import type { TensorValue } from '../graph/tensorValue.ts';
import type { LayerConverterTable } from './registry.ts';

/** x · scale + offset (integer inputs are cast to float32 first, as tfjs does). */
function convertRescaling(ctx: LayerContext): TensorValue {
  const x = ctx.input();
  const g = ctx.graph;
  const scale = ctx.config.number('scale');
  const offset = ctx.config.number('offset', 0);
  const input = x.dtype === 'int32' ? g.node('Cast', [x.onnxName], { to: { kind: 'int', value: 1 } }) : x.onnxName;
  const y = g.node('Add', [g.node('Mul', [input, g.scalar('scale', scale)]), g.scalar('offset', offset)]);
  return { ...ctx.resultLike(x, y), dtype: 'float32' };
}

export const preprocessingLayers: LayerConverterTable = {
  Rescaling: convertRescaling,
};
