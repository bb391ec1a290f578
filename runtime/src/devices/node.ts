/**
 * Which devices work in this Node process, checked before a session is tried: the CUDA provider's
 * libraries, the WebGPU adapter, the providers this onnxruntime-node build offers.
 *
 * onnxruntime-node does not say which adapter its WebGPU provider got. Dawn's own Node bindings (the
 * optional `webgpu` package) do: when installed, the runtime asks them for the adapter Dawn picks,
 * to name it, to tell a software one (SwiftShader, llvmpipe) apart — 'gpu' and 'auto' never pick
 * one — and to see whether it has shader-f16. Without the package, device 'webgpu' still runs (the
 * adapter goes unnamed) and 'gpu'/'auto' pass over WebGPU, since they could not tell a software
 * adapter from a GPU.
 */
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { GPU_DEVICES, type GpuDevice, type ResolvedDevice } from '../constants.js';
import { RuntimeOptionError, CudaUnavailableError, describeError } from '../errors.js';
import { CUDA_INSTALL_HINT, missingCudaProvider, NO_WEBGPU_ADAPTER, nodeProviders } from '../backends/native.js';
import type { GpuAdapterInfo } from '../types.js';
import { adapterRefusal, describeAdapter, type GpuAdapterLike } from './adapter.js';
import { offeredGpuDevices } from './placement.js';
import type { DeviceCheck, DeviceRequest } from './requests.js';

export type AdapterProbe =
  | { kind: 'found'; adapter: GpuAdapterInfo }
  | { kind: 'none'; reason: string }
  | { kind: 'unknown'; reason: string };

/** The package name, held in a variable: it is an optional peer, and a static import would make it a required one for bundlers and type checks. */
const DAWN_BINDINGS = 'webgpu';

export async function checkNodeDevice(device: ResolvedDevice, request: DeviceRequest): Promise<DeviceCheck> {
  // onnxruntime-web's device must not load onnxruntime-node.
  if (device === 'cpu' || device === 'wasm') return { ok: true };
  const offered = await nodeProviders();
  switch (device) {
    case 'cuda': {
      const missing = missingCudaProvider();
      if (missing)
        return {
          ok: false,
          reason: `onnxruntime-node's CUDA provider is not installed (no ${basename(missing)} in ${dirname(missing)})`,
          hint: CUDA_INSTALL_HINT,
          error: CudaUnavailableError,
        };
      return offered.includes('cuda') ? { ok: true } : { ok: false, reason: notOffered('cuda'), error: CudaUnavailableError };
    }
    case 'webgpu':
      return offered.includes('webgpu') ? checkWebGpu(request) : { ok: false, reason: notOffered('webgpu') };
    case 'dml':
    case 'coreml':
      return offered.includes(device) ? { ok: true } : { ok: false, reason: notOffered(device) };
  }
}

export async function nodeGpuDevices(): Promise<GpuDevice[]> {
  return offeredGpuDevices(await nodeProviders(), GPU_DEVICES);
}

function notOffered(device: string): string {
  return `onnxruntime-node has no ${device} provider on ${process.platform}-${process.arch}`;
}

async function checkWebGpu(request: DeviceRequest): Promise<DeviceCheck> {
  if (request.options.webgpu?.powerPreference !== undefined) {
    throw new RuntimeOptionError(
      'webgpu.powerPreference is an onnxruntime-web option (browsers): onnxruntime-node picks its adapter itself and takes no preference; leave it out in Node',
    );
  }
  const probe = await probeWebGpuAdapter();
  if (probe.kind === 'none') return { ok: false, reason: probe.reason };
  if (probe.kind === 'unknown') {
    return request.strict
      ? {
          ok: false,
          reason: `adapter not checked: ${probe.reason}, so a software adapter could not be told from a GPU`,
          hint: "load with device 'webgpu' to use whatever adapter there is",
        }
      : { ok: true };
  }
  const refusal = adapterRefusal(probe.adapter, request);
  return refusal ? { ok: false, ...refusal } : { ok: true, adapter: probe.adapter };
}

let probed: Promise<AdapterProbe> | undefined;

/** The adapter Dawn picks in this process (asked once), through the optional `webgpu` package. */
export function probeWebGpuAdapter(): Promise<AdapterProbe> {
  probed ??= probe();
  return probed;
}

async function probe(): Promise<AdapterProbe> {
  const noDriver = missingVulkanDriver();
  if (noDriver) return { kind: 'none', reason: noDriver };
  let bindings: { create(flags: string[]): { requestAdapter(options?: object): Promise<GpuAdapterLike | null> } };
  try {
    bindings = (await import(DAWN_BINDINGS)) as typeof bindings;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND';
    return {
      kind: 'unknown',
      reason: missing
        ? 'the optional `webgpu` package (Dawn for Node, which names the adapter) is not installed'
        : `the \`webgpu\` package does not load here (${describeError(error)})`,
    };
  }
  // onnxruntime-node's Dawn asks for a high-performance adapter; ask for the same one.
  const adapter = await bindings.create([]).requestAdapter({ powerPreference: 'high-performance' });
  return adapter ? { kind: 'found', adapter: describeAdapter(adapter) } : { kind: 'none', reason: NO_WEBGPU_ADAPTER };
}

/**
 * On Linux, Dawn reaches GPUs only through Vulkan drivers, which the Vulkan loader finds by their
 * manifests. With none, there is no adapter: said without loading Dawn (which would print the
 * loader's warnings on stderr).
 */
function missingVulkanDriver(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  if (process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES || process.env.VK_ADD_DRIVER_FILES) return undefined;
  const dataDirs = (process.env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':');
  const configDirs = (process.env.XDG_CONFIG_DIRS || '/etc/xdg').split(':');
  const dataHome = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  const folders = [...configDirs, '/etc', ...dataDirs, dataHome].map((dir) => join(dir, 'vulkan', 'icd.d'));
  const manifests = folders.some((folder) => existsSync(folder) && readdirSync(folder).some((file) => file.endsWith('.json')));
  return manifests
    ? undefined
    : 'no adapter (no Vulkan driver is installed: install a GPU driver, or set VK_ICD_FILENAMES to a driver manifest)';
}
