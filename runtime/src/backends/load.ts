/**
 * Loads an onnxruntime package on first use. The packages are optional peer dependencies (an app
 * installs the ones for the devices it uses), so a missing one is a user error with the command that fixes it.
 */
import { NODE_DEVICE_PACKAGES, type RuntimePackage } from '../constants.js';
import { BackendUnavailableError, describeError } from '../errors.js';
import type { EngineFactory } from './engine.js';

export async function importRuntime(pkg: RuntimePackage, load: () => Promise<EngineFactory>): Promise<EngineFactory> {
  try {
    return await load();
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && describeError(error).includes(`'${pkg}'`);
    const devices = Object.entries(NODE_DEVICE_PACKAGES)
      .filter(([, runs]) => runs === pkg)
      .map(([device]) => device);
    const other = pkg === 'onnxruntime-node' ? "device 'wasm' (onnxruntime-web)" : "device 'cpu' (onnxruntime-node)";
    if (missing) {
      const runs =
        devices.length === 1 ? `device ${devices[0]} runs` : `devices ${devices.slice(0, -1).join(', ')} and ${devices.at(-1)} run`;
      throw new BackendUnavailableError(
        `the ${pkg} package is not installed (${runs} on it): run \`npm install ${pkg}\`, or load with ${other}`,
        { cause: error },
      );
    }
    throw new BackendUnavailableError(`${pkg} cannot be loaded here (${describeError(error)}); reinstall it or load with ${other}`, {
      cause: error,
    });
  }
}
