/**
 * WebGPU adapters as the runtime reports them, from the WebGPU API's own GPUAdapter (Dawn's Node
 * bindings in Node, navigator.gpu in browsers), and the checks both platforms apply before handing
 * a model to onnxruntime's WebGPU provider.
 */
import type { GpuAdapterInfo, Placement } from '../types.js';
import type { DeviceRequest } from './requests.js';

/** The parts of a GPUAdapter read here (the WebGPU API's shape; no DOM types needed). */
export interface GpuAdapterLike {
  readonly features: { has(name: string): boolean };
  readonly info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  /** Older browsers put it here instead of on info. */
  readonly isFallbackAdapter?: boolean;
}

/** Drivers that run the GPU API on the CPU, by the names they report. */
const SOFTWARE_DRIVERS = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render driver/i;

export function describeAdapter(adapter: GpuAdapterLike): GpuAdapterInfo {
  const info = adapter.info ?? {};
  const vendor = info.vendor ?? '';
  const architecture = info.architecture ?? '';
  const name = info.description || [vendor, architecture, info.device].filter(Boolean).join(' ') || 'an unnamed adapter';
  const fallback = info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false;
  return {
    name,
    vendor,
    architecture,
    software: fallback || SOFTWARE_DRIVERS.test(`${name} ${vendor} ${architecture} ${info.device ?? ''}`),
    shaderF16: adapter.features.has('shader-f16'),
  };
}

/** "SwiftShader driver 5.0.0 (software)". */
export function adapterLabel(adapter: GpuAdapterInfo): string {
  return `${adapter.name}${adapter.software ? ' (software)' : ''}`;
}

/** Why a found adapter will not do for this request (and what to do), or undefined when it will. */
export function adapterRefusal(adapter: GpuAdapterInfo, request: DeviceRequest): { reason: string; hint: string } | undefined {
  if (request.strict && adapter.software) {
    return {
      reason: `the only adapter is a software one (${adapter.name}), slower than the CPU`,
      hint: "load with device 'webgpu' to use it anyway",
    };
  }
  if (adapter.shaderF16) return undefined;
  const use = request.float16Use();
  if (!use) return undefined;
  return {
    reason: `the adapter (${adapter.name}) lacks shader-f16, and this model computes in float16 at run time (${use})`,
    hint: "load it on the CPU, or use a model that computes in float32 (tfjs-onnx's fp16 variants do: float16 weights, float32 compute)",
  };
}

/** "webgpu (onnxruntime-node, SwiftShader driver 5.0.0, software)" or "cpu (onnxruntime-node)": where a model runs, for logs and tables. */
export function describePlacement(placement: Placement): string {
  const parts: string[] = [placement.runtime];
  if (placement.executionProvider !== placement.device) parts.push(`provider ${placement.executionProvider}`);
  if (placement.adapter) parts.push(placement.adapter.software ? `${placement.adapter.name}, software` : placement.adapter.name);
  return `${placement.device} (${parts.join(', ')})`;
}
