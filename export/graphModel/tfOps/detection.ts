/**
 * NonMaxSuppression V2–V5 as ONNX NonMaxSuppression over one batch and one class. Boxes are
 * [y1, x1, y2, x2] corners in both (center_point_box 0); ONNX returns [count, 3] int64 triples,
 * of which TF wants the box index as int32. V4 can pad to max_output_size and reports the valid
 * count; V5 adds the selected scores (hard NMS only: soft_nms_sigma must be 0).
 */
import { attr } from '../../backend/graph/graphBuilder.ts';
import { isConstant, numbers, type TfValue } from './constant.ts';
import type { TfOpContext } from './context.ts';
import type { TfOpHandler, TfOpTable } from './registry.ts';

function scalarInput(ctx: TfOpContext, index: number, type: 'int64' | 'float32'): string {
  const g = ctx.graph;
  const value = ctx.input(index);
  if (isConstant(value)) {
    const [number] = numbers(value);
    return type === 'int64' ? g.int64Constant('max_output_size', [number]) : g.floatConstant('threshold', [1], [number]);
  }
  return g.node('Reshape', [ctx.cast(ctx.logical(value), type), g.int64Constant('shape', [1])]);
}

function nmsHandler(version: 2 | 3 | 4 | 5): TfOpHandler {
  return (ctx) => {
    ctx.requireInputs(version === 2 ? 4 : version === 5 ? 6 : 5);
    const [boxes, scores] = ctx.inputs;
    ctx.requireRank(boxes, 2, 'boxes tensor');
    ctx.requireRank(scores, 1, 'scores tensor');
    if (version === 5) {
      const sigma = ctx.constant(5, 'soft_nms_sigma');
      if (numbers(sigma)[0] !== 0) throw ctx.unsupported('soft NMS (soft_nms_sigma ≠ 0) has no ONNX equivalent');
    }
    const g = ctx.graph;
    const inputs = [
      g.node('Unsqueeze', [ctx.logical(boxes), g.int64Constant('axes', [0])]),
      g.node('Unsqueeze', [ctx.logical(scores), g.int64Constant('axes', [0, 1])]),
      scalarInput(ctx, 2, 'int64'),
      scalarInput(ctx, 3, 'float32'),
    ];
    if (version !== 2) inputs.push(scalarInput(ctx, 4, 'float32'));
    const triples = g.node('NonMaxSuppression', inputs, { center_point_box: attr.int(0) });
    const indices64 = g.node('Gather', [triples, g.int64Constant('box_column', [2])], { axis: attr.int(1) });
    const flat64 = g.node('Reshape', [indices64, g.int64Constant('shape', [-1])]);
    const count = ctx.result(ctx.toInt32(g.node('Squeeze', [g.node('Shape', [flat64]), g.int64Constant('axes', [0])])), [], 'int32');
    const padded = version === 4 && ctx.attrs.bool('pad_to_max_output_size');
    let indices = ctx.toInt32(flat64);
    let length: number | null = null;
    if (padded) {
      const max = ctx.int(2, 'max_output_size');
      const missing = g.node('Sub', [g.int64Constant('max', [max]), g.node('Shape', [flat64])]);
      indices = g.node('Pad', [indices, g.node('Concat', [g.int64Constant('zero', [0]), missing], { axis: attr.int(0) })]);
      length = max;
    }
    const selected = ctx.result(indices, [length], 'int32');
    if (version === 4) return [selected, count];
    if (version === 5) {
      const selectedScores = ctx.result(g.node('Gather', [ctx.logical(scores), flat64], { axis: attr.int(0) }), [null], 'float32');
      return [selected, selectedScores, count];
    }
    return selected as TfValue;
  };
}

export const detectionOps: TfOpTable = {
  NonMaxSuppressionV2: nmsHandler(2),
  NonMaxSuppressionV3: nmsHandler(3),
  NonMaxSuppressionV4: nmsHandler(4),
  NonMaxSuppressionV5: nmsHandler(5),
};
