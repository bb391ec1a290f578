/**
 * Keras/tfjs activation functions as ONNX nodes, matching tfjs-layers' formulas
 * (tfjs-layers/src/activations.ts): hardSigmoid is clip(0.2x + 0.5, 0, 1) (Keras 3's is
 * clip(x/6 + 0.5, 0, 1)), gelu is the exact erf form, gelu_new the tanh approximation, swish
 * x·sigmoid(x), mish x·tanh(softplus(x)), softmax over the last axis; plus the Keras 3 names
 * leaky_relu (slope 0.2), hard_silu/hard_swish, log_sigmoid, hard_tanh, celu. Elementwise
 * activations keep their input's layout.
 */
import { UnsupportedModelError } from '../errors.ts';
import { attr } from '../backend/graph/graphBuilder.ts';
import type { LayerContext } from './layerContext.ts';
import { normalizeAxis, physicalAxis } from '../backend/graph/layout.ts';
import type { TensorValue } from '../backend/graph/tensorValue.ts';
import type { LayerConfig } from './reader/layerConfig.ts';
import type { Producer } from './reader/modelTopology.ts';

type ActivationBuilder = (ctx: LayerContext, x: TensorValue) => string;

const elementwise = (opType: string, attributes = {}): ActivationBuilder => (ctx, x) => ctx.graph.node(opType, [x.onnxName], attributes);

/** Softmax-like ops normalize over Keras's last axis, wherever that axis is stored. */
const lastAxis = (opType: string): ActivationBuilder => (ctx, x) =>
  ctx.graph.node(opType, [x.onnxName], { axis: attr.int(physicalAxis(x.perm, normalizeAxis(-1, x.shape.length))) });

const activationBuilders: Record<string, ActivationBuilder> = {
  relu: elementwise('Relu'),
  relu6: (ctx, x) => ctx.graph.node('Clip', [x.onnxName, ctx.graph.scalar('zero', 0), ctx.graph.scalar('six', 6)]),
  elu: elementwise('Elu', { alpha: attr.float(1) }),
  // tfjs-core's selu constants (ONNX's defaults are the same numbers rounded to float32).
  selu: elementwise('Selu', { alpha: attr.float(1.6732632423543772), gamma: attr.float(1.0507009873554805) }),
  sigmoid: elementwise('Sigmoid'),
  hardSigmoid: (ctx, x) => ctx.graph.node('HardSigmoid', [x.onnxName], { alpha: attr.float(hardSigmoidSlope(ctx.producer)), beta: attr.float(0.5) }),
  tanh: elementwise('Tanh'),
  softmax: lastAxis('Softmax'),
  logSoftmax: lastAxis('LogSoftmax'),
  softplus: elementwise('Softplus'),
  softsign: elementwise('Softsign'),
  exponential: elementwise('Exp'),
  swish: (ctx, x) => ctx.graph.node('Mul', [ctx.graph.node('Sigmoid', [x.onnxName]), x.onnxName]),
  mish: (ctx, x) => ctx.graph.node('Mul', [x.onnxName, ctx.graph.node('Tanh', [ctx.graph.node('Softplus', [x.onnxName])])]),
  gelu: buildExactGelu,
  geluNew: buildTanhGelu,
  leakyRelu: elementwise('LeakyRelu', { alpha: attr.float(0.2) }),
  hardSilu: (ctx, x) => ctx.graph.node('Mul', [x.onnxName, ctx.graph.node('HardSigmoid', [x.onnxName], { alpha: attr.float(1 / 6), beta: attr.float(0.5) })]),
  logSigmoid: (ctx, x) => ctx.graph.node('Neg', [ctx.graph.node('Softplus', [ctx.graph.node('Neg', [x.onnxName])])]),
  hardTanh: (ctx, x) => ctx.graph.node('Clip', [x.onnxName, ctx.graph.scalar('minus_one', -1), ctx.graph.scalar('one', 1)]),
  celu: elementwise('Celu', { alpha: attr.float(1) }),
};

/** Spellings that mean the same function (Keras 3 names, tfjs's serialized forms). */
const activationAliases: Record<string, string> = { silu: 'swish', hardSwish: 'hardSilu' };

/** hard_sigmoid's slope: 0.2 in tfjs and Keras 2, 1/6 in Keras 3 (relu6(x + 3) / 6). */
export function hardSigmoidSlope(producer: Producer): number {
  return producer.framework === 'keras' && producer.kerasMajor >= 3 ? 1 / 6 : 0.2;
}

export const supportedActivations: readonly string[] = ['linear', ...Object.keys(activationBuilders), ...Object.keys(activationAliases)];

/**
 * Reads an activation option. Keras writes a name (`"relu"`, `"hard_sigmoid"`, camelCased at the
 * edge to `hardSigmoid`), Keras 3 sometimes an object `{class_name: "function", config: "relu"}`.
 */
export function readActivation(config: LayerConfig, key = 'activation', fallback = 'linear'): string {
  const raw = config.raw(key) ?? fallback;
  const name = typeof raw === 'string' ? raw : activationNameFromObject(raw);
  if (name === undefined) throw config.invalid(key, 'an activation name');
  const canonical = canonicalActivation(name);
  if (canonical === undefined) {
    throw new UnsupportedModelError(
      `${config.label}: activation ${JSON.stringify(name)} (option ${key}) is not supported; supported activations: ${supportedActivations.join(', ')}`,
    );
  }
  return canonical;
}

/**
 * The activation option `key` of a config if it names a function the converter lacks (for the
 * up-front check that lists every unsupported class and activation of a model at once).
 */
export function unsupportedActivation(values: Record<string, unknown>, key: string): string | undefined {
  const raw = values[key];
  if (raw === undefined || raw === null) return undefined;
  const name = typeof raw === 'string' ? raw : activationNameFromObject(raw);
  if (name === undefined) return undefined;
  return canonicalActivation(name) === undefined ? name : undefined;
}

function canonicalActivation(name: string): string | undefined {
  const resolved = activationAliases[name] ?? name;
  return resolved === 'linear' || resolved in activationBuilders ? resolved : undefined;
}

function activationNameFromObject(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { className, config } = raw as { className?: unknown; config?: unknown };
  if (className === 'function' && typeof config === 'string') return config;
  return typeof className === 'string' ? className : undefined;
}

/** Applies a (canonical) activation; `linear` adds nothing. */
export function applyActivation(ctx: LayerContext, x: TensorValue, activation: string): TensorValue {
  if (activation === 'linear') return x;
  const build = activationBuilders[activation];
  return ctx.resultLike(x, build(ctx, x));
}

/** gelu(x) = x · 0.5 · (1 + erf(x / √2)), tfjs's exact form. */
function buildExactGelu(ctx: LayerContext, x: TensorValue): string {
  const g = ctx.graph;
  const erf = g.node('Erf', [g.node('Div', [x.onnxName, g.scalar('sqrt2', Math.SQRT2)])]);
  const cdf = g.node('Mul', [g.scalar('half', 0.5), g.node('Add', [g.scalar('one', 1), erf])]);
  return g.node('Mul', [x.onnxName, cdf]);
}

/** gelu_new(x) = 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))). */
function buildTanhGelu(ctx: LayerContext, x: TensorValue): string {
  const g = ctx.graph;
  const cube = g.node('Pow', [x.onnxName, g.scalar('three', 3)]);
  const inner = g.node('Add', [x.onnxName, g.node('Mul', [g.scalar('coefficient', 0.044715), cube])]);
  const tanh = g.node('Tanh', [g.node('Mul', [g.scalar('sqrt_2_over_pi', Math.sqrt(2 / Math.PI)), inner])]);
  return g.node('Mul', [g.scalar('half', 0.5), g.node('Mul', [x.onnxName, g.node('Add', [g.scalar('one', 1), tanh])])]);
}
