/**
 * The server's options: numeric ones bounded, each refused with a message naming its flag before
 * anything is loaded, and the image limits defaulting to the runtime's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_IMAGE_LIMITS } from '@tfjs-onnx/runtime';
import { InvalidOptionError } from '../../common/errors.ts';
import { SERVE_DEFAULTS } from '../../server/options.ts';
import { startServer } from '../../server/index.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { makeTestModel } from './helpers/fixtures.ts';

let onnxPath: string;

beforeAll(async () => {
  onnxPath = (await makeTestModel(tempDir('tfjs-onnx-options-'))).onnx;
});

describe('options', () => {
  it("defaults to the runtime's image limits", () => {
    expect({ maxMegapixels: SERVE_DEFAULTS.maxImageMegapixels, maxAspectRatio: SERVE_DEFAULTS.maxImageAspect }).toEqual(
      DEFAULT_IMAGE_LIMITS,
    );
  });

  it('refuses numbers outside sane ranges before loading anything, naming the flag', async () => {
    const cases: [object, RegExp][] = [
      [{ intraOpThreads: 100_000 }, /--threads must be a whole number from 0 to 256, got 100000/],
      [{ intraOpThreads: 1e9 }, /--threads/],
      [{ maxDelayMs: 1e9 }, /--max-delay-ms must be a number from 0 to 10000 \(ms\), got 1000000000/],
      [{ maxDelayMs: Number.NaN }, /--max-delay-ms/],
      [{ maxBatch: 0 }, /--max-batch must be a whole number from 1 to 4096/],
      [{ port: 70_000 }, /--port must be a whole number from 0 to 65535/],
      [{ bodyLimit: -1 }, /--body-limit/],
      [{ maxConnections: 0 }, /--max-connections/],
      [{ requestTimeoutMs: 10 }, /--request-timeout-ms must be a whole number from 100/],
      [{ shutdownGraceMs: 1e12 }, /--shutdown-grace-ms/],
      [{ maxTensorElements: 2 ** 40 }, /--max-tensor-elements/],
      [{ maxImageMegapixels: 0 }, /--max-image-megapixels/],
      [{ port: 9000, grpcPort: 9000 }, /--grpc-port 9000 is the HTTP --port too/],
      [{ loadModels: ['x'] }, /--load-model names the models to load at start in --model-control-mode explicit/],
    ];
    for (const [options, message] of cases) {
      const attempt = startServer({ modelPaths: [onnxPath], port: 0, grpcPort: false, ...options });
      await expect(attempt).rejects.toThrow(InvalidOptionError);
      await expect(attempt).rejects.toThrow(message);
    }
    await expect(startServer({ port: 0 })).rejects.toThrow(/name an ONNX model to serve/);
  });
});
