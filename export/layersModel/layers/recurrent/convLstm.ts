/**
 * ConvLSTM2D: an LSTM whose products are convolutions, on sequences of images
 * [batch, steps, rows, cols, channels] (or channels first). The input convolution runs once over
 * all steps, folded into the batch; the Scan body adds the recurrent one (stride 1, 'same') and
 * the gates, in NCHW:
 *
 *   [i f c o] = conv(x, W) + b + conv(h₋, U);  c = σ(f)·c₋ + σ(i)·act(c);  h = σ(o)·act(c)
 */
import { InvalidInputError } from '../../../../common/errors.ts';
import { applyActivation } from '../../activations.ts';
import { emitConv, kernelToOnnx } from '../../../backend/emitters/convolution.ts';
import type { Window } from '../../../backend/emitters/window.ts';
import { attr } from '../../../backend/graph/graphBuilder.ts';
import type { LayerContext, Mask } from '../../layerContext.ts';
import { identityPermutation, type Permutation } from '../../../backend/graph/layout.ts';
import { tensorValue, type Dim, type TensorValue } from '../../../backend/graph/tensorValue.ts';
import { SEQUENCE_OPTIONS } from './cells.ts';
import { defineLayer, option, type LayerArgs } from '../definition.ts';
import { emitRecurrentScan, type RecurrentLoop } from './scan.ts';
import { reverseSteps } from './steps.ts';

/** Shape arithmetic at run time: the sizes of `tensor` from `start` to `end`. */
function shapeSlice(ctx: LayerContext, tensor: string, start: number, end: number): string {
  const g = ctx.graph;
  return g.node('Slice', [g.node('Shape', [tensor]), g.int64Constant('starts', [start]), g.int64Constant('ends', [end])]);
}

const convLstmOptions = {
  ...SEQUENCE_OPTIONS,
  dataFormat: option.dataFormat(),
  filters: option.int(),
  kernelSize: option.intTuple(2),
  strides: option.intTuple(2, 1),
  dilationRate: option.intTuple(2, 1),
  padding: option.choice(['valid', 'same'] as const, 'valid'),
  activation: option.activation('tanh'),
  recurrentActivation: option.optionalActivation(),
  useBias: option.bool(true),
};

export const convertConvLSTM2D = defineLayer(convLstmOptions, convertConvLstm);

type ConvLstmOptions = LayerArgs<typeof convLstmOptions>;

/** What every step of the conversion needs to know about the layer and its input. */
interface ConvLstmLayer {
  options: ConvLstmOptions;
  channelsLast: boolean;
  /** The input's image sizes and channels. */
  rows: Dim;
  cols: Dim;
  channels: number;
  /** From the stored [batch, F, H', W'] states to the Keras layout. */
  nchw: Permutation;
}

function convertConvLstm(ctx: LayerContext, options: ConvLstmOptions): TensorValue[] {
  const [x, ...initialStates] = ctx.inputs;
  const layer = readLayer(ctx, x, options);
  const { filters } = options;
  const { projected, outRows, outCols } = convolveInputs(ctx, x, layer);
  const mask = ctx.inputMasks[0];
  const run = emitRecurrentScan(ctx, {
    projected,
    projectedShape: [null, 4 * filters, outRows, outCols],
    stateShape: [null, filters, outRows, outCols],
    initial: startStates(ctx, initialStates, projected, layer),
    mask: maskPerStep(ctx, mask, options.goBackwards),
    maskShape: [null, 1, 1, 1],
    zeroOutputForMask: options.zeroOutputForMask,
    step: convLstmStep(ctx, layer, [outRows, outCols]),
  });
  const stateValue = (name: string) =>
    tensorValue(name, layer.channelsLast ? [x.shape[0], outRows, outCols, filters] : [x.shape[0], filters, outRows, outCols], layer.nchw);
  const [hFinal, cFinal] = run.states.map(stateValue);
  // The sequence is stored [steps, batch, F, H', W'].
  const sequence = layer.channelsLast
    ? tensorValue(run.outputs, [x.shape[0], x.shape[1], outRows, outCols, filters], [1, 0, 4, 2, 3])
    : tensorValue(run.outputs, [x.shape[0], x.shape[1], filters, outRows, outCols], [1, 0, 2, 3, 4]);
  ctx.outputMasks = [options.returnSequences ? mask : undefined];
  const output = options.returnSequences ? sequence : hFinal;
  return options.returnState ? [output, hFinal, cFinal] : [output];
}

function readLayer(ctx: LayerContext, x: TensorValue, options: ConvLstmOptions): ConvLstmLayer {
  const c = ctx.config;
  if (x.shape.length !== 5)
    throw new InvalidInputError(`${c.label} expects a [batch, steps, rows, cols, channels] input, got ${JSON.stringify(x.shape)}`);
  const channelsLast = options.dataFormat === 'channelsLast';
  const [rows, cols, channels] = channelsLast ? x.shape.slice(2) : [x.shape[3], x.shape[4], x.shape[2]];
  if (channels === null) throw new InvalidInputError(`${c.label} needs an input with a known number of channels`);
  return { options, channelsLast, rows, cols, channels, nchw: channelsLast ? [0, 3, 1, 2] : identityPermutation(4) };
}

/** The input convolution over every step at once: [batch·steps, C, H, W] → [steps, batch, 4F, H', W']. */
function convolveInputs(ctx: LayerContext, x: TensorValue, layer: ConvLstmLayer): { projected: string; outRows: Dim; outCols: Dim } {
  const { options, channelsLast } = layer;
  const { kernelSize: kernel, filters } = options;
  const g = ctx.graph;
  const inputKernel = ctx.floatWeight('kernel', [...kernel, layer.channels, 4 * filters]);
  const bias = options.useBias ? ctx.floatWeight('bias', [4 * filters]).values : undefined;
  const window: Window = { kernel, strides: options.strides, dilations: options.dilationRate, padding: options.padding };
  const input = options.goBackwards ? reverseSteps(ctx, x) : x;
  const timeMajorImages = ctx.inLayout(input, channelsLast ? [1, 0, 4, 2, 3] : [1, 0, 2, 3, 4]);
  const folded = g.node('Reshape', [
    timeMajorImages,
    g.node('Concat', [g.int64Constant('all_images', [-1]), shapeSlice(ctx, timeMajorImages, 2, 5)], { axis: attr.int(0) }),
  ]);
  const convolved = emitConv(g, folded, [layer.rows, layer.cols], window, {
    weight: { name: 'kernel', ...kernelToOnnx(inputKernel) },
    bias,
  });
  const projected = g.node('Reshape', [
    convolved.output,
    g.node('Concat', [shapeSlice(ctx, timeMajorImages, 0, 2), shapeSlice(ctx, convolved.output, 1, 4)], { axis: attr.int(0) }),
  ]);
  const [outRows, outCols] = convolved.sizes;
  return { projected, outRows, outCols };
}

/** The states [batch, F, H', W'] (NCHW) to start from: the ones given, else zeros. */
function startStates(ctx: LayerContext, initialStates: readonly TensorValue[], projected: string, layer: ConvLstmLayer): string[] {
  const g = ctx.graph;
  const { filters } = layer.options;
  const initial = initialStates.length ? initialStates.map((state) => ctx.inLayout(state, layer.nchw)) : undefined;
  if (initial && initial.length !== 2)
    throw new InvalidInputError(`${ctx.config.label} takes 2 initial states (h, c), got ${initial.length}`);
  if (initial) return initial;
  const zero = g.floatConstant('zeros', [1, filters, 1, 1], new Float32Array(filters));
  const shape = g.node(
    'Concat',
    [shapeSlice(ctx, projected, 1, 2), g.int64Constant('filters', [filters]), shapeSlice(ctx, projected, 3, 5)],
    { axis: attr.int(0) },
  );
  const zeros = g.node('Expand', [zero, shape]);
  return [zeros, zeros];
}

/** A [batch, steps] mask as one [batch, 1, 1, 1] slice per step (in the order the steps run). */
function maskPerStep(ctx: LayerContext, mask: Mask, goBackwards: boolean): string | undefined {
  if (mask && mask.shape.length !== 2)
    throw new InvalidInputError(`${ctx.config.label} can apply a [batch, steps] mask, got one of shape ${JSON.stringify(mask.shape)}`);
  const stepMask = mask && (goBackwards ? reverseSteps(ctx, mask) : mask);
  const g = ctx.graph;
  return stepMask ? g.node('Unsqueeze', [ctx.inLayout(stepMask, [1, 0]), g.int64Constant('axes', [2, 3, 4])]) : undefined;
}

/** One step of the Scan body: the recurrent convolution (stride 1, 'same': the state keeps its size) and the gates. */
function convLstmStep(ctx: LayerContext, layer: ConvLstmLayer, [outRows, outCols]: Dim[]): RecurrentLoop['step'] {
  const { options } = layer;
  const { filters, activation } = options;
  const kernel = options.kernelSize;
  const recurrentActivation = options.recurrentActivation ?? (ctx.producer.framework === 'tfjs' ? 'hardSigmoid' : 'sigmoid');
  const recurrentKernel = ctx.floatWeight('recurrent_kernel', [...kernel, filters, 4 * filters]);
  const recurrentWeight = { name: 'recurrent_kernel', ...kernelToOnnx(recurrentKernel) };
  const recurrentWindow: Window = { kernel, strides: [1, 1], dilations: [1, 1], padding: 'same' };
  return (body, stepProjected, [h, previousCell]) => {
    const b = body.graph;
    const recurrent = emitConv(b, h, [outRows, outCols], recurrentWindow, { weight: recurrentWeight });
    const z = b.node('Add', [stepProjected, recurrent.output]);
    const gates = b.nodeWithOutputs('Split', [z, b.int64Constant('split', [filters, filters, filters, filters])], 4, { axis: attr.int(1) });
    // Activations see NCHW tensors whose Keras layout is NHWC (softmax goes over the filters).
    const act = (name: string, fn: string) =>
      applyActivation(body, tensorValue(name, [null, outRows, outCols, filters], [0, 3, 1, 2]), fn).onnxName;
    const [i, f, candidate, o] = gates;
    const cell = b.node('Add', [
      b.node('Mul', [act(f, recurrentActivation), previousCell]),
      b.node('Mul', [act(i, recurrentActivation), act(candidate, activation)]),
    ]);
    return [b.node('Mul', [act(o, recurrentActivation), act(cell, activation)]), cell];
  };
}
