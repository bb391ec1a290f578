/**
 * What differs between entry points, handed to the core: which devices exist and the package each
 * runs on (loaded lazily), how a device is checked before a session is tried, how model sources are
 * read, and how images that are not plain pixels (encoded files, browser image objects, URLs) become pixels.
 */
import type { EngineFactory } from './backends/engine.js';
import type { GpuDevice, ResolvedDevice, RuntimePackage } from './constants.js';
import type { DeviceCheck, DeviceRequest } from './devices/requests.js';
import type { ImageLimits } from './image/limits.js';
import type { PixelImage } from './image/pixels.js';
import type { ModelDtype, ModelSource } from './types.js';

export interface ModelBytes {
  bytes: Uint8Array;
  /** How to name the model in messages: a path, a URL or "the in-memory model". */
  name: string;
}

/** Decodes PNG/JPEG bytes within the limits (checked from the header first). */
export type ImageDecoder = (bytes: Uint8Array, limits: ImageLimits, name: string) => PixelImage | Promise<PixelImage>;

/**
 * Reads an input that is neither an array nor an ImageData: a file path or URL (its bytes, still
 * encoded) or a browser image object (its pixels). Returns undefined for inputs it does not know.
 */
export type ImageReader = (input: unknown, name: string, limits: ImageLimits) => Promise<Uint8Array | PixelImage | undefined>;

export interface Platform {
  /** For messages: '@tfjs-onnx/runtime' or '@tfjs-onnx/runtime/wasm', in Node or a browser. */
  entry: string;
  /** The devices this entry runs, and the package each runs on. */
  devicePackages: Partial<Record<ResolvedDevice, RuntimePackage>>;
  /** What 'cpu' means here, and what 'auto' falls back to: 'cpu' in Node, 'wasm' in browsers. */
  cpuDevice: ResolvedDevice;
  /** Each package's engine factory, loading the package on first use. */
  runtimes: Partial<Record<RuntimePackage, () => Promise<EngineFactory>>>;
  /** Whether a device can work here (libraries, adapter), checked before a session is tried. */
  checkDevice(device: ResolvedDevice, request: DeviceRequest): Promise<DeviceCheck>;
  /** The GPU devices the package offers here, in the order 'gpu' tries them. */
  gpuDevices(): Promise<GpuDevice[]>;
  readModel(source: ModelSource, dtype: ModelDtype | undefined): Promise<ModelBytes>;
  decodeImage: ImageDecoder;
  readImage: ImageReader;
  /** The other kinds of image input readImage takes, for messages ('or a file path or URL of a PNG/JPEG'). */
  imageInputs: string;
}
