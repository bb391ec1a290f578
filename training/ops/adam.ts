/**
 * Adam (Kingma & Ba) with one fused update per variable. tfjs's AdamOptimizer spends about
 * fifteen kernels per variable and step (scale, square, add, divide, sqrt ... each allocating a
 * tensor); here one kernel reads the variable, its two moments and its gradient and writes the
 * three new tensors in a single pass (on wasm four lanes at a time). The arithmetic is tfjs's and Keras': bias-corrected
 * moments, epsilon added to the square root. Backends without the JavaScript kernel (tfjs-node)
 * run the same formula as standard ops.
 */
import * as tf from '@tensorflow/tfjs';
import { simdAdamFor, type SimdAdam } from './adamSimd.ts';
import { implementationOf, registerJsKernel, type Implementation, type Values } from './tensorMemory.ts';

export interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Keras' and tfjs's defaults (tfjs takes epsilon from the backend: 1e-7 in float32). */
export const ADAM_DEFAULTS = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const;

const KERNEL = 'TfjsOnnxAdamUpdate';
interface AdamAttrs extends AdamSettings {
  /** The 1-based step number, for the bias corrections 1 - beta^step. */
  step: number;
}

export function registerAdamKernel(): void {
  registerJsKernel<AdamAttrs>(
    KERNEL,
    ['variable', 'firstMoment', 'secondMoment', 'gradient'],
    ([variable]) => [0, 1, 2].map(() => ({ shape: [...variable.shape], dtype: 'float32' as const })),
    ([value, m, v, gradient], [newValue, newM, newV], attrs) => adamUpdate(value, m, v, gradient, newValue, newM, newV, attrs),
  );
}

/**
 * value -= lr · m̂ / (√v̂ + ε) with m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t), rearranged as
 * (lr · √(1 − β2^t) / (1 − β1^t)) · m / (√v + ε · √(1 − β2^t)) — the same number with one square
 * root and one division per element instead of three divisions. On wasm the loop runs four lanes
 * at a time in WebAssembly SIMD (adamSimd.ts); JavaScript does the rest (and all of it on cpu).
 */
function adamUpdate(
  value: Values,
  m: Values,
  v: Values,
  gradient: Values,
  newValue: Values,
  newM: Values,
  newV: Values,
  attrs: AdamAttrs,
): void {
  const { stepSize, epsilon, beta1, beta2 } = correctedConstants(attrs);
  const keep1 = 1 - beta1;
  const keep2 = 1 - beta2;
  const count = value.length;
  let done = 0;
  const simd = simdAdamOn(newValue);
  if (simd) {
    done = count - (count % 4);
    simd(
      value.byteOffset,
      m.byteOffset,
      v.byteOffset,
      gradient.byteOffset,
      newValue.byteOffset,
      newM.byteOffset,
      newV.byteOffset,
      done,
      beta1,
      keep1,
      beta2,
      keep2,
      stepSize,
      epsilon,
    );
  }
  for (let i = done; i < count; i++) {
    const g = gradient[i];
    const first = beta1 * m[i] + keep1 * g;
    const second = beta2 * v[i] + keep2 * g * g;
    newM[i] = first;
    newV[i] = second;
    newValue[i] = value[i] - (stepSize * first) / (Math.sqrt(second) + epsilon);
  }
}

/** The SIMD loop when `values` lives in the memory of tfjs's wasm backend (Emscripten exports it as asm.memory). */
function simdAdamOn(values: Values): SimdAdam | null {
  const memory = (tf.findBackend('wasm') as { wasm?: { asm?: { memory?: WebAssembly.Memory } } } | undefined)?.wasm?.asm?.memory;
  return memory && values.buffer === memory.buffer ? simdAdamFor(memory) : null;
}

/** The step's scalars with the bias corrections folded in. */
function correctedConstants({ learningRate, beta1, beta2, epsilon, step }: AdamAttrs) {
  const root2 = Math.sqrt(1 - beta2 ** step);
  return { stepSize: (learningRate * root2) / (1 - beta1 ** step), epsilon: epsilon * root2, beta1, beta2 };
}

/** The same update as standard tfjs ops, for backends without the fused kernel. */
function adamUpdateOps(value: tf.Tensor, m: tf.Tensor, v: tf.Tensor, gradient: tf.Tensor, attrs: AdamAttrs): tf.Tensor[] {
  const { stepSize, epsilon, beta1, beta2 } = correctedConstants(attrs);
  return tf.tidy(() => {
    const first = tf.add(tf.mul(m, beta1), tf.mul(gradient, 1 - beta1));
    const second = tf.add(tf.mul(v, beta2), tf.mul(tf.square(gradient), 1 - beta2));
    const update = tf.div(tf.mul(first, stepSize), tf.add(tf.sqrt(second), epsilon));
    return [tf.sub(value, update), first, second];
  });
}

/** Adam's state for a fixed list of variables; `update` applies one step's gradients. */
export class FusedAdam {
  private step = 0;
  private readonly moments = new Map<tf.Variable, { m: tf.Tensor; v: tf.Tensor }>();
  learningRate: number;

  constructor(
    private readonly variables: readonly tf.Variable[],
    readonly settings: AdamSettings,
    private readonly implementation: Implementation = implementationOf(KERNEL),
  ) {
    this.learningRate = settings.learningRate;
    for (const variable of variables) {
      this.moments.set(variable, { m: tf.keep(tf.zerosLike(variable)), v: tf.keep(tf.zerosLike(variable)) });
    }
  }

  /** One step: `gradients` maps each variable's name to its gradient (as tf.variableGrads returns them). */
  update(gradients: tf.NamedTensorMap): void {
    this.step++;
    const attrs: AdamAttrs = { ...this.settings, learningRate: this.learningRate, step: this.step };
    const fused = this.implementation === 'kernel';
    for (const variable of this.variables) {
      const gradient = gradients[variable.name];
      if (!gradient) continue; // a variable the loss does not depend on keeps its value, as in tfjs
      const { m, v } = this.moments.get(variable)!;
      const [value, first, second] = fused
        ? (tf
            .engine()
            .runKernel(KERNEL, { variable, firstMoment: m, secondMoment: v, gradient }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[])
        : adamUpdateOps(variable, m, v, gradient, attrs);
      variable.assign(value);
      value.dispose();
      tf.dispose([m, v]);
      // Kept: an update run inside a tidy() must not lose the moments when the tidy ends.
      this.moments.set(variable, { m: tf.keep(first), v: tf.keep(second) });
    }
  }

  dispose(): void {
    for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
    this.moments.clear();
  }
}
