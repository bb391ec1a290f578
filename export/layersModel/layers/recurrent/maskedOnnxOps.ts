/**
 * A masked sequence through ONNX's own RNN/LSTM/GRU operator. Keras skips a masked step: the
 * state carries over and the step repeats the last output. So the final state is that of the
 * valid steps alone, in order, and the output at step t is the output after the valid steps up to
 * t. The valid steps of each sample are therefore moved to the front (a stable sort by
 * "masked, then time"), the operator runs on them with `sequence_lens` = their count, and each
 * original step reads back the output of its last valid step (or the initial state before any).
 * This is exact, and several times faster in onnxruntime than the same loop in a Scan.
 */
import { attr } from '../../../backend/graph/graphBuilder.ts';
import type { LayerContext } from '../../layerContext.ts';
import { cast, reduce, unsqueeze } from '../../../backend/graph/ops.ts';
import type { TensorValue } from '../../../backend/graph/tensorValue.ts';
import type { CellSpec } from './cells.ts';
import { runOnnxRecurrent } from './onnxOps.ts';

/**
 * Runs `cell` over `sequence` (a [batch, steps, features] value, in processing order) under
 * `mask` ([batch, steps], 1 valid); returns time-major outputs [steps, batch, units] and the final
 * states, as runOnnxRecurrent does.
 */
export function runMaskedOnnxRecurrent(
  ctx: LayerContext,
  cell: CellSpec,
  activations: string[],
  sequence: TensorValue,
  mask: TensorValue,
  initial: string[] | undefined,
  zeroOutputForMask: boolean,
): { outputs: string; states: string[] } {
  const g = ctx.graph;
  const valid = ctx.logical(mask);
  const steps = g.node('Slice', [g.node('Shape', [valid]), g.int64Constant('starts', [1]), g.int64Constant('ends', [2])]);

  // The order of each sample's steps: valid ones first, each group in time order.
  const time = cast(
    g,
    g.node('Range', [
      g.initializer('zero', [], 'int64', BigInt64Array.of(0n)),
      g.node('Squeeze', [steps]),
      g.initializer('one', [], 'int64', BigInt64Array.of(1n)),
    ]),
    'float32',
  );
  const masked = g.node('Sub', [g.scalar('one', 1), valid]);
  const key = g.node('Add', [g.node('Mul', [masked, cast(g, steps, 'float32')]), time]);
  const [, order] = g.nodeWithOutputs('TopK', [key, steps], 2, { axis: attr.int(1), largest: attr.int(0), sorted: attr.int(1) });

  const input = ctx.logical(sequence);
  const gatherOrder = g.node('Expand', [unsqueeze(ctx, order, [2]), g.node('Shape', [input])]);
  const compacted = g.node('Transpose', [g.node('GatherElements', [input, gatherOrder], { axis: attr.int(1) })], {
    perm: attr.ints([1, 0, 2]),
  });

  // ONNX runtimes want at least one step per sample; an all-masked sample is fixed up below.
  const count = reduce(ctx, 'ReduceSum', valid, [1], false);
  const lengths = cast(g, g.node('Max', [count, g.scalar('one', 1)]), 'int32');
  const run = runOnnxRecurrent(ctx, cell, activations, compacted, initial, lengths);

  const empty = unsqueeze(ctx, g.node('Equal', [count, g.scalar('zero', 0)]), [1]);
  const start = (i: number) => initial?.[i] ?? g.scalar('zero', 0);
  const states = run.states.map((state, i) => g.node('Where', [empty, start(i), state]));

  // Step t repeats the output of the last valid step up to t: compacted position (valid so far − 1).
  const validSoFar = g.node('CumSum', [valid, g.initializer('axis', [], 'int64', BigInt64Array.of(1n))]);
  const position = cast(g, g.node('Max', [g.node('Sub', [validSoFar, g.scalar('one', 1)]), g.scalar('zero', 0)]), 'int64');
  const timeMajor = (name: string) => unsqueeze(ctx, g.node('Transpose', [name], { perm: attr.ints([1, 0]) }), [2]);
  const gathered = g.node('GatherElements', [run.outputs, g.node('Expand', [timeMajor(position), g.node('Shape', [run.outputs])])], {
    axis: attr.int(0),
  });
  const outputs = zeroOutputForMask
    ? g.node('Mul', [gathered, timeMajor(valid)])
    : g.node('Where', [
        g.node('Greater', [timeMajor(validSoFar), g.scalar('zero', 0)]),
        gathered,
        initial ? unsqueeze(ctx, initial[0], [0]) : g.scalar('zero', 0),
      ]);
  return { outputs, states };
}
