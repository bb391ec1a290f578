/**
 * Reshaping layers. Flatten, Reshape and RepeatVector depend on element order, so they work on
 * the Keras layout (Flatten in NHWC order, exactly like tfjs). Permute only relabels axes, so it
 * changes the recorded layout and emits nothing. Padding, cropping and upsampling act per axis
 * and run in whatever layout the input is stored.
 */
import { InvalidInputError } from '../../../common/errors.ts';
import { attr, type AttributeValue } from '../../backend/graph/graphBuilder.ts';
import { identityPermutation, permuteList } from '../../backend/graph/layout.ts';
import { unsqueeze } from '../../backend/graph/ops.ts';
import { tensorValue, type Dim, type TensorValue } from '../../backend/graph/tensorValue.ts';
import type { LayerConfig } from '../reader/layerConfig.ts';
import type { DataFormat, LayerContext } from '../layerContext.ts';
import { defineLayer, option, type LayerDefinition, type LayerDefinitionTable } from './definition.ts';

function product(sizes: readonly Dim[]): Dim {
  return sizes.some((s) => s === null) ? null : (sizes as number[]).reduce((p, s) => p * s, 1);
}

/** Flatten keeps the batch axis; tfjs flattens channels_first inputs in channels-last order. */
const convertFlatten = defineLayer({ dataFormat: option.dataFormat() }, (ctx, { dataFormat }) => {
  const x = ctx.input();
  const rank = x.shape.length;
  const order = dataFormat === 'channelsFirst' && rank > 2 ? [0, ...identityPermutation(rank).slice(2), 1] : identityPermutation(rank);
  const y = ctx.graph.node('Flatten', [ctx.inLayout(x, order)], { axis: attr.int(1) });
  return ctx.result(y, [x.shape[0], product(x.shape.slice(1))]);
});

const convertReshape = defineLayer({ targetShape: option.shape({ allowMinusOne: true }) }, (ctx, { targetShape }) => {
  const x = ctx.input();
  // Keras writes an inferred size as -1, tfjs as null.
  const target = targetShape.map((size) => size ?? -1);
  const unknown = target.filter((s) => s === -1).length;
  if (unknown > 1 || target.some((s) => s === 0 || s < -1)) throw ctx.config.invalid('targetShape', 'positive sizes and at most one -1');
  const known = target.filter((s) => s !== -1).reduce((p, s) => p * s, 1);
  const total = product(x.shape.slice(1));
  if (total !== null && (unknown ? total % known !== 0 : total !== known)) {
    throw new InvalidInputError(`${ctx.config.label}: cannot reshape ${total} values per sample to ${JSON.stringify(target)}`);
  }
  const shape: Dim[] = [x.shape[0], ...target.map((s) => (s === -1 ? (total === null ? null : total / known) : s))];
  // 0 copies the batch size from the input (ONNX Reshape's default allowzero=0).
  const y = ctx.graph.node('Reshape', [ctx.logical(x), ctx.graph.int64Constant('shape', [0, ...target])]);
  return ctx.result(y, shape);
});

/**
 * Permute(dims) makes output axis i the input's axis dims[i]. The stored tensor does not move:
 * only its recorded permutation changes, and a Transpose appears later only if a consumer needs
 * a layout the stored tensor doesn't have.
 */
const convertPermute = defineLayer({ dims: option.intList() }, (ctx, { dims }) => {
  const x = ctx.input();
  const rank = x.shape.length;
  const sorted = [...dims].sort((a, b) => a - b);
  if (dims.length !== rank - 1 || !sorted.every((d, i) => d === i + 1)) throw ctx.config.invalid('dims', `a permutation of 1..${rank - 1}`);
  const relabel = [0, ...dims];
  const shape = relabel.map((axis) => x.shape[axis]);
  const storedPerm = x.perm.map((axis) => relabel.indexOf(axis));
  return tensorValue(x.onnxName, shape, storedPerm, x.dtype);
});

/** [batch, features] → [batch, n, features]. */
const convertRepeatVector = defineLayer({ n: option.int() }, (ctx, { n }) => {
  const x = ctx.input();
  ctx.requireRank(x, 2);
  const g = ctx.graph;
  const y = g.node('Tile', [unsqueeze(ctx, ctx.logical(x), [1]), g.int64Constant('repeats', [1, n, 1])]);
  return ctx.result(y, [x.shape[0], n, x.shape[1]]);
});

/** Keras's spatial padding/cropping spellings: `n`, `[a, b]` (symmetric per axis) or `[[begin, end], ...]`. */
function readBeginEnd(config: LayerConfig, key: string, spatialRank: number, fallback: number): [number, number][] {
  const raw = config.raw(key) ?? fallback;
  const valid = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
  if (valid(raw)) return new Array(spatialRank).fill([raw, raw]);
  if (Array.isArray(raw) && raw.length === spatialRank) {
    if (raw.every(valid)) return raw.map((v) => [v, v] as [number, number]);
    if (raw.every((pair) => Array.isArray(pair) && pair.length === 2 && pair.every(valid))) return raw as [number, number][];
  }
  // ZeroPadding1D / Cropping1D write one (begin, end) pair for their single axis.
  if (spatialRank === 1 && Array.isArray(raw) && raw.length === 2 && raw.every(valid)) return [raw as [number, number]];
  throw config.invalid(key, `an integer, ${spatialRank} integers, or ${spatialRank} [begin, end] pairs`);
}

function spatialAxes(rank: number, spatialRank: number, channelsLast: boolean): number[] {
  return identityPermutation(spatialRank)
    .map((i) => i + (channelsLast ? 1 : 2))
    .filter((axis) => axis < rank);
}

/** Per-axis (begin, end) amounts and the data format (1-D layers are channels-last). */
function beginEndOptions(spatialRank: number, fallback: number) {
  return { amounts: option.custom((config, key) => readBeginEnd(config, key, spatialRank, fallback)), dataFormat: option.dataFormat() };
}

/** The layer's one input (of the rank its class takes) and the Keras axes of its spatial dimensions (1-D layers are channels-last). */
function spatialInput(ctx: LayerContext, spatialRank: number, dataFormat: DataFormat): { x: TensorValue; axes: number[] } {
  const x = ctx.input();
  ctx.requireRank(x, spatialRank + 2);
  return { x, axes: spatialAxes(x.shape.length, spatialRank, spatialRank === 1 || dataFormat === 'channelsLast') };
}

function convertZeroPadding(spatialRank: number): LayerDefinition {
  const { amounts, dataFormat } = beginEndOptions(spatialRank, 1);
  return defineLayer({ padding: amounts, dataFormat }, (ctx, args) => {
    const { x, axes } = spatialInput(ctx, spatialRank, args.dataFormat);
    const pairs = args.padding;
    const begin = x.shape.map(() => 0);
    const end = x.shape.map(() => 0);
    axes.forEach((axis, i) => {
      [begin[axis], end[axis]] = pairs[i];
    });
    const pads = [...permuteList(begin, x.perm), ...permuteList(end, x.perm)];
    const y = ctx.graph.node('Pad', [x.onnxName, ctx.graph.int64Constant('pads', pads)], { mode: attr.string('constant') });
    const shape = x.shape.map((size, axis) => (size === null ? null : size + begin[axis] + end[axis]));
    return ctx.resultLike(x, y, shape);
  });
}

function convertCropping(spatialRank: number): LayerDefinition {
  const { amounts, dataFormat } = beginEndOptions(spatialRank, 0);
  return defineLayer({ cropping: amounts, dataFormat }, (ctx, args) => {
    const { x, axes } = spatialInput(ctx, spatialRank, args.dataFormat);
    const pairs = args.cropping;
    const g = ctx.graph;
    // A negative end counts from the axis end; "nothing cropped" needs an end past the axis.
    const ends = pairs.map(([, end]) => (end > 0 ? -end : Number.MAX_SAFE_INTEGER));
    const y = g.node('Slice', [
      x.onnxName,
      g.int64Constant(
        'starts',
        pairs.map(([begin]) => begin),
      ),
      g.int64Constant('ends', ends),
      g.int64Constant(
        'axes',
        axes.map((axis) => x.perm.indexOf(axis)),
      ),
    ]);
    const shape = x.shape.map((size, axis) => {
      const i = axes.indexOf(axis);
      return i < 0 || size === null ? size : size - pairs[i][0] - pairs[i][1];
    });
    if (shape.some((size) => size !== null && size <= 0))
      throw new InvalidInputError(`${ctx.config.label} crops away the whole input ${JSON.stringify(x.shape)}`);
    return ctx.resultLike(x, y, shape);
  });
}

/**
 * UpSampling2D/3D: tfjs resizes with align_corners=false and no half-pixel centers, i.e. source =
 * floor(dest / s) for nearest and source = dest / s for bilinear: ONNX Resize's 'asymmetric'
 * coordinates. (Keras's UpSampling3D repeats elements: nearest only.)
 */
function convertUpSampling(spatialRank: 2 | 3): LayerDefinition {
  // Keras's UpSampling3D has no interpolation option: it repeats elements.
  const interpolation =
    spatialRank === 2 ? option.choice(['nearest', 'bilinear'] as const, 'nearest') : option.custom((): 'nearest' => 'nearest');
  const options = { size: option.intTuple(spatialRank, 2), interpolation, dataFormat: option.dataFormat() };
  return defineLayer(options, (ctx, { size, interpolation, dataFormat }) => {
    const x = ctx.input();
    ctx.requireRank(x, spatialRank + 2);
    const g = ctx.graph;
    const modeAttributes: Record<string, AttributeValue> =
      interpolation === 'nearest' ? { mode: attr.string('nearest'), nearest_mode: attr.string('floor') } : { mode: attr.string('linear') };
    const y = g.node('Resize', [ctx.channelsFirst(x, dataFormat), '', g.floatConstant('scales', [spatialRank + 2], [1, 1, ...size])], {
      ...modeAttributes,
      coordinate_transformation_mode: attr.string('asymmetric'),
    });
    const axes = spatialAxes(spatialRank + 2, spatialRank, dataFormat === 'channelsLast');
    const shape = x.shape.map((dim, axis) => (axes.includes(axis) && dim !== null ? dim * size[axes.indexOf(axis)] : dim));
    return ctx.channelsFirstResult(y, shape, dataFormat);
  });
}

/** Keras's UpSampling1D repeats each step `size` times: [b, t, c] → [b, t·size, c]. */
const convertUpSampling1D = defineLayer({ size: option.int(2) }, (ctx, { size }) => {
  const x = ctx.input();
  ctx.requireRank(x, 3);
  const features = x.shape[2];
  if (features === null) throw new InvalidInputError(`${ctx.config.label} needs an input with a known number of features`);
  const g = ctx.graph;
  const expanded = g.node('Expand', [unsqueeze(ctx, ctx.logical(x), [2]), g.int64Constant('repeats', [1, 1, size, 1])]);
  const y = g.node('Reshape', [expanded, g.int64Constant('shape', [0, -1, features])]);
  return ctx.result(y, [x.shape[0], x.shape[1] === null ? null : x.shape[1] * size, features]);
});

export const reshapingLayers: LayerDefinitionTable = {
  Flatten: convertFlatten,
  Reshape: convertReshape,
  Permute: convertPermute,
  RepeatVector: convertRepeatVector,
  ZeroPadding1D: convertZeroPadding(1),
  ZeroPadding2D: convertZeroPadding(2),
  ZeroPadding3D: convertZeroPadding(3),
  Cropping1D: convertCropping(1),
  Cropping2D: convertCropping(2),
  Cropping3D: convertCropping(3),
  UpSampling1D: convertUpSampling1D,
  UpSampling2D: convertUpSampling(2),
  UpSampling3D: convertUpSampling(3),
};
