/**
 * Activations: the standalone ops (Relu, Relu6, Elu, Selu, LeakyRelu, Prelu, Sigmoid, Tanh,
 * Softplus, Softmax, LogSoftmax) and the same functions as the fused ops' `fused_ops`
 * name them. Elementwise ones keep their input's layout; Softmax normalizes over TF's last axis
 * wherever that axis is stored.
 */
import { attr } from '../../backend/graph/graphBuilder.ts';
import { physicalAxis } from '../../backend/graph/layout.ts';
import { tensorValue, type TensorValue } from '../../backend/graph/tensorValue.ts';
import { isConstant, type TfValue } from './constant.ts';
import type { TfOpContext } from './context.ts';
import { alignElementwise } from './elementwise.ts';
import type { TfOpHandler, TfOpTable } from './registry.ts';

/** tfjs-core's selu constants. */
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** An activation applied to a run-time value: what it needs besides the value (alpha of LeakyRelu, Prelu's slopes). */
export interface ActivationArguments {
  leakyReluAlpha?: number;
  preluAlpha?: TfValue;
}

type ActivationBuilder = (ctx: TfOpContext, x: TensorValue, args: ActivationArguments) => string;

const unary = (opType: string, attributes = {}): ActivationBuilder => (ctx, x) => ctx.graph.node(opType, [x.onnxName], attributes);

const activationBuilders: Record<string, ActivationBuilder> = {
  Relu: unary('Relu'),
  Relu6: (ctx, x) => ctx.graph.node('Clip', [x.onnxName, ctx.graph.scalar('zero', 0), ctx.graph.scalar('six', 6)]),
  Elu: unary('Elu', { alpha: attr.float(1) }),
  Selu: unary('Selu', { alpha: attr.float(SELU_ALPHA), gamma: attr.float(SELU_SCALE) }),
  LeakyRelu: (ctx, x, args) => ctx.graph.node('LeakyRelu', [x.onnxName], { alpha: attr.float(args.leakyReluAlpha ?? 0.2) }),
  Sigmoid: unary('Sigmoid'),
  Tanh: unary('Tanh'),
  Softplus: unary('Softplus'),
  Prelu: (ctx, x, args) => {
    if (!args.preluAlpha) throw ctx.invalid('Prelu needs its alpha input');
    // PRelu broadcasts alpha to x; alignElementwise stores alpha in x's layout.
    const { names } = alignElementwise(ctx, [x, args.preluAlpha]);
    return ctx.graph.node('PRelu', names);
  },
};

export const fusableActivations = Object.keys(activationBuilders);

/** Applies an activation by its TF op name, keeping the value's layout. */
export function applyActivation(ctx: TfOpContext, x: TensorValue, name: string, args: ActivationArguments = {}): TensorValue {
  const build = activationBuilders[name];
  if (!build) throw ctx.unsupported(`fused activation ${name} is not supported; supported: ${fusableActivations.join(', ')}`);
  const prelu = name === 'Prelu' && args.preluAlpha && !isConstant(args.preluAlpha) ? alignElementwise(ctx, [x, args.preluAlpha]) : undefined;
  const perm = prelu?.perm ?? x.perm;
  return tensorValue(build(ctx, x, args), x.shape, perm, x.dtype);
}

function runtimeInput(ctx: TfOpContext, index: number): TensorValue {
  const value = ctx.input(index);
  // A constant input is rare (a folded branch); it becomes an initializer and runs in ONNX.
  return isConstant(value) ? ctx.result(ctx.onnx(value), value.shape, value.dtype) : value;
}

function activationHandler(name: string): TfOpHandler {
  return (ctx) => {
    if (name === 'Prelu') {
      ctx.requireInputs(2);
      return applyActivation(ctx, runtimeInput(ctx, 0), name, { preluAlpha: ctx.input(1) });
    }
    ctx.requireInputs(1);
    return applyActivation(ctx, runtimeInput(ctx, 0), name, { leakyReluAlpha: ctx.attrs.float('alpha', 0.2) });
  };
}

function softmaxHandler(opType: 'Softmax' | 'LogSoftmax'): TfOpHandler {
  return (ctx) => {
    ctx.requireInputs(1);
    const x = runtimeInput(ctx, 0);
    const axis = physicalAxis(x.perm, x.shape.length - 1);
    return tensorValue(ctx.graph.node(opType, [x.onnxName], { axis: attr.int(axis) }), x.shape, x.perm, x.dtype);
  };
}

export const activationOps: TfOpTable = {
  ...Object.fromEntries(fusableActivations.map((name) => [name, activationHandler(name)])),
  Softmax: softmaxHandler('Softmax'),
  LogSoftmax: softmaxHandler('LogSoftmax'),
};
