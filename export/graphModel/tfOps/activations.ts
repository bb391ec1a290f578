/**
 * Activations: the standalone ops (Relu, Relu6, Elu, Selu, LeakyRelu, Prelu, Sigmoid, Tanh,
 * Softplus, Softmax, LogSoftmax) and the same functions as the fused ops' `fused_ops`
 * name them, built by the back end's one table (backend/emitters/activations.ts). Elementwise ones
 * keep their input's layout; Softmax normalizes over TF's last axis wherever that axis is stored.
 */
import { emitActivation } from '../../backend/emitters/activations.ts';
import { tensorValue, type TensorValue } from '../../backend/graph/tensorValue.ts';
import type { TfValue } from './constant.ts';
import type { TfOpContext } from './context.ts';
import { alignElementwise } from './elementwise.ts';
import type { TfOpHandler, TfOpTable } from './registry.ts';

/** The TF ops (and fused_ops entries) that are activation functions, and the back end's name for each. */
const TF_ACTIVATIONS: Record<string, string> = {
  Relu: 'relu',
  Relu6: 'relu6',
  Elu: 'elu',
  Selu: 'selu',
  LeakyRelu: 'leakyRelu',
  Sigmoid: 'sigmoid',
  Tanh: 'tanh',
  Softplus: 'softplus',
  Prelu: 'prelu',
};

/** An activation applied to a run-time value: what it needs besides the value (alpha of LeakyRelu, Prelu's slopes). */
export interface ActivationArguments {
  leakyReluAlpha?: number;
  preluAlpha?: TfValue;
}

export const fusableActivations = Object.keys(TF_ACTIVATIONS);

/** Applies an activation by its TF op name, keeping the value's layout (Prelu's: where x and its alpha meet). */
export function applyActivation(ctx: TfOpContext, x: TensorValue, name: string, args: ActivationArguments = {}): TensorValue {
  const fn = Object.hasOwn(TF_ACTIVATIONS, name) ? TF_ACTIVATIONS[name] : undefined;
  if (!fn) throw ctx.unsupported(`fused activation ${name} is not supported; supported: ${fusableActivations.join(', ')}`);
  if (fn !== 'prelu') return emitActivation(ctx.graph, x, fn, { leakyReluAlpha: args.leakyReluAlpha });
  if (!args.preluAlpha) throw ctx.invalid('Prelu needs its alpha input');
  // PRelu broadcasts alpha to x; alignElementwise stores both in one layout.
  const { names, perm } = alignElementwise(ctx, [x, args.preluAlpha]);
  return emitActivation(ctx.graph, tensorValue(names[0], x.shape, perm, x.dtype), 'prelu', { preluSlopes: names[1] });
}

function activationHandler(name: string): TfOpHandler {
  return (ctx) => {
    if (name === 'Prelu') {
      ctx.requireInputs(2);
      return applyActivation(ctx, ctx.runtime(ctx.input(0)), name, { preluAlpha: ctx.input(1) });
    }
    ctx.requireInputs(1);
    return applyActivation(ctx, ctx.runtime(ctx.input(0)), name, { leakyReluAlpha: ctx.attrs.float('alpha', 0.2) });
  };
}

function softmaxHandler(fn: 'softmax' | 'logSoftmax'): TfOpHandler {
  return (ctx) => {
    ctx.requireInputs(1);
    return emitActivation(ctx.graph, ctx.runtime(ctx.input(0)), fn);
  };
}

export const activationOps: TfOpTable = {
  ...Object.fromEntries(fusableActivations.map((name) => [name, activationHandler(name)])),
  Softmax: softmaxHandler('softmax'),
  LogSoftmax: softmaxHandler('logSoftmax'),
};
