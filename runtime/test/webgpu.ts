/**
 * WebGPU for the tests, on a machine without a GPU: SwiftShader's Vulkan driver (shipped by Debian's
 * chromium package) through the Vulkan loader (Debian's libvulkan1) gives Dawn — inside
 * onnxruntime-node's WebGPU provider, and inside the `webgpu` package that names the adapter — a
 * software adapter. Set before the first WebGPU session (the Vulkan loader reads the variable then);
 * a variable the caller set is kept. A missing driver fails the tests that need it, naming the
 * package: never a skip.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const VULKAN_LOADER = '/usr/lib/x86_64-linux-gnu/libvulkan.so.1';

/** Points Dawn at SwiftShader unless VK_ICD_FILENAMES is set; throws naming the Debian packages when they are missing. */
export function useSoftwareWebGpu(): void {
  if (!process.env.VK_ICD_FILENAMES) {
    const missing = [!existsSync(SWIFTSHADER_ICD) && `chromium (for SwiftShader's Vulkan driver, ${SWIFTSHADER_ICD})`, process.arch === 'x64' && !existsSync(VULKAN_LOADER) && `libvulkan1 (the Vulkan loader, ${VULKAN_LOADER})`].filter(Boolean);
    if (missing.length > 0) {
      throw new Error(`the WebGPU tests need the Debian packages ${missing.join(' and ')}: apt-get install chromium libvulkan1, or set VK_ICD_FILENAMES to a Vulkan driver manifest`);
    }
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  // Dawn warns on every adapter request when XDG_RUNTIME_DIR is unset or unusable.
  if (!process.env.XDG_RUNTIME_DIR || !existsSync(process.env.XDG_RUNTIME_DIR)) process.env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'tfjs-onnx-xdg-'));
}
