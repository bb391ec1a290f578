/**
 * Keras activation names (`relu`, `hard_sigmoid` camelCased at the edge to `hardSigmoid`, Keras 3's
 * `silu`, `hard_swish`...) read from layer configs and applied through the back end's one table of
 * functions (backend/emitters/activations.ts). tfjs-layers' hardSigmoid has slope 0.2, Keras 3's
 * 1/6; the model's producer decides.
 */
import { UnconvertibleModelError } from '../errors.ts';
import { ACTIVATION_FUNCTIONS, emitActivation, isActivationFunction } from '../backend/emitters/activations.ts';
import type { LayerContext } from './layerContext.ts';
import type { TensorValue } from '../backend/graph/tensorValue.ts';
import type { LayerConfig } from './reader/layerConfig.ts';
import type { Producer } from './reader/modelTopology.ts';

/** The back end's functions Keras names as activations (PReLU is a layer in Keras, with weights, not an activation name). */
const kerasActivations = ACTIVATION_FUNCTIONS.filter((name) => name !== 'prelu');

/** Spellings that mean the same function (Keras 3 names, tfjs's serialized forms). */
const activationAliases: Record<string, string> = { silu: 'swish', hardSwish: 'hardSilu' };

/** hard_sigmoid's slope: 0.2 in tfjs and Keras 2, 1/6 in Keras 3 (relu6(x + 3) / 6). */
export function hardSigmoidSlope(producer: Producer): number {
  return producer.framework === 'keras' && producer.kerasMajor >= 3 ? 1 / 6 : 0.2;
}

export const supportedActivations: readonly string[] = ['linear', ...kerasActivations, ...Object.keys(activationAliases)];

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
    throw new UnconvertibleModelError(
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
  return resolved !== 'prelu' && isActivationFunction(resolved) ? resolved : undefined;
}

function activationNameFromObject(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { className, config } = raw as { className?: unknown; config?: unknown };
  if (className === 'function' && typeof config === 'string') return config;
  return typeof className === 'string' ? className : undefined;
}

/** Applies a (canonical) activation; `linear` adds nothing. */
export function applyActivation(ctx: LayerContext, x: TensorValue, activation: string): TensorValue {
  return emitActivation(ctx.graph, x, activation, { hardSigmoidSlope: hardSigmoidSlope(ctx.producer) });
}
