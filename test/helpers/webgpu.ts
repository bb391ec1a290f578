/**
 * WebGPU for the tests on a machine without a GPU: SwiftShader's Vulkan driver, which Debian's
 * chromium package ships, reached through the Vulkan loader (libvulkan1) by Dawn inside
 * onnxruntime-node's WebGPU provider and inside the `webgpu` package that names the adapter. The
 * variable must be set before the first WebGPU session (the Vulkan loader reads it then); one the
 * caller set is kept, so a developer with a GPU can point the tests at it. A missing package fails
 * the test naming it: never a skip.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireSystemPackage } from './systemPackages.ts';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Points Dawn at SwiftShader unless VK_ICD_FILENAMES is set; returns the environment for child processes. */
export function useSoftwareWebGpu(): { VK_ICD_FILENAMES: string; XDG_RUNTIME_DIR: string } {
  if (!process.env.VK_ICD_FILENAMES) {
    requireSystemPackage('chromium');
    requireSystemPackage('libvulkan1');
    if (!existsSync(SWIFTSHADER_ICD))
      throw new Error(
        `the Debian package chromium is installed but ${SWIFTSHADER_ICD} (SwiftShader's Vulkan driver) is missing; reinstall it: apt-get install --reinstall chromium`,
      );
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  // Dawn warns on every adapter request when XDG_RUNTIME_DIR is unset or unusable.
  if (!process.env.XDG_RUNTIME_DIR || !existsSync(process.env.XDG_RUNTIME_DIR))
    process.env.XDG_RUNTIME_DIR = mkdtempSync(path.join(os.tmpdir(), 'tfjs-onnx-xdg-'));
  return { VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR };
}
