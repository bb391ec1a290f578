/**
 * A recurrent cell as explicit ops in an ONNX Scan, for what ONNX's recurrent operators cannot
 * express: activations without an ONNX recurrent equivalent, and ConvLSTM2D's convolutions. Masks
 * are blended in per step as tfjs's rnn() does (a masked step keeps the previous states and
 * repeats the previous output, or outputs zeros with zero_output_for_mask). The input projection
 * runs once for all steps before the Scan; the body does the recurrent part of one step.
 */
import { applyActivation } from '../../activations.ts';
import { GraphBuilder, attr } from '../../../backend/graph/graphBuilder.ts';
import { LayerContext } from '../../layerContext.ts';
import { tensorValue } from '../../../backend/graph/tensorValue.ts';
import { GATES, STATE_COUNT, type CellSpec } from './cells.ts';

interface StepInputs {
  /** x·W + b for this step, [batch, gates·units]. */
  projected: string;
  /** Previous states, [batch, units] each (LSTM: h, c). */
  states: string[];
}

/** One recurrent loop as a Scan: what varies between cells is the step and the shapes. */
export interface RecurrentLoop {
  /** The per-step inputs, time-major (Scan iterates axis 0), e.g. the projection x·W + b. */
  projected: string;
  /** Shape of one step's slice of `projected` (null: known only at run time). */
  projectedShape: readonly (number | null)[];
  /** Shape of each state (all states of a cell have one shape). */
  stateShape: readonly (number | null)[];
  initial: string[];
  /** Time-major 1/0 mask, one step's slice broadcastable against a state; undefined when unmasked. */
  mask?: string;
  maskShape?: readonly (number | null)[];
  zeroOutputForMask: boolean;
  /** Adds one step's nodes to the body graph; returns the new states, the output first. */
  step(body: LayerContext, projected: string, states: string[]): string[];
}

/**
 * Emits the Scan. A masked step keeps the previous states and repeats the previous output (or
 * outputs zeros with zero_output_for_mask), blended as tfjs's rnn() does: new·m + old·(1 − m).
 */
export function emitRecurrentScan(ctx: LayerContext, loop: RecurrentLoop): { outputs: string; states: string[] } {
  const g = ctx.graph;
  const scope = g.uniqueName(`${g.currentLayer}/scan`);
  const body = new GraphBuilder();
  body.currentLayer = scope;
  const bodyCtx = new LayerContext(ctx.config, [], body, ctx.opset, ctx.weights);
  const bodyInput = (base: string, shape: readonly (number | null)[]) => {
    const name = body.uniqueName(`${scope}/${base}`);
    body.inputs.push({ name, elementType: 'float32', shape: [...shape] });
    return name;
  };
  const previous = loop.initial.map((_, i) => bodyInput(i === 0 ? 'h_prev' : `state${i}_prev`, loop.stateShape));
  const stepProjected = bodyInput('projected', loop.projectedShape);
  const stepMask = loop.mask ? bodyInput('mask', loop.maskShape ?? []) : undefined;

  const fresh = loop.step(bodyCtx, stepProjected, previous);
  let next = fresh;
  let output = fresh[0];
  if (stepMask) {
    const keep = body.node('Sub', [body.scalar('one', 1), stepMask]);
    const blend = (now: string, before: string) => body.node('Add', [body.node('Mul', [now, stepMask]), body.node('Mul', [before, keep])]);
    next = fresh.map((state, i) => blend(state, previous[i]));
    output = loop.zeroOutputForMask ? body.node('Mul', [fresh[0], stepMask]) : next[0];
  }
  // Every body output needs a node of its own name: a state may be an input passed through.
  [...next, output].forEach((name, i) => {
    const out = body.uniqueName(`${scope}/${i < next.length ? `state${i}` : 'output'}`);
    body.nodes.push({ name: out, opType: 'Identity', inputs: [name], outputs: [out], attributes: {}, layerName: scope });
    body.outputs.push({ name: out, elementType: 'float32', shape: [...loop.stateShape] });
  });

  const stateCount = loop.initial.length;
  const scanInputs = [...loop.initial, loop.projected, ...(loop.mask ? [loop.mask] : [])];
  const results = g.nodeWithOutputs('Scan', scanInputs, stateCount + 1, {
    body: attr.graph(body),
    num_scan_inputs: attr.int(loop.mask ? 2 : 1),
  });
  return { outputs: results[stateCount], states: results.slice(0, stateCount) };
}

/**
 * Runs a dense `cell` over `sequence` ([steps, batch, features]). `mask` is [steps, batch, 1]
 * float (1 valid, 0 masked); `initial` states are [batch, units] (zeros when absent).
 */
export function runScanRecurrent(
  ctx: LayerContext,
  cell: CellSpec,
  sequence: string,
  mask: string | undefined,
  initial: string[] | undefined,
  zeroOutputForMask: boolean,
): { outputs: string; states: string[] } {
  const g = ctx.graph;
  const size = GATES[cell.kind] * cell.units;
  let projected = g.node('MatMul', [sequence, g.floatConstant('kernel', [cell.inputSize, size], cell.kernel)]);
  if (cell.bias) projected = g.node('Add', [projected, g.floatConstant('bias', [size], cell.bias)]);
  const zeros = initial ? undefined : zeroState(ctx, sequence, cell.units);
  return emitRecurrentScan(ctx, {
    projected,
    projectedShape: [null, size],
    stateShape: [null, cell.units],
    initial: initial ?? new Array<string>(STATE_COUNT[cell.kind]).fill(zeros as string),
    mask,
    maskShape: [null, 1],
    zeroOutputForMask,
    step: (body, stepProjected, states) => STEPS[cell.kind](body, cell, { projected: stepProjected, states }),
  });
}

/** Zeros of [batch, units], the batch size read from the sequence at run time. */
function zeroState(ctx: LayerContext, sequence: string, units: number): string {
  const g = ctx.graph;
  const batch = g.node('Slice', [g.node('Shape', [sequence]), g.int64Constant('starts', [1]), g.int64Constant('ends', [2])]);
  const shape = g.node('Concat', [batch, g.int64Constant('units', [units])], { axis: attr.int(0) });
  return g.node('Expand', [g.floatConstant('zeros', [1, units], new Float32Array(units)), shape]);
}

function split(ctx: LayerContext, x: string, units: number, parts: number): string[] {
  const g = ctx.graph;
  return g.nodeWithOutputs('Split', [x, g.int64Constant('split', new Array<number>(parts).fill(units))], parts, { axis: attr.int(1) });
}

function activate(ctx: LayerContext, x: string, activation: string, units: number): string {
  return applyActivation(ctx, tensorValue(x, [null, units]), activation).onnxName;
}

type Step = (ctx: LayerContext, cell: CellSpec, step: StepInputs) => string[];

const STEPS: Record<CellSpec['kind'], Step> = {
  SimpleRNN: (ctx, cell, { projected, states: [h] }) => {
    const g = ctx.graph;
    const recurrent = g.node('MatMul', [h, g.floatConstant('recurrent_kernel', [cell.units, cell.units], cell.recurrentKernel)]);
    return [activate(ctx, g.node('Add', [projected, recurrent]), cell.activation, cell.units)];
  },

  LSTM: (ctx, cell, { projected, states: [h, c] }) => {
    const g = ctx.graph;
    const { units } = cell;
    const z = g.node('Add', [
      projected,
      g.node('MatMul', [h, g.floatConstant('recurrent_kernel', [units, 4 * units], cell.recurrentKernel)]),
    ]);
    const [zi, zf, zc, zo] = split(ctx, z, units, 4);
    const sigma = (x: string) => activate(ctx, x, cell.recurrentActivation, units);
    const cNext = g.node('Add', [g.node('Mul', [sigma(zf), c]), g.node('Mul', [sigma(zi), activate(ctx, zc, cell.activation, units)])]);
    const hNext = g.node('Mul', [sigma(zo), activate(ctx, cNext, cell.activation, units)]);
    return [hNext, cNext];
  },

  GRU: (ctx, cell, { projected, states: [h] }) => {
    const g = ctx.graph;
    const { units } = cell;
    const [xz, xr, xh] = split(ctx, projected, units, 3);
    const sigma = (x: string) => activate(ctx, x, cell.recurrentActivation, units);
    let z: string;
    let candidate: string;
    if (cell.resetAfter) {
      let inner = g.node('MatMul', [h, g.floatConstant('recurrent_kernel', [units, 3 * units], cell.recurrentKernel)]);
      if (cell.recurrentBias) inner = g.node('Add', [inner, g.floatConstant('recurrent_bias', [3 * units], cell.recurrentBias)]);
      const [hz, hr, hh] = split(ctx, inner, units, 3);
      z = sigma(g.node('Add', [xz, hz]));
      const r = sigma(g.node('Add', [xr, hr]));
      candidate = activate(ctx, g.node('Add', [xh, g.node('Mul', [r, hh])]), cell.activation, units);
    } else {
      // R's first two thirds act on h, the last third on r·h.
      const gatesKernel = new Float32Array(units * 2 * units);
      const candidateKernel = new Float32Array(units * units);
      for (let row = 0; row < units; row++) {
        gatesKernel.set(cell.recurrentKernel.subarray(row * 3 * units, row * 3 * units + 2 * units), row * 2 * units);
        candidateKernel.set(cell.recurrentKernel.subarray(row * 3 * units + 2 * units, (row + 1) * 3 * units), row * units);
      }
      const [hz, hr] = split(ctx, g.node('MatMul', [h, g.floatConstant('recurrent_kernel_zr', [units, 2 * units], gatesKernel)]), units, 2);
      z = sigma(g.node('Add', [xz, hz]));
      const r = sigma(g.node('Add', [xr, hr]));
      const resetState = g.node('MatMul', [g.node('Mul', [r, h]), g.floatConstant('recurrent_kernel_h', [units, units], candidateKernel)]);
      candidate = activate(ctx, g.node('Add', [xh, resetState]), cell.activation, units);
    }
    const keep = g.node('Mul', [z, h]);
    const update = g.node('Mul', [g.node('Sub', [g.scalar('one', 1), z]), candidate]);
    return [g.node('Add', [keep, update])];
  },
};
