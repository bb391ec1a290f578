import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx } from '../../training/data/idx.ts';

/**
 * Writes a small synthetic dataset in the MNIST four-file layout: each class is a bright
 * square at its own position, so even a tiny model learns it in one epoch.
 */
export function writeSyntheticDataset(directory: string, options: { train?: number; test?: number; gzip?: boolean; size?: number } = {}): void {
  const size = options.size ?? 28;
  const splits = { train: options.train ?? 200, t10k: options.test ?? 50 };
  for (const [prefix, count] of Object.entries(splits)) {
    const images = new Uint8Array(count * size * size);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const label = i % 10;
      labels[i] = label;
      const row = 2 + 2 * (label % 5) + (label >= 5 ? 8 : 0);
      const column = 4 + (label >= 5 ? 10 : 0);
      for (let y = row; y < row + 4; y++) for (let x = column; x < column + 6; x++) images[i * size * size + y * size + x] = 200 + ((i * 7) % 55);
    }
    write(directory, `${prefix}-images-idx3-ubyte`, encodeIdx([count, size, size], images), options.gzip);
    write(directory, `${prefix}-labels-idx1-ubyte`, encodeIdx([count], labels), options.gzip);
  }
}

function write(directory: string, name: string, bytes: Uint8Array, gzip = false): void {
  writeFileSync(path.join(directory, gzip ? `${name}.gz` : name), gzip ? gzipSync(bytes) : bytes);
}
