/**
 * Preprocessing layers: Rescaling, Resizing, CenterCrop, CategoryEncoding (tfjs ships these),
 * Keras's Normalization, and the augmentation layers, which are identities at inference.
 *
 * Resizing and CenterCrop compute different things in tfjs and Keras under the same config, and
 * each framework's users rely on their own: tfjs's Resizing samples with align_corners unless
 * crop_to_aspect_ratio is set (then without half-pixel centres, and without cropping), and its
 * CenterCrop samples a normalized crop box with crop_and_resize's nearest rule; Keras resizes with
 * half-pixel centres after cropping to the aspect ratio, and center-crops exactly. The converter
 * follows whichever framework wrote the model.json.
 */
import { InvalidInputError } from '../../../common/errors.ts';
import { attr, type AttributeValue } from '../../backend/graph/graphBuilder.ts';
import type { LayerContext } from '../layerContext.ts';
import { cast, reduce, unsqueeze } from '../../backend/graph/ops.ts';
import { tensorValue, type Dim, type TensorValue } from '../../backend/graph/tensorValue.ts';
import { convertInferenceIdentity } from './core.ts';
import type { LayerConfig } from '../reader/layerConfig.ts';
import { defineLayer, option, type LayerArgs, type LayerDefinitionTable } from './definition.ts';

/** Augmentation layers only act while training (tfjs's RandomWidth resizes in predict too, a tfjs bug). */
const convertAugmentation = convertInferenceIdentity;

/** The tensor as float32 (tfjs casts integer inputs of these layers), in the same storage layout. */
function asFloat(ctx: LayerContext, x: TensorValue): TensorValue {
  if (x.dtype === 'float32') return x;
  return tensorValue(cast(ctx.graph, x.onnxName, 'float32'), x.shape, x.perm, 'float32');
}

/** A scalar or per-channel option (Keras 3 accepts lists for Rescaling's scale and offset). */
function numberOrList(fallback: number) {
  return option.custom((config: LayerConfig, key: string): number[] => {
    const raw = config.raw(key) ?? fallback;
    if (typeof raw === 'number' && Number.isFinite(raw)) return [raw];
    if (Array.isArray(raw) && raw.length > 0 && raw.every((v) => typeof v === 'number' && Number.isFinite(v))) return raw as number[];
    throw config.invalid(key, 'a number or a list of numbers');
  });
}

/** x · scale + offset; integer inputs are cast to float32 first, as tfjs does. */
const convertRescaling = defineLayer({ scale: numberOrList(1), offset: numberOrList(0) }, (ctx, { scale, offset }) => {
  const x = ctx.input();
  const g = ctx.graph;
  const perChannel = scale.length > 1 || offset.length > 1;
  // Per-channel values broadcast against Keras's last axis, so they need the Keras layout.
  const float = asFloat(ctx, x);
  const input = perChannel ? ctx.logical(float) : float.onnxName;
  const constant = (name: string, values: number[]) =>
    values.length === 1 ? g.scalar(name, values[0]) : g.floatConstant(name, [values.length], values);
  const y = g.node('Add', [g.node('Mul', [input, constant('scale', scale)]), constant('offset', offset)]);
  return perChannel ? ctx.result(y, x.shape) : ctx.resultWithPerm(y, x.shape, x.perm);
});

/** The known height and width of an image batch [batch, height, width, channels]. */
function imageSize(ctx: LayerContext, x: TensorValue): { height: number; width: number } {
  ctx.requireRank(x, 4);
  const [, height, width] = x.shape;
  if (height === null || width === null)
    throw new InvalidInputError(`${ctx.config.label} needs an input of known height and width, got ${JSON.stringify(x.shape)}`);
  return { height, width };
}

type Sampling = { interpolation: 'bilinear' | 'nearest'; coordinates: 'align_corners' | 'asymmetric' | 'half_pixel' };

/** ONNX Resize of an NCHW tensor to [height, width], the batch and channel sizes taken at run time. */
function resize(ctx: LayerContext, nchw: string, height: number, width: number, sampling: Sampling): string {
  const g = ctx.graph;
  const leading = g.node('Slice', [g.node('Shape', [nchw]), g.int64Constant('starts', [0]), g.int64Constant('ends', [2])]);
  const sizes = g.node('Concat', [leading, g.int64Constant('size', [height, width])], { axis: attr.int(0) });
  const nearestMode = sampling.coordinates === 'asymmetric' ? 'floor' : 'round_prefer_ceil';
  const attributes: Record<string, AttributeValue> = {
    coordinate_transformation_mode: attr.string(sampling.coordinates),
    ...(sampling.interpolation === 'nearest'
      ? { mode: attr.string('nearest'), nearest_mode: attr.string(nearestMode) }
      : { mode: attr.string('linear') }),
  };
  return g.node('Resize', [nchw, '', '', sizes], attributes);
}

/** Slices rows [top, top+height) and columns [left, left+width) of an NCHW tensor. */
function crop(ctx: LayerContext, nchw: string, top: number, left: number, height: number, width: number): string {
  const g = ctx.graph;
  return g.node('Slice', [
    nchw,
    g.int64Constant('starts', [top, left]),
    g.int64Constant('ends', [top + height, left + width]),
    g.int64Constant('axes', [2, 3]),
  ]);
}

/** Keras's crop_to_aspect_ratio box (keras/utils/image_utils.py smart_resize): the largest centred crop of the target's aspect ratio. */
function aspectRatioBox(
  height: number,
  width: number,
  targetHeight: number,
  targetWidth: number,
): { top: number; left: number; height: number; width: number } {
  const cropHeight = Math.min(height, Math.trunc((width * targetHeight) / targetWidth));
  const cropWidth = Math.min(width, Math.trunc((height * targetWidth) / targetHeight));
  return { top: Math.trunc((height - cropHeight) / 2), left: Math.trunc((width - cropWidth) / 2), height: cropHeight, width: cropWidth };
}

const resizingOptions = {
  height: option.int(),
  width: option.int(),
  interpolation: option.choice(['bilinear', 'nearest'] as const, 'bilinear', {
    values: "other than 'bilinear' and 'nearest'",
    reason: "ONNX Resize has no lanczos, area or Gaussian filters matching TensorFlow's",
  }),
  cropToAspectRatio: option.bool(false),
};

function convertResizing(
  ctx: LayerContext,
  { height: targetHeight, width: targetWidth, interpolation, cropToAspectRatio }: LayerArgs<typeof resizingOptions>,
): TensorValue {
  const x = ctx.input();
  const size = imageSize(ctx, x);
  let image = ctx.channelsFirst(asFloat(ctx, x), 'channelsLast');
  let sampling: Sampling;
  if (ctx.producer.framework === 'tfjs') {
    // tfjs passes !cropToAspectRatio as align_corners and never crops.
    sampling = { interpolation, coordinates: cropToAspectRatio ? 'asymmetric' : 'align_corners' };
  } else {
    if (cropToAspectRatio) {
      const box = aspectRatioBox(size.height, size.width, targetHeight, targetWidth);
      image = crop(ctx, image, box.top, box.left, box.height, box.width);
    }
    sampling = { interpolation, coordinates: 'half_pixel' };
  }
  const y = resize(ctx, image, targetHeight, targetWidth, sampling);
  return ctx.channelsFirstResult(y, [x.shape[0], targetHeight, targetWidth, x.shape[3]], 'channelsLast');
}

/**
 * The source rows tfjs's crop_and_resize (nearest) reads for one axis of CenterCrop's box, or -1
 * outside the image (filled with 0). Computed as tfjs computes it: the box corners are float32,
 * the sampling positions doubles, rounded half up.
 */
function tfjsCropIndices(size: number, target: number, buffer: number): number[] {
  const start = Math.fround(buffer / size);
  const end = Math.fround((target + buffer) / size);
  const scale = target > 1 ? ((end - start) * (size - 1)) / (target - 1) : 0;
  return Array.from({ length: target }, (_, i) => {
    const position = target > 1 ? start * (size - 1) + i * scale : 0.5 * (start + end) * (size - 1);
    return position < 0 || position > size - 1 ? -1 : Math.round(position);
  });
}

/** Gathers `indices` along `axis` of an NCHW tensor; -1 reads a zero row appended for the purpose. */
function gatherWithZeros(ctx: LayerContext, nchw: string, axis: number, indices: number[], size: number): string {
  const g = ctx.graph;
  let source = nchw;
  if (indices.includes(-1)) {
    const pads = [0, 0, 0, 0, 0, 0, 0, 0];
    pads[4 + axis] = 1;
    source = g.node('Pad', [nchw, g.int64Constant('pads', pads)], { mode: attr.string('constant') });
  }
  const rows = indices.map((index) => (index < 0 ? size : index));
  return g.node('Gather', [source, g.int64Constant('indices', rows)], { axis: attr.int(axis) });
}

const centerCropOptions = { height: option.int(), width: option.int() };

function convertCenterCrop(
  ctx: LayerContext,
  { height: targetHeight, width: targetWidth }: LayerArgs<typeof centerCropOptions>,
): TensorValue {
  const x = ctx.input();
  const { height, width } = imageSize(ctx, x);
  const image = ctx.channelsFirst(asFloat(ctx, x), 'channelsLast');
  let y: string;
  if (ctx.producer.framework === 'tfjs') {
    const hBuffer = height !== targetHeight ? Math.floor((height - targetHeight) / 2) : 0;
    let wBuffer = width !== targetWidth ? Math.floor((width - targetWidth) / 2) : 0;
    // tfjs moves a zero width offset to 1 whenever the widths differ.
    if (width !== targetWidth && wBuffer === 0) wBuffer = 1;
    if (hBuffer >= 0 && wBuffer >= 0) {
      const rows = gatherWithZeros(ctx, image, 2, tfjsCropIndices(height, targetHeight, hBuffer), height);
      y = gatherWithZeros(ctx, rows, 3, tfjsCropIndices(width, targetWidth, wBuffer), width);
    } else {
      y = resize(ctx, image, targetHeight, targetWidth, { interpolation: 'bilinear', coordinates: 'asymmetric' });
    }
  } else if (height >= targetHeight && width >= targetWidth) {
    y = crop(ctx, image, Math.floor((height - targetHeight) / 2), Math.floor((width - targetWidth) / 2), targetHeight, targetWidth);
  } else {
    // Keras upsizes a too-small image with smart_resize: aspect-ratio crop, then bilinear.
    const box = aspectRatioBox(height, width, targetHeight, targetWidth);
    y = resize(ctx, crop(ctx, image, box.top, box.left, box.height, box.width), targetHeight, targetWidth, {
      interpolation: 'bilinear',
      coordinates: 'half_pixel',
    });
  }
  return ctx.channelsFirstResult(y, [x.shape[0], targetHeight, targetWidth, x.shape[3]], 'channelsLast');
}

/**
 * CategoryEncoding: integer tokens → [batch, num_tokens] vectors. one_hot encodes a single token
 * per sample ([batch] or [batch, 1]), multi_hot marks every token present, count counts them.
 * Tokens outside [0, num_tokens) encode to nothing (tfjs refuses them at run time).
 */
const categoryEncodingOptions = {
  numTokens: option.int(),
  outputMode: option.choice(['multiHot', 'oneHot', 'count', 'int'] as const, 'multiHot', {
    values: "'tf_idf' (and count_weights)",
    reason: 'need weights passed at call time, which model.json does not record',
  }),
};

function convertCategoryEncoding(
  ctx: LayerContext,
  { numTokens, outputMode: mode }: LayerArgs<typeof categoryEncodingOptions>,
): TensorValue {
  const x = ctx.input();
  if (mode === 'int') return x;
  const g = ctx.graph;
  let tokens = x.dtype === 'int32' ? ctx.logical(x) : cast(g, ctx.logical(x), 'int32');
  let shape: Dim[] = [...x.shape];
  if (shape.length === 1) {
    tokens = unsqueeze(ctx, tokens, [1]);
    shape = [shape[0], 1];
  }
  if (shape.length !== 2)
    throw new InvalidInputError(`${ctx.config.label} encodes [batch] or [batch, tokens] inputs, got ${JSON.stringify(x.shape)}`);
  if (mode === 'oneHot' && shape[1] !== 1)
    throw new InvalidInputError(`${ctx.config.label} in one_hot mode encodes one token per sample, got ${JSON.stringify(x.shape)}`);
  const vocabulary = g.initializer(
    'token_ids',
    [numTokens],
    'int32',
    Int32Array.from({ length: numTokens }, (_, i) => i),
  );
  const hits = cast(g, g.node('Equal', [unsqueeze(ctx, tokens, [2]), vocabulary]), 'float32');
  const y = reduce(ctx, mode === 'count' ? 'ReduceSum' : 'ReduceMax', hits, [1], false);
  return ctx.result(y, [shape[0], numTokens]);
}

/**
 * Keras's Normalization: (x − mean) / max(√variance, ε) along `axis` (ε = 1e-7), or its inverse
 * with invert. mean and variance are weights once adapted, or given in the config.
 */
/** Normalization's mean or variance given in the config: a number or nested lists of numbers, flattened. */
const configStatistic = option.custom((config, key): number[] | undefined => {
  const raw = config.raw(key);
  if (raw === undefined || raw === null) return undefined;
  const flat = [raw].flat(8) as unknown[];
  if (!flat.every((v) => typeof v === 'number')) throw config.invalid(key, 'numbers');
  return flat as number[];
});

const normalizationOptions = { axis: option.optionalAxes(), mean: configStatistic, variance: configStatistic, invert: option.bool(false) };

function convertNormalization(ctx: LayerContext, args: LayerArgs<typeof normalizationOptions>): TensorValue {
  const x = ctx.input();
  const rank = x.shape.length;
  const axes = args.axis ? args.axis.map((a) => (a < 0 ? a + rank : a)) : [rank - 1];
  const paramShape = x.shape.map((size, axis) => (axes.includes(axis) ? size : 1));
  if (paramShape.some((size) => size === null)) throw new InvalidInputError(`${ctx.config.label} needs known sizes on the normalized axes`);
  const sizes = axes.map((axis) => x.shape[axis] as number);
  const count = sizes.reduce((p, s) => p * s, 1);
  // One number stands for every position.
  const fromConfig = (flat: number[] | undefined) =>
    flat && Float32Array.from(flat.length === 1 ? new Array<number>(count).fill(flat[0]) : flat);
  const mean = fromConfig(args.mean) ?? ctx.floatWeight('mean', sizes).values;
  const variance = fromConfig(args.variance) ?? ctx.floatWeight('variance', sizes).values;
  // The sample count adapt() kept is not part of the computation.
  if (args.mean === undefined) ctx.weights.take('count');
  const scale = variance.map((v) => Math.max(Math.sqrt(v), 1e-7));
  const g = ctx.graph;
  const input = ctx.logical(asFloat(ctx, x));
  const meanName = g.floatConstant('mean', paramShape as number[], mean);
  const scaleName = g.floatConstant('scale', paramShape as number[], scale);
  const y = args.invert
    ? g.node('Add', [g.node('Mul', [input, scaleName]), meanName])
    : g.node('Div', [g.node('Sub', [input, meanName]), scaleName]);
  return ctx.result(y, x.shape);
}

export const preprocessingLayers: LayerDefinitionTable = {
  Rescaling: convertRescaling,
  Resizing: defineLayer(resizingOptions, convertResizing),
  CenterCrop: defineLayer(centerCropOptions, convertCenterCrop),
  CategoryEncoding: defineLayer(categoryEncodingOptions, convertCategoryEncoding),
  Normalization: defineLayer(normalizationOptions, convertNormalization),
  RandomWidth: convertAugmentation,
  RandomHeight: convertAugmentation,
  RandomFlip: convertAugmentation,
  RandomRotation: convertAugmentation,
  RandomZoom: convertAugmentation,
  RandomTranslation: convertAugmentation,
  RandomContrast: convertAugmentation,
  RandomBrightness: convertAugmentation,
};
