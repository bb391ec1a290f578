/**
 * Images for the /classify route, off the event loop: a small pool of worker threads (piscina)
 * decodes each PNG/JPEG within the image limits and shrinks it to the model's size, and the
 * model's classifier (the runtime's, so this route and `tfjs-onnx predict` agree) turns the small
 * picture into the top-k labels. A 50-megapixel upload then costs a worker some time, never the
 * other requests their latency.
 */
import { Piscina } from 'piscina';
import type { ImageDataLike, Prediction } from '@tfjs-onnx/runtime';
import { serverAsset } from '../assets.ts';
import { UndecodableImageError } from '../errors.ts';
import type { ServedModel } from '../core/servedModel.ts';

export interface ImageOptions {
  workers: number;
  maxMegapixels: number;
  maxAspect: number;
}

type WorkerResult = ImageDataLike | { error: { name: string; message: string } };

export class ImageClassifier {
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

  /** The top-k classes of PNG/JPEG `bytes` under `model`. */
  async classifyImage(model: ServedModel, bytes: Uint8Array, topK: number): Promise<Prediction[]> {
    const classifier = await model.classifier();
    const { height, width } = classifier.imageSize;
    const result: WorkerResult = await this.pool.run({ bytes, limits: { maxMegapixels: this.options.maxMegapixels, maxAspectRatio: this.options.maxAspect }, height, width });
    if ('error' in result) throw new UndecodableImageError(result.error.message);
    const [classification] = await classifier.classify(result, { topK: Math.min(topK, classifier.classCount) });
    return classification.top;
  }

  /** The top-k classes of raw 0–255 pixels at the model's size. */
  async classifyPixels(model: ServedModel, pixels: Uint8Array, topK: number): Promise<Prediction[]> {
    const classifier = await model.classifier();
    const [classification] = await classifier.classify(pixels, { topK: Math.min(topK, classifier.classCount) });
    return classification.top;
  }

  async close(): Promise<void> {
    await this.pool.close({ force: true }).catch(() => undefined);
  }
}
