/** The Platform of the browser entries: onnxruntime-web (the build the entry picks), fetch, and the browser's image decoders. */
import type { WasmBuild } from './backends/wasm.js';
import { BROWSER_DEVICE_PACKAGES } from './constants.js';
import { browserDeviceChecks } from './devices/browser.js';
import { decodeImageInBrowser, readImageInBrowser } from './image/browser.js';
import type { Platform } from './platform.js';
import { fetchModel, fromMemory, invalidSource } from './source.js';

export function browserPlatform(build: WasmBuild): Platform {
  return {
    entry: `${build.name} (browser)`,
    devicePackages: BROWSER_DEVICE_PACKAGES,
    cpuDevice: 'wasm',
    runtimes: {
      'onnxruntime-web': async () => (await import('./backends/wasm.js')).wasmEngineFactory(build),
    },
    ...browserDeviceChecks(build),
    async readModel(source, dtype) {
      if (source instanceof Uint8Array || source instanceof ArrayBuffer) return fromMemory(source);
      // fetch resolves relative URLs against the page, as users expect from a model path in a web app.
      if (source instanceof URL) return fetchModel(source.href, dtype);
      if (typeof source === 'string') return fetchModel(source, dtype);
      throw invalidSource(source);
    },
    decodeImage: decodeImageInBrowser,
    readImage: readImageInBrowser,
    imageInputs: 'PNG/JPEG bytes, a Blob or File, an <img>, a canvas, an ImageBitmap, or a URL of an image',
  };
}
