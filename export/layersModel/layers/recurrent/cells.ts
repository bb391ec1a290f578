/**
 * Recurrent cells as Keras defines them (tfjs-layers/src/layers/recurrent.ts, keras/layers/rnn):
 * the options and weights of SimpleRNN, LSTM and GRU cells, read once into one plain description
 * that both emitters (ONNX's own RNN ops, and explicit ops in a Scan) work from.
 *
 *   SimpleRNN  h = act(x·W + b + h₋·R)
 *   LSTM       [i f c o] = x·W + b + h₋·R;  c = σ(f)·c₋ + σ(i)·act(c);  h = σ(o)·act(c)
 *   GRU        [z r h] gates; reset_after=false: ĥ = act(x·W_h + b_h + (σ(r)·h₋)·R_h)
 *              reset_after=true:  ĥ = act(x·W_h + b_h + σ(r)·(h₋·R_h + b'_h));  h = z·h₋ + (1 − z)·ĥ
 *
 * (σ is the recurrent activation.)
 */
import { InvalidInputError } from '../../../../common/errors.ts';
import { readActivation } from '../../activations.ts';
import type { LayerContext } from '../../layerContext.ts';
import type { LayerConfig } from '../../reader/layerConfig.ts';

export type CellKind = 'SimpleRNN' | 'LSTM' | 'GRU';

export interface CellSpec {
  kind: CellKind;
  label: string;
  units: number;
  inputSize: number;
  activation: string;
  /** σ of LSTM and GRU gates (unused by SimpleRNN). */
  recurrentActivation: string;
  /** GRU only: the reset gate applies after the recurrent matrix product (Keras 2+'s default, CuDNN's form). */
  resetAfter: boolean;
  /** Keras layout [inputSize, gates·units], gates in Keras order. */
  kernel: Float32Array;
  /** [units, gates·units]. */
  recurrentKernel: Float32Array;
  /** [gates·units], or undefined without use_bias. */
  bias?: Float32Array;
  /** GRU reset_after's separate recurrent bias [3·units]. */
  recurrentBias?: Float32Array;
}

export const GATES: Record<CellKind, number> = { SimpleRNN: 1, LSTM: 4, GRU: 3 };

/** States a cell carries: LSTM [h, c], the others [h]. */
export const STATE_COUNT: Record<CellKind, number> = { SimpleRNN: 1, LSTM: 2, GRU: 1 };

const CELL_KINDS: Record<string, CellKind> = {
  SimpleRNN: 'SimpleRNN',
  SimpleRNNCell: 'SimpleRNN',
  LSTM: 'LSTM',
  LSTMCell: 'LSTM',
  GRU: 'GRU',
  GRUCell: 'GRU',
};

export function cellKind(className: string): CellKind | undefined {
  return CELL_KINDS[className];
}

interface CellEntry {
  className: string;
  config: Record<string, unknown>;
}

/**
 * The cells of a generic RNN layer (`cell`, possibly a StackedRNNCells holding `cells`, or the
 * `cells` list tfjs also writes), flattened in stacking order; [] for any other layer.
 */
export function recurrentCells(config: Record<string, unknown>): CellEntry[] {
  const asEntry = (value: unknown): CellEntry | undefined => {
    if (typeof value !== 'object' || value === null) return undefined;
    const { className, config: cellConfig } = value as { className?: unknown; config?: unknown };
    if (typeof className !== 'string' || typeof cellConfig !== 'object' || cellConfig === null) return undefined;
    return { className, config: cellConfig as Record<string, unknown> };
  };
  const cell = asEntry(config.cell);
  if (cell?.className === 'StackedRNNCells') {
    const cells = (cell.config.cells as unknown[] | undefined) ?? [];
    return cells.map(asEntry).filter((entry): entry is CellEntry => entry !== undefined);
  }
  if (cell) return [cell];
  if (Array.isArray(config.cells)) return config.cells.map(asEntry).filter((entry): entry is CellEntry => entry !== undefined);
  return [];
}

/**
 * Reads one cell. `config` holds the cell's options (the layer's own for SimpleRNN/LSTM/GRU, the
 * cell's inside an RNN layer); weights come from `ctx` in Keras's creation order.
 */
export function readCell(ctx: LayerContext, kind: CellKind, config: LayerConfig, inputSize: number): CellSpec {
  const units = config.int('units');
  if (units <= 0) throw config.invalid('units', 'a positive integer');
  const gates = GATES[kind];
  // tfjs defaults σ to hard_sigmoid (Keras 1's default), Keras 2 and 3 to sigmoid; saved configs normally say which.
  const defaultSigma = ctx.producer.framework === 'tfjs' ? 'hardSigmoid' : 'sigmoid';
  const activation = readActivation(config, 'activation', 'tanh');
  const recurrentActivation = kind === 'SimpleRNN' ? 'linear' : readActivation(config, 'recurrentActivation', defaultSigma);
  // tfjs cannot build reset_after=true (and writes false); Keras 2.3+ and 3 default to true.
  const resetAfter = kind === 'GRU' && config.bool('resetAfter', ctx.producer.framework === 'keras');
  const useBias = config.bool('useBias', true);
  const kernel = ctx.floatWeight('kernel', [inputSize, gates * units]).values;
  const recurrentKernel = ctx.floatWeight('recurrent_kernel', [units, gates * units]).values;
  let bias: Float32Array | undefined;
  let recurrentBias: Float32Array | undefined;
  if (useBias) {
    const stored = ctx.floatWeight('bias', resetAfter ? [2, gates * units] : [gates * units]).values;
    bias = stored.subarray(0, gates * units);
    if (resetAfter) recurrentBias = stored.subarray(gates * units);
  }
  return { kind, label: config.label, units, inputSize, activation, recurrentActivation, resetAfter, kernel, recurrentKernel, bias, recurrentBias };
}

/** Options of the recurrent layer around the cells. */
export interface SequenceOptions {
  returnSequences: boolean;
  returnState: boolean;
  goBackwards: boolean;
  /** Outputs at masked steps are zeros instead of the previous output (Keras's Bidirectional forces this). */
  zeroOutputForMask: boolean;
}

export function readSequenceOptions(config: LayerConfig): SequenceOptions {
  if (config.bool('stateful', false)) {
    config.unsupported('stateful', true, [false], 'a stateful layer carries its state from one call to the next, and an ONNX graph keeps no state between runs');
  }
  if (config.bool('timeMajor', false)) config.unsupported('timeMajor', true, [false]);
  // `unroll`, `implementation`, dropout and recurrent_dropout change how training runs, not what inference computes.
  return {
    returnSequences: config.bool('returnSequences', false),
    returnState: config.bool('returnState', false),
    goBackwards: config.bool('goBackwards', false),
    zeroOutputForMask: config.bool('zeroOutputForMask', false),
  };
}

export function requireSequenceInput(label: string, shape: readonly (number | null)[]): number {
  if (shape.length !== 3) throw new InvalidInputError(`${label} expects a [batch, steps, features] input, got rank ${shape.length}`);
  const features = shape[2];
  if (features === null) throw new InvalidInputError(`${label} needs an input whose feature axis has a known size`);
  return features;
}
