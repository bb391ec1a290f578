/**
 * What the demo page tests draw and open: digit strokes for the drawing pad, the first MNIST test
 * images as PNG files, and a digit enlarged onto white paper.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PNG } from 'pngjs';
import { loadDataset } from '../../training/data/datasets.ts';

/** A stroke as points in fractions of the pad's width and height. */
export type Stroke = [number, number][];

export const ONE: Stroke[] = [
  [
    [0.52, 0.14],
    [0.5, 0.5],
    [0.48, 0.86],
  ],
];
export const SEVEN: Stroke[] = [
  [
    [0.24, 0.18],
    [0.76, 0.18],
    [0.6, 0.45],
    [0.44, 0.86],
  ],
];
export const ZERO: Stroke[] = [
  Array.from({ length: 21 }, (_, i): [number, number] => [
    0.5 + 0.22 * Math.sin((i / 20) * 2 * Math.PI),
    0.5 - 0.34 * Math.cos((i / 20) * 2 * Math.PI),
  ]),
];

/** The first test images of MNIST as 28×28 grayscale PNGs, and their pixels. */
export async function writeMnistTestImages(directory: string, indices: number[]): Promise<{ file: string; pixels: Uint8Array }[]> {
  await mkdir(directory, { recursive: true });
  const { test, height, width } = await loadDataset({ dataset: 'mnist', limit: 1 });
  return Promise.all(
    indices.map(async (index) => {
      const pixels = test.images.slice(index * height * width, (index + 1) * height * width);
      const png = new PNG({ width, height });
      pixels.forEach((value, p) => {
        png.data.set([value, value, value, 255], p * 4);
      });
      const file = path.join(directory, `mnist-test-${index}-label-${test.labels[index]}.png`);
      await writeFile(file, PNG.sync.write(png, { colorType: 0 }));
      return { file, pixels };
    }),
  );
}

/** A gray image scaled up by a whole factor and inverted: a dark digit on white paper, larger than the model's input. */
export function upscaledOnPaper(pixels: Uint8Array, size: number, factor: number): PNG {
  const png = new PNG({ width: size * factor, height: size * factor });
  for (let y = 0; y < png.height; y += 1) {
    for (let x = 0; x < png.width; x += 1) {
      const ink = pixels[Math.floor(y / factor) * size + Math.floor(x / factor)]!;
      png.data.set([255 - ink, 255 - ink, 255 - ink, 255], (y * png.width + x) * 4);
    }
  }
  return png;
}
