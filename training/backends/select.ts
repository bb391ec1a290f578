/**
 * Choosing the tfjs backend: native TensorFlow through tfjs-node where it is installed (it
 * downloads libtensorflow when installed, so it is optional), else tfjs's WebAssembly backend,
 * whose .wasm ships inside its npm package. 'cpu' is plain JavaScript: slow, but always there.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidOptionError, UserError, describeError } from '../../common/errors.ts';
import { BACKENDS, type BackendName } from '../options.ts';
import { registerWasmTrainingKernels } from './wasmKernels.ts';

export { BACKENDS, type BackendName } from '../options.ts';

/** No tfjs backend could start, or the one asked for cannot (its package is missing or fails to initialise). */
export class TfjsBackendUnavailableError extends UserError {}

/** Activates the requested backend, or the fastest one that loads, and returns its name. */
export async function selectBackend(requested?: string): Promise<BackendName> {
  if (requested !== undefined && !(BACKENDS as readonly string[]).includes(requested)) {
    throw new InvalidOptionError(`unknown backend "${requested}": choose one of ${BACKENDS.join(', ')}`);
  }
  if (requested) {
    await activate(requested as BackendName);
    return requested as BackendName;
  }
  for (const candidate of BACKENDS) {
    try {
      await activate(candidate);
      return candidate;
    } catch {
      // Fall through to the next backend: the automatic choice never fails for a missing optional one.
    }
  }
  throw new TfjsBackendUnavailableError('no tfjs backend could be initialised');
}

async function activate(name: BackendName): Promise<void> {
  if (tf.getBackend() === name) return;
  // Production mode drops tfjs's console banners (our CLI says which backend runs) and debug checks.
  tf.enableProdMode();
  if (name === 'tensorflow') await loadTfjsNode();
  if (name === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    registerWasmTrainingKernels();
  }
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (error) {
    throw new TfjsBackendUnavailableError(`the ${name} backend failed to initialise: ${describeError(error)}`);
  }
  if (!ok) throw new TfjsBackendUnavailableError(`the ${name} backend failed to initialise`);
  await tf.ready();
}

async function loadTfjsNode(): Promise<void> {
  try {
    // A variable module name keeps TypeScript and bundlers from requiring the optional package.
    const moduleName = '@tensorflow/tfjs-node';
    await import(moduleName);
  } catch (error) {
    throw new TfjsBackendUnavailableError(
      `the tensorflow backend needs @tensorflow/tfjs-node, which is not installed or does not load here (${describeError(error)}); install it with "npm install @tensorflow/tfjs-node" on a machine with internet access, or use --backend wasm`,
    );
  }
}
