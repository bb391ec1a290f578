/**
 * Images for the /classify route, off the event loop: a small pool of worker threads (piscina)
 * decodes each PNG/JPEG within the image limits and shrinks it to the model's size. The small
 * picture then goes through the inference core like any request: the runtime's classifier over
 * the served model turns it into the model's input (so this route and `tfjs-onnx predict` agree).
 * A 50-megapixel upload costs a worker some time, never the other requests their latency.
 */
import { Piscina } from 'piscina';
import type { ImageDataLike } from '@tfjs-onnx/runtime';
import { serverAsset } from '../assets.ts';
import { UndecodableImageError } from '../errors.ts';

export interface ImageOptions {
  workers: number;
  maxMegapixels: number;
  maxAspect: number;
}

type WorkerResult = ImageDataLike | { error: { name: string; message: string } };

export class ImageDecoders {
  private readonly pool: Piscina;

  constructor(private readonly options: ImageOptions) {
    this.pool = new Piscina({
      filename: serverAsset('server/images/decodeWorker.mjs'),
      minThreads: 0,
      maxThreads: options.workers,
      // Idle workers go away, so a server that never sees an image holds no extra threads.
      idleTimeout: 30_000,
    });
  }

  /** PNG/JPEG `bytes` decoded and shrunk to `size` in a worker: RGBA pixels at the model's size. */
  async decode(bytes: Uint8Array, size: { height: number; width: number }): Promise<ImageDataLike> {
    const limits = { maxMegapixels: this.options.maxMegapixels, maxAspectRatio: this.options.maxAspect };
    const result: WorkerResult = await this.pool.run({ bytes, limits, height: size.height, width: size.width });
    if ('error' in result) throw new UndecodableImageError(result.error.message);
    return result;
  }

  async close(): Promise<void> {
    await this.pool.close({ force: true }).catch(() => undefined);
  }
}
