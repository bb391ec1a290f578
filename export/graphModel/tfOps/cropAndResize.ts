/**
 * CropAndResize(image, boxes, box_ind, crop_size): per box, a crop_height × crop_width grid
 * sampled from its image between the box's normalized corners [y1, x1, y2, x2] (bilinear or
 * nearest), extrapolation_value where a sample falls outside the image. ONNX has no such op
 * (RoiAlign averages over bins; Resize's tf_crop_and_resize takes one region for the whole
 * tensor), so this is TensorFlow's kernel written out as tensor arithmetic: sample coordinates
 * for all boxes at once, the pixels around them fetched with GatherND, interpolated and masked.
 * It works for any number of boxes, including a count known only at run time (after NMS).
 */
import { attr } from '../../backend/graph/graphBuilder.ts';
import type { TfValue } from './constant.ts';
import type { TfOpContext } from './context.ts';

/** Sample positions along one image axis, [N, crop] (or [N, 1] for a crop of 1: the box's centre). */
function samplePositions(ctx: TfOpContext, start: string, end: string, imageSize: number, cropSize: number): string {
  const g = ctx.graph;
  const last = g.scalar('last_index', imageSize - 1);
  if (cropSize === 1) return g.node('Mul', [g.node('Mul', [g.scalar('half', 0.5), g.node('Add', [start, end])]), last]);
  // The kernel's own order of operations: start·(size − 1) + i · ((end − start)·(size − 1) / (crop − 1)).
  const scale = g.node('Div', [g.node('Mul', [g.node('Sub', [end, start]), last]), g.scalar('steps', cropSize - 1)]);
  const steps = g.floatConstant(
    'grid',
    [cropSize],
    Array.from({ length: cropSize }, (_, i) => i),
  );
  return g.node('Add', [g.node('Mul', [start, last]), g.node('Mul', [steps, scale])]);
}

function insideImage(ctx: TfOpContext, positions: string, imageSize: number): string {
  const g = ctx.graph;
  return g.node('And', [
    g.node('GreaterOrEqual', [positions, g.scalar('zero', 0)]),
    g.node('LessOrEqual', [positions, g.scalar('last_index', imageSize - 1)]),
  ]);
}

/** Gathers image[box_ind[n], rows[n, i], columns[n, j], :] into [N, crop_h, crop_w, C]. */
class PixelGatherer {
  private readonly batch: string;
  private readonly target: string;

  constructor(
    private readonly ctx: TfOpContext,
    private readonly image: string,
    boxIndex: string,
    private readonly size: { height: number; width: number; crop: [number, number] },
  ) {
    const g = ctx.graph;
    this.batch = g.node('Reshape', [ctx.cast(boxIndex, 'int64'), g.int64Constant('shape', [-1, 1, 1, 1])]);
    const count = g.node('Shape', [boxIndex]);
    this.target = g.node('Concat', [count, g.int64Constant('grid_shape', [...size.crop, 1])], { axis: attr.int(0) });
  }

  /** rows: [N, crop_h] and columns: [N, crop_w] float positions, clamped into the image (outside ones are masked later). */
  gather(rows: string, columns: string): string {
    const g = this.ctx.graph;
    const index = (positions: string, limit: number, shape: number[]) =>
      g.node('Reshape', [
        this.ctx.cast(g.node('Clip', [positions, g.scalar('zero', 0), g.scalar('last_index', limit - 1)]), 'int64'),
        g.int64Constant('shape', shape),
      ]);
    const expand = (value: string) => g.node('Expand', [value, this.target]);
    const [cropHeight, cropWidth] = this.size.crop;
    const indices = g.node(
      'Concat',
      [
        expand(this.batch),
        expand(index(rows, this.size.height, [-1, cropHeight, 1, 1])),
        expand(index(columns, this.size.width, [-1, 1, cropWidth, 1])),
      ],
      { axis: attr.int(3) },
    );
    return g.node('GatherND', [this.image, indices]);
  }
}

/** a + (b − a) · t */
function lerp(ctx: TfOpContext, a: string, b: string, t: string): string {
  const g = ctx.graph;
  return g.node('Add', [a, g.node('Mul', [g.node('Sub', [b, a]), t])]);
}

export function convertCropAndResize(ctx: TfOpContext): TfValue {
  ctx.requireInputs(4);
  const [image, boxes, boxIndex] = ctx.inputs;
  ctx.requireRank(image, 4, 'image');
  ctx.requireRank(boxes, 2, 'boxes tensor');
  ctx.requireRank(boxIndex, 1, 'box_ind tensor');
  const crop = ctx.ints(3, 'crop_size');
  if (crop.length !== 2 || crop.some((size) => size < 1))
    throw ctx.invalid(`its crop_size [${crop.join(', ')}] must be two positive sizes`);
  const [cropHeight, cropWidth] = crop;
  const method = ctx.attrs.choice('method', ['bilinear', 'nearest'], 'bilinear');
  const [, height, width, channels] = image.shape;
  if (height === null || width === null) throw ctx.unsupported(`needs the image's height and width, but it is [${image.shape.join(', ')}]`);
  const g = ctx.graph;
  const pixels = image.dtype === 'float32' ? ctx.logical(image) : ctx.cast(ctx.logical(image), 'float32');
  const [y1, x1, y2, x2] = g.nodeWithOutputs('Split', [ctx.logical(boxes), g.int64Constant('split', [1, 1, 1, 1])], 4, {
    axis: attr.int(1),
  });
  const rows = samplePositions(ctx, y1, y2, height, cropHeight);
  const columns = samplePositions(ctx, x1, x2, width, cropWidth);
  const gatherer = new PixelGatherer(ctx, pixels, ctx.logical(boxIndex), { height: height, width: width, crop: [cropHeight, cropWidth] });
  const rowsAxis = (value: string) => g.node('Reshape', [value, g.int64Constant('shape', [-1, cropHeight, 1, 1])]);
  const columnsAxis = (value: string) => g.node('Reshape', [value, g.int64Constant('shape', [-1, 1, cropWidth, 1])]);
  let sampled: string;
  if (method === 'bilinear') {
    const [top, bottom, left, right] = [
      g.node('Floor', [rows]),
      g.node('Ceil', [rows]),
      g.node('Floor', [columns]),
      g.node('Ceil', [columns]),
    ];
    const xLerp = columnsAxis(g.node('Sub', [columns, left]));
    const upper = lerp(ctx, gatherer.gather(top, left), gatherer.gather(top, right), xLerp);
    const lower = lerp(ctx, gatherer.gather(bottom, left), gatherer.gather(bottom, right), xLerp);
    sampled = lerp(ctx, upper, lower, rowsAxis(g.node('Sub', [rows, top])));
  } else {
    // Math.round (tfjs) and roundf (TensorFlow) agree on the non-negative positions that are sampled: floor(p + 0.5).
    const round = (positions: string) => g.node('Floor', [g.node('Add', [positions, g.scalar('half', 0.5)])]);
    sampled = gatherer.gather(round(rows), round(columns));
  }
  const inside = g.node('And', [rowsAxis(insideImage(ctx, rows, height)), columnsAxis(insideImage(ctx, columns, width))]);
  const y = g.node('Where', [inside, sampled, g.scalar('extrapolation_value', ctx.attrs.float('extrapolation_value', 0))]);
  return ctx.result(y, [boxes.shape[0], cropHeight, cropWidth, channels], 'float32');
}
