/**
 * Recurrent layers: SimpleRNN, LSTM, GRU, the generic RNN over one cell or a stack of cells, and
 * ConvLSTM2D (recurrent/convLstm.ts).
 * Each cell runs as ONNX's own RNN/LSTM/GRU operator where that is exactly Keras's computation
 * (activations ONNX names; masked sequences with their valid steps moved to the front), else as
 * explicit ops in a Scan (export/layersModel/layers/recurrent/).
 * go_backwards reverses the steps first, so every run goes forward and outputs come in Keras's
 * processing order; outputs are stored time-major, which the next recurrent layer reads as is.
 */
import { InvalidInputError } from '../../../common/errors.ts';
import type { LayerContext, Mask } from '../layerContext.ts';
import { tensorValue, type TensorValue } from '../../backend/graph/tensorValue.ts';
import {
  CELL_OPTIONS,
  RNN_CELLS,
  SEQUENCE_OPTIONS,
  STATE_COUNT,
  readCell,
  requireSequenceInput,
  type CellKind,
  type CellSpec,
  type SequenceOptions,
} from './recurrent/cells.ts';
import { defineLayer, type LayerDefinition, type LayerDefinitionTable } from './definition.ts';
import { convertConvLSTM2D } from './recurrent/convLstm.ts';
import { runMaskedOnnxRecurrent } from './recurrent/maskedOnnxOps.ts';
import { onnxActivations, runOnnxRecurrent } from './recurrent/onnxOps.ts';
import { runScanRecurrent } from './recurrent/scan.ts';
import { TIME_MAJOR, reverseSteps, timeMajorMask } from './recurrent/steps.ts';

/** SimpleRNN, LSTM, GRU: the layer's config is also its one cell's. */
function convertSingleCellLayer(kind: CellKind): LayerDefinition {
  return defineLayer({ ...CELL_OPTIONS, ...SEQUENCE_OPTIONS }, (ctx, args) => {
    const [x] = ctx.inputs;
    const inputSize = requireSequenceInput(ctx.config.label, x.shape);
    return runSequence(ctx, [readCell(ctx, kind, ctx.config.label, args, inputSize)], args);
  });
}

/** RNN(cell) and RNN([cells]) (StackedRNNCells): cells in order, each feeding the next. */
const convertGenericRNN = defineLayer({ cell: RNN_CELLS, ...SEQUENCE_OPTIONS }, (ctx, args) => {
  const [x] = ctx.inputs;
  let inputSize = requireSequenceInput(ctx.config.label, x.shape);
  const cells = args.cell.map((entry) => {
    const cell = readCell(ctx, entry.kind, entry.label, entry.args, inputSize);
    inputSize = cell.units;
    return cell;
  });
  return runSequence(ctx, cells, args);
});

/**
 * The Keras RNN loop over a stack of cells: [output, ...final states] (output: every step's, or
 * the last), with the output mask Keras gives: the input's when returning sequences.
 */
function runSequence(ctx: LayerContext, cells: CellSpec[], options: SequenceOptions): TensorValue[] {
  const [x, ...initialStates] = ctx.inputs;
  const totalStates = cells.reduce((sum, cell) => sum + STATE_COUNT[cell.kind], 0);
  if (initialStates.length !== 0 && initialStates.length !== totalStates) {
    throw new InvalidInputError(`${ctx.config.label} is given ${initialStates.length} initial states; its cells carry ${totalStates}`);
  }
  const inputMask: Mask = ctx.inputMasks[0];
  const input = options.goBackwards ? reverseSteps(ctx, x) : x;
  const stepMask = inputMask && (options.goBackwards ? reverseSteps(ctx, inputMask) : inputMask);
  const maskPerStep = stepMask ? timeMajorMask(ctx, stepMask) : undefined;

  // The flat state list: Keras lists each cell's states in stacking order, tfjs's StackedRNNCells
  // in reverse (each cell's own [h, c] order kept), for initial states and returned states alike.
  const stateOrder = cells.map((_, i) => i);
  if (ctx.producer.framework === 'tfjs') stateOrder.reverse();
  const initialOf = new Map<number, string[]>();
  let cursor = 0;
  for (const i of stateOrder) {
    const count = STATE_COUNT[cells[i].kind];
    if (initialStates.length)
      initialOf.set(
        i,
        initialStates.slice(cursor, cursor + count).map((state) => checkedState(ctx, state, cells[i])),
      );
    cursor += count;
  }

  let sequence = ctx.inLayout(input, TIME_MAJOR);
  const finalOf = new Map<number, TensorValue[]>();
  cells.forEach((cell, i) => {
    const activations = onnxActivations(cell, ctx.producer);
    const zeroOutput = options.zeroOutputForMask && i === cells.length - 1;
    const steps = i === 0 ? input : tensorValue(sequence, [x.shape[0], x.shape[1], cells[i - 1].units], TIME_MAJOR);
    const run = !activations
      ? runScanRecurrent(ctx, cell, sequence, maskPerStep, initialOf.get(i), zeroOutput)
      : stepMask
        ? runMaskedOnnxRecurrent(ctx, cell, activations, steps, stepMask, initialOf.get(i), zeroOutput)
        : runOnnxRecurrent(ctx, cell, activations, sequence, initialOf.get(i));
    sequence = run.outputs;
    finalOf.set(
      i,
      run.states.map((state) => ctx.result(state, [x.shape[0], cell.units])),
    );
  });
  const finalStates = stateOrder.flatMap((i) => finalOf.get(i) as TensorValue[]);
  const top = cells[cells.length - 1];
  const output = options.returnSequences
    ? tensorValue(sequence, [x.shape[0], x.shape[1], top.units], TIME_MAJOR)
    : (finalOf.get(cells.length - 1) as TensorValue[])[0];
  ctx.outputMasks = [options.returnSequences ? inputMask : undefined];
  return options.returnState ? [output, ...finalStates] : [output];
}

function checkedState(ctx: LayerContext, state: TensorValue, cell: CellSpec): string {
  if (state.shape.length !== 2 || (state.shape[1] !== null && state.shape[1] !== cell.units)) {
    throw new InvalidInputError(`${ctx.config.label}: an initial state must be [batch, ${cell.units}], got ${JSON.stringify(state.shape)}`);
  }
  return ctx.logical(state);
}

export const recurrentLayers: LayerDefinitionTable = {
  SimpleRNN: convertSingleCellLayer('SimpleRNN'),
  LSTM: convertSingleCellLayer('LSTM'),
  GRU: convertSingleCellLayer('GRU'),
  RNN: convertGenericRNN,
  ConvLSTM2D: convertConvLSTM2D,
};
