/** The execution providers onnxruntime offers here, what the runtime makes of each, and SwiftShader where no Vulkan driver is. */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BackendUnavailableError, describePlacement, loadModel } from '@tfjs-onnx/runtime';
import { NODE_DEVICE_PACKAGES, type ResolvedDevice } from '@tfjs-onnx/runtime/constants';
import { describeError } from '../../common/errors.ts';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export interface ProviderStatus {
  provider: string;
  runtime: string;
  device?: ResolvedDevice;
  /** 'ok', or in short why the runtime cannot use it here. */
  status: string;
  /** The whole reason (with the library's path and the command that installs it). */
  detail?: string;
  adapter?: string;
}

/** Linux without a Vulkan driver manifest: SwiftShader's, when Chromium's is installed. Must run before the first WebGPU use. */
export function useSwiftShaderWithoutDriver(): boolean {
  if (process.platform !== 'linux' || process.env.VK_ICD_FILENAMES || !existsSync(SWIFTSHADER_ICD)) return false;
  const folders = [
    '/etc/vulkan/icd.d',
    '/usr/share/vulkan/icd.d',
    '/usr/local/share/vulkan/icd.d',
    path.join(os.homedir(), '.local/share/vulkan/icd.d'),
  ];
  if (folders.some((folder) => existsSync(folder) && readdirSync(folder).some((file) => file.endsWith('.json')))) return false;
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  process.env.XDG_RUNTIME_DIR ??= mkdtempSync(path.join(os.tmpdir(), 'tfjs-onnx-xdg-'));
  return true;
}

/** Every provider onnxruntime-node lists and onnxruntime-web's wasm, with what the runtime makes of each here. */
export async function listProviders(probeModel: string): Promise<ProviderStatus[]> {
  const ort = await import('onnxruntime-node');
  const devices = Object.keys(NODE_DEVICE_PACKAGES) as ResolvedDevice[];
  const offered = [
    ...ort.listSupportedBackends().map((backend) => ({ provider: backend.name, runtime: 'onnxruntime-node' })),
    { provider: 'wasm', runtime: 'onnxruntime-web' },
  ];
  const statuses: ProviderStatus[] = [];
  for (const { provider, runtime } of offered) {
    const device = devices.find((candidate) => candidate === provider);
    if (!device) {
      statuses.push({ provider, runtime, status: 'no device of the runtime runs it: experts name it in executionProviders' });
      continue;
    }
    try {
      const model = await loadModel(probeModel, { device });
      statuses.push({
        provider,
        runtime,
        device,
        status: 'ok',
        ...(model.placement.adapter ? { adapter: describePlacement(model.placement) } : {}),
      });
      await model.dispose();
    } catch (error) {
      if (!(error instanceof BackendUnavailableError)) throw error;
      // The reason up to its details (a library's path, the command that installs it), which stay in `detail`.
      statuses.push({ provider, runtime, device, status: describeError(error).split(/ \(|; /)[0]!, detail: describeError(error) });
    }
  }
  return statuses;
}
