/** Reads an image file the user picked into RGBA pixels at its own size. */

export interface Picture {
  name: string;
  width: number;
  height: number;
  /** The decoded picture on white, for showing on the pad: the same pixels as `rgba`. */
  canvas: HTMLCanvasElement;
  rgba: Uint8ClampedArray;
}

export class PictureFileError extends Error {
  override name = 'PictureFileError';
}

export async function readPictureFile(file: File): Promise<Picture> {
  let bitmap: ImageBitmap;
  try {
    // No colour management and no premultiplied alpha: a grayscale PNG's bytes are the pixel values we read back.
    bitmap = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch (error) {
    throw new PictureFileError(
      `${file.name} is not an image this browser can decode (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
  try {
    const canvas = document.createElement('canvas');
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new PictureFileError('this browser cannot read image pixels (no 2D canvas context)');
    // Transparent areas count as white paper, as image viewers show them.
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, bitmap.width, bitmap.height);
    context.drawImage(bitmap, 0, 0);
    const rgba = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
    return { name: file.name, width: bitmap.width, height: bitmap.height, canvas, rgba };
  } finally {
    bitmap.close();
  }
}
