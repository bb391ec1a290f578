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
import type { LayerContext } from '../../layerContext.ts';
import { LayerConfig } from '../../reader/layerConfig.ts';
import { option, readLayerArgs, type LayerArgs } from '../definition.ts';

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

/** A cell's options: the layer's own for SimpleRNN/LSTM/GRU, the cell's inside an RNN layer. */
export const CELL_OPTIONS = {
  units: option.custom((config, key) => {
    const units = config.int(key);
    if (units <= 0) throw config.invalid(key, 'a positive integer');
    return units;
  }),
  activation: option.activation('tanh'),
  // σ of LSTM and GRU gates. tfjs defaults it to hard_sigmoid (Keras 1's default), Keras 2 and 3 to sigmoid; saved configs normally say which.
  recurrentActivation: option.optionalActivation(),
  // GRU: tfjs cannot build reset_after=true (and writes false); Keras 2.3+ and 3 default to true.
  resetAfter: option.optionalBool(),
  useBias: option.bool(true),
};

export type CellArgs = LayerArgs<typeof CELL_OPTIONS>;

/** One cell of an RNN layer's `cell` (or `cells`), its options read. */
export interface CellEntryArgs {
  kind: CellKind;
  /** `layer "lstm_cell" (LSTMCell)`: how errors name the cell. */
  label: string;
  args: CellArgs;
}

/**
 * RNN's cells, each with its options read (an RNN layer's `cell` option; `cells`, which tfjs
 * also writes, is read with it).
 */
export const RNN_CELLS = option.custom((config, key): CellEntryArgs[] => {
  const entries = recurrentCells({ cell: config.raw(key), cells: config.raw('cells') });
  if (entries.length === 0) throw config.invalid(key, 'a recurrent cell (SimpleRNNCell, LSTMCell, GRUCell) or StackedRNNCells');
  return entries.map((entry, i) => {
    const kind = cellKind(entry.className);
    const name = typeof entry.config.name === 'string' ? entry.config.name : `${config.layerName}_cell${i}`;
    if (!kind) throw new InvalidInputError(`${config.label}: cell "${name}" has class ${entry.className}, not a recurrent cell`);
    const cellConfig = new LayerConfig(name, entry.className, entry.config);
    return { kind, label: cellConfig.label, args: readLayerArgs(CELL_OPTIONS, cellConfig) };
  });
});

/** One cell's description: its options (`label` names it in errors) and its weights from `ctx`, in Keras's creation order. */
export function readCell(ctx: LayerContext, kind: CellKind, label: string, args: CellArgs, inputSize: number): CellSpec {
  const { units, activation, useBias } = args;
  const gates = GATES[kind];
  const recurrentActivation =
    kind === 'SimpleRNN' ? 'linear' : (args.recurrentActivation ?? (ctx.producer.framework === 'tfjs' ? 'hardSigmoid' : 'sigmoid'));
  const resetAfter = kind === 'GRU' && (args.resetAfter ?? ctx.producer.framework === 'keras');
  const kernel = ctx.floatWeight('kernel', [inputSize, gates * units]).values;
  const recurrentKernel = ctx.floatWeight('recurrent_kernel', [units, gates * units]).values;
  let bias: Float32Array | undefined;
  let recurrentBias: Float32Array | undefined;
  if (useBias) {
    const stored = ctx.floatWeight('bias', resetAfter ? [2, gates * units] : [gates * units]).values;
    bias = stored.subarray(0, gates * units);
    if (resetAfter) recurrentBias = stored.subarray(gates * units);
  }
  return { kind, label, units, inputSize, activation, recurrentActivation, resetAfter, kernel, recurrentKernel, bias, recurrentBias };
}

/** Options of the recurrent layer around the cells. */
export const SEQUENCE_OPTIONS = {
  stateful: option.refusing(option.bool(false), (stateful) => !stateful, {
    values: 'set to true',
    reason: 'the state would have to survive from one run to the next, and an ONNX graph keeps none',
    why: 'a stateful layer carries its state from one call to the next, and an ONNX graph keeps no state between runs',
    supported: [false],
  }),
  timeMajor: option.refusing(option.bool(false), (timeMajor) => !timeMajor, {
    values: 'set to true',
    reason: 'not converted yet',
    supported: [false],
  }),
  // `unroll`, `implementation`, dropout and recurrent_dropout change how training runs, not what inference computes.
  returnSequences: option.bool(false),
  returnState: option.bool(false),
  goBackwards: option.bool(false),
  /** Outputs at masked steps are zeros instead of the previous output (Keras's Bidirectional forces this). */
  zeroOutputForMask: option.bool(false),
};

export type SequenceOptions = LayerArgs<typeof SEQUENCE_OPTIONS>;

export function requireSequenceInput(label: string, shape: readonly (number | null)[]): number {
  if (shape.length !== 3) throw new InvalidInputError(`${label} expects a [batch, steps, features] input, got rank ${shape.length}`);
  const features = shape[2];
  if (features === null) throw new InvalidInputError(`${label} needs an input whose feature axis has a known size`);
  return features;
}
