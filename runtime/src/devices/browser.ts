/**
 * Which devices work in this page: WebAssembly always, WebGPU where the build has it, the browser
 * offers navigator.gpu and an adapter. The adapter checked here is the one onnxruntime-web is
 * handed, so the model runs on the adapter it reports.
 */
import type { WasmBuild } from '../backends/wasm.js';
import type { GpuDevice, ResolvedDevice } from '../constants.js';
import { adapterRefusal, describeAdapter, type GpuAdapterLike } from './adapter.js';
import type { DeviceCheck, DeviceRequest } from './requests.js';

interface NavigatorGpu {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}

const adapters = new Map<string, Promise<GpuAdapterLike | null>>();

export function browserDeviceChecks(build: WasmBuild) {
  return {
    async checkDevice(device: ResolvedDevice, request: DeviceRequest): Promise<DeviceCheck> {
      if (device !== 'webgpu') return { ok: true };
      if (!build.webgpu)
        return { ok: false, reason: `onnxruntime-web's WebGPU build is left out of ${build.name}; import '@tfjs-onnx/runtime' for WebGPU` };
      const gpu = typeof navigator === 'undefined' ? undefined : (navigator as { gpu?: NavigatorGpu }).gpu;
      if (!gpu)
        return { ok: false, reason: 'this browser offers no WebGPU (navigator.gpu; pages need a secure context: https or localhost)' };
      const preference = request.options.webgpu?.powerPreference;
      const key = preference ?? '';
      if (!adapters.has(key)) adapters.set(key, gpu.requestAdapter(preference ? { powerPreference: preference } : undefined));
      const adapter = await adapters.get(key)!;
      if (!adapter)
        return { ok: false, reason: 'no adapter (the browser has WebGPU but no GPU it will use: check its GPU settings and driver)' };
      const info = describeAdapter(adapter);
      const refusal = adapterRefusal(info, request);
      return refusal ? { ok: false, ...refusal } : { ok: true, adapter: info, handle: adapter };
    },
    async gpuDevices(): Promise<GpuDevice[]> {
      return build.webgpu ? ['webgpu'] : [];
    },
  };
}
