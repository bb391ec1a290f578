// Runs in a worker thread (piscina): decodes a PNG or JPEG within the image limits, which the
// runtime checks from the header before a byte is decoded, and shrinks it to the model's size, so
// the two steps whose cost grows with the picture never run on the server's event loop. Plain
// JavaScript over the runtime's compiled build, so the worker needs no TypeScript loader.
import { decodeImage, resizeImage } from '@tfjs-onnx/runtime';

/** { bytes, limits, height, width } → { width, height, data: RGBA Uint8ClampedArray } or { error }. */
export default function decodeAndShrink({ bytes, limits, height, width }) {
  try {
    const image = decodeImage(bytes, limits);
    const resized = resizeImage(image, height, width);
    const rgba = new Uint8ClampedArray(width * height * 4);
    const channels = resized.channels;
    for (let pixel = 0; pixel < width * height; pixel++) {
      const source = pixel * channels;
      const gray = channels <= 2;
      rgba[pixel * 4] = resized.data[source];
      rgba[pixel * 4 + 1] = gray ? resized.data[source] : resized.data[source + 1];
      rgba[pixel * 4 + 2] = gray ? resized.data[source] : resized.data[source + 2];
      rgba[pixel * 4 + 3] = channels === 4 ? resized.data[source + 3] : channels === 2 ? resized.data[source + 1] : 255;
    }
    return { width, height, data: rgba };
  } catch (error) {
    // Error classes do not cross threads; the name says which runtime error it was.
    return { error: { name: error?.name ?? 'Error', message: error?.message ?? String(error) } };
  }
}
