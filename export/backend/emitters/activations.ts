/**
 * Activation functions as ONNX nodes, one table for both front ends (Keras activation names map
 * onto it in layersModel/activations.ts, TF ops and fused_ops in graphModel/tfOps/activations.ts).
 * The formulas are tfjs's (tfjs-layers/src/activations.ts, tfjs-core's ops): hardSigmoid is
 * clip(slope·x + 0.5, 0, 1) with slope 0.2 (Keras 3: 1/6), gelu the exact erf form, geluNew the tanh
 * approximation, swish x·sigmoid(x), mish x·tanh(softplus(x)), softmax over the last axis. Each
 * keeps its input's layout: elementwise ones work wherever the tensor is stored, softmax finds the
 * last axis where it is stored.
 */
import { attr, type GraphBuilder } from '../graph/graphBuilder.ts';
import { normalizeAxis, physicalAxis } from '../graph/layout.ts';
import { tensorValue, type TensorValue } from '../graph/tensorValue.ts';

/** What a function needs besides its input. */
export interface ActivationArguments {
  /** leakyRelu's slope below 0 (default 0.2, tfjs's and Keras's). */
  leakyReluAlpha?: number;
  /** hardSigmoid's slope (default 0.2; Keras 3 uses 1/6). */
  hardSigmoidSlope?: number;
  /** prelu's slopes: an ONNX name stored in the input's layout (broadcasting to it). */
  preluSlopes?: string;
}

type ActivationBuilder = (g: GraphBuilder, x: string, args: ActivationArguments, value: TensorValue) => string;

const elementwise =
  (opType: string, attributes = {}): ActivationBuilder =>
  (g, x) =>
    g.node(opType, [x], attributes);

/** Softmax-like ops normalize over the logical last axis, wherever that axis is stored. */
const lastAxis =
  (opType: string): ActivationBuilder =>
  (g, x, _args, value) =>
    g.node(opType, [x], { axis: attr.int(physicalAxis(value.perm, normalizeAxis(-1, value.shape.length))) });

// tfjs-core's selu constants (ONNX's defaults are the same numbers rounded to float32).
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

const activationBuilders: Record<string, ActivationBuilder> = {
  relu: elementwise('Relu'),
  relu6: (g, x) => g.node('Clip', [x, g.scalar('zero', 0), g.scalar('six', 6)]),
  elu: elementwise('Elu', { alpha: attr.float(1) }),
  selu: elementwise('Selu', { alpha: attr.float(SELU_ALPHA), gamma: attr.float(SELU_SCALE) }),
  sigmoid: elementwise('Sigmoid'),
  hardSigmoid: (g, x, args) => g.node('HardSigmoid', [x], { alpha: attr.float(args.hardSigmoidSlope ?? 0.2), beta: attr.float(0.5) }),
  tanh: elementwise('Tanh'),
  softmax: lastAxis('Softmax'),
  logSoftmax: lastAxis('LogSoftmax'),
  softplus: elementwise('Softplus'),
  softsign: elementwise('Softsign'),
  exponential: elementwise('Exp'),
  swish: (g, x) => g.node('Mul', [g.node('Sigmoid', [x]), x]),
  mish: (g, x) => g.node('Mul', [x, g.node('Tanh', [g.node('Softplus', [x])])]),
  gelu: exactGelu,
  geluNew: tanhGelu,
  leakyRelu: (g, x, args) => g.node('LeakyRelu', [x], { alpha: attr.float(args.leakyReluAlpha ?? 0.2) }),
  hardSilu: (g, x) => g.node('Mul', [x, g.node('HardSigmoid', [x], { alpha: attr.float(1 / 6), beta: attr.float(0.5) })]),
  logSigmoid: (g, x) => g.node('Neg', [g.node('Softplus', [g.node('Neg', [x])])]),
  hardTanh: (g, x) => g.node('Clip', [x, g.scalar('minus_one', -1), g.scalar('one', 1)]),
  celu: elementwise('Celu', { alpha: attr.float(1) }),
  prelu: (g, x, args) => {
    if (args.preluSlopes === undefined) throw new Error('internal: prelu without its slopes');
    return g.node('PRelu', [x, args.preluSlopes]);
  },
};

/** Every function the table builds, by its name here (`linear`, the identity, aside). */
export const ACTIVATION_FUNCTIONS: readonly string[] = Object.keys(activationBuilders);

export function isActivationFunction(name: string): boolean {
  return name === 'linear' || Object.hasOwn(activationBuilders, name);
}

/** Applies `name` (one of ACTIVATION_FUNCTIONS, or `linear`, which adds nothing), keeping x's layout and dtype. */
export function emitActivation(graph: GraphBuilder, x: TensorValue, name: string, args: ActivationArguments = {}): TensorValue {
  if (name === 'linear') return x;
  const build = activationBuilders[name];
  if (!build) throw new Error(`internal: no activation function ${name}`);
  return tensorValue(build(graph, x.onnxName, args, x), x.shape, x.perm, x.dtype);
}

/** gelu(x) = x · 0.5 · (1 + erf(x / √2)), tfjs's exact form. */
function exactGelu(g: GraphBuilder, x: string): string {
  const erf = g.node('Erf', [g.node('Div', [x, g.scalar('sqrt2', Math.SQRT2)])]);
  const cdf = g.node('Mul', [g.scalar('half', 0.5), g.node('Add', [g.scalar('one', 1), erf])]);
  return g.node('Mul', [x, cdf]);
}

/** gelu_new(x) = 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))). */
function tanhGelu(g: GraphBuilder, x: string): string {
  const cube = g.node('Pow', [x, g.scalar('three', 3)]);
  const inner = g.node('Add', [x, g.node('Mul', [g.scalar('coefficient', 0.044715), cube])]);
  const tanh = g.node('Tanh', [g.node('Mul', [g.scalar('sqrt_2_over_pi', Math.sqrt(2 / Math.PI)), inner])]);
  return g.node('Mul', [g.scalar('half', 0.5), g.node('Mul', [x, g.node('Add', [g.scalar('one', 1), tanh])])]);
}
