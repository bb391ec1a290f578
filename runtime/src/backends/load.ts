/**
 * Loads a backend's onnxruntime package on first use. The packages are optional peer dependencies
 * (an app installs the ones it uses), so a missing one is a user error with the command that fixes it.
 */
import { BackendUnavailableError, describeError } from '../errors.js';
import { packageOf } from '../options.js';
import type { Backend } from '../types.js';
import type { EngineFactory } from './engine.js';

const OTHER: Record<Backend, Backend> = { native: 'wasm', wasm: 'native' };

export async function importBackend(backend: Backend, load: () => Promise<EngineFactory>): Promise<EngineFactory> {
  const pkg = packageOf(backend);
  try {
    return await load();
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && describeError(error).includes(`'${pkg}'`);
    const other = OTHER[backend];
    if (missing) {
      throw new BackendUnavailableError(
        `the ${backend} backend needs the ${pkg} package, which is not installed: run \`npm install ${pkg}\` (or load with backend: '${other}', which uses ${packageOf(other)})`,
        { cause: error },
      );
    }
    throw new BackendUnavailableError(`${pkg} cannot be loaded here (${describeError(error)}); reinstall it or load with backend: '${other}'`, { cause: error });
  }
}
