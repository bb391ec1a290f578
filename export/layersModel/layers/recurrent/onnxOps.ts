/**
 * A recurrent cell as ONNX's own RNN / LSTM / GRU operator, used where its semantics are exactly
 * Keras's: activations ONNX names with the same default parameters (masks: maskedOnnxOps.ts). Gate order
 * differs for LSTM (Keras i f c o, ONNX i o f c); GRU's gates agree (z r h), and reset_after is
 * ONNX's linear_before_reset.
 */
import { hardSigmoidSlope } from '../../activations.ts';
import { attr } from '../../../backend/graph/graphBuilder.ts';
import type { Producer } from '../../reader/modelTopology.ts';
import type { LayerContext } from '../../layerContext.ts';
import { unsqueeze } from '../../../backend/graph/ops.ts';
import { GATES, type CellSpec } from './cells.ts';

/**
 * Keras activation → ONNX recurrent activation name. Only functions whose ONNX default
 * parameters are Keras's formula: HardSigmoid's defaults are α 0.2, β 0.5 (tfjs's hard_sigmoid),
 * Elu's α is 1. Anything else (linear, selu, swish, ...) runs as explicit ops.
 */
const ONNX_ACTIVATIONS: Record<string, string> = {
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  relu: 'Relu',
  hardSigmoid: 'HardSigmoid',
  elu: 'Elu',
  softsign: 'Softsign',
  softplus: 'Softplus',
};

/** ONNX's order of each ONNX gate in Keras's order. */
const GATE_ORDER: Record<CellSpec['kind'], number[]> = { SimpleRNN: [0], LSTM: [0, 3, 1, 2], GRU: [0, 1, 2] };

/** The `activations` attribute if every function the cell uses has an ONNX equivalent. */
export function onnxActivations(cell: CellSpec, producer: Producer): string[] | undefined {
  // Keras 3's hard_sigmoid has slope 1/6, not ONNX's default 0.2.
  const onnxName = (activation: string) =>
    activation === 'hardSigmoid' && hardSigmoidSlope(producer) !== 0.2 ? undefined : ONNX_ACTIVATIONS[activation];
  const g = onnxName(cell.activation);
  if (!g) return undefined;
  if (cell.kind === 'SimpleRNN') return [g];
  const f = onnxName(cell.recurrentActivation);
  if (!f) return undefined;
  return cell.kind === 'GRU' ? [f, g] : [f, g, g];
}

/** Keras [rows, gates·units] → ONNX [gates·units, rows] with the gates in ONNX's order. */
function toOnnxGates(values: Float32Array, rows: number, cell: CellSpec): Float32Array {
  const { units } = cell;
  const columns = GATES[cell.kind] * units;
  const out = new Float32Array(values.length);
  GATE_ORDER[cell.kind].forEach((kerasGate, onnxGate) => {
    for (let j = 0; j < units; j++) {
      const source = kerasGate * units + j;
      const target = (onnxGate * units + j) * rows;
      for (let r = 0; r < rows; r++) out[target + r] = values[r * columns + source];
    }
  });
  return out;
}

function reorderBias(values: Float32Array | undefined, cell: CellSpec): Float32Array {
  const size = GATES[cell.kind] * cell.units;
  const out = new Float32Array(size);
  if (!values) return out;
  GATE_ORDER[cell.kind].forEach((kerasGate, onnxGate) => {
    out.set(values.subarray(kerasGate * cell.units, (kerasGate + 1) * cell.units), onnxGate * cell.units);
  });
  return out;
}

/**
 * Runs `cell` over `sequence` ([steps, batch, features]) from `initial` states ([batch, units]
 * each, zeros when absent). Returns the outputs at every step ([steps, batch, units]) and the
 * final states.
 */
export function runOnnxRecurrent(
  ctx: LayerContext,
  cell: CellSpec,
  activations: string[],
  sequence: string,
  initial: string[] | undefined,
  /** int32 [batch]: how many leading steps of each sample to run (the rest output zeros). */
  sequenceLengths = '',
): { outputs: string; states: string[] } {
  const g = ctx.graph;
  const size = GATES[cell.kind] * cell.units;
  const w = g.floatConstant('W', [1, size, cell.inputSize], toOnnxGates(cell.kernel, cell.inputSize, cell));
  const r = g.floatConstant('R', [1, size, cell.units], toOnnxGates(cell.recurrentKernel, cell.units, cell));
  const bias = new Float32Array(2 * size);
  bias.set(reorderBias(cell.bias, cell));
  bias.set(reorderBias(cell.recurrentBias, cell), size);
  const inputs = [sequence, w, r, cell.bias || cell.recurrentBias ? g.floatConstant('B', [1, 2 * size], bias) : '', sequenceLengths];
  if (initial) inputs.push(...initial.map((state) => unsqueeze(ctx, state, [0])));
  while (inputs[inputs.length - 1] === '') inputs.pop();
  const opType = cell.kind === 'SimpleRNN' ? 'RNN' : cell.kind;
  const attributes = {
    hidden_size: attr.int(cell.units),
    activations: attr.strings(activations),
    ...(cell.kind === 'GRU' ? { linear_before_reset: attr.int(cell.resetAfter ? 1 : 0) } : {}),
  };
  const stateCount = cell.kind === 'LSTM' ? 2 : 1;
  const [y, ...finals] = g.nodeWithOutputs(opType, inputs, 1 + stateCount, attributes);
  const squeeze = (name: string, axis: number) => g.node('Squeeze', [name, g.int64Constant('axes', [axis])]);
  return { outputs: squeeze(y, 1), states: finals.map((state) => squeeze(state, 0)) };
}
