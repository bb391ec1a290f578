/** Test images become PNG data URIs so the page carries them inline and needs no image files. */
import { PNG } from 'pngjs';
import type { MisclassifiedImage } from './types.ts';

type ImageGeometry = Pick<MisclassifiedImage, 'pixels' | 'height' | 'width' | 'channels'>;

/**
 * Encodes height × width × channels pixels (1 = grayscale, 3 = RGB, 0–255) as a PNG data URI.
 * Grayscale stays a grayscale PNG: a third of the bytes, and the page holds dozens of them.
 */
export function encodePngDataUri(image: ImageGeometry): string {
  const png = new PNG({ width: image.width, height: image.height, colorType: image.channels === 1 ? 0 : 2 });
  // pngjs takes RGBA input whatever the output colour type; it drops what the output does not keep.
  png.data = Buffer.from(toRgba(image));
  const bytes = PNG.sync.write(png, { colorType: image.channels === 1 ? 0 : 2 });
  return `data:image/png;base64,${bytes.toString('base64')}`;
}

function toRgba({ pixels, height, width, channels }: ImageGeometry): Uint8Array {
  const rgba = new Uint8Array(height * width * 4);
  for (let pixel = 0; pixel < height * width; pixel += 1) {
    const source = pixel * channels;
    const red = pixels[source]!;
    rgba[pixel * 4] = red;
    rgba[pixel * 4 + 1] = channels === 1 ? red : pixels[source + 1]!;
    rgba[pixel * 4 + 2] = channels === 1 ? red : pixels[source + 2]!;
    rgba[pixel * 4 + 3] = 255;
  }
  return rgba;
}

/** Whole-number upscaling keeps every source pixel the same size on screen; aims at about 84 px. */
export function displayScale(height: number, width: number, targetPixels = 84): number {
  return Math.max(1, Math.round(targetPixels / Math.max(height, width)));
}
