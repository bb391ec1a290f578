/**
 * The server most protocol tests talk to: the digits model (helpers/fixtures.ts, with DIGIT_LABELS)
 * on a free port, the same model loaded directly with the runtime to compare answers with, and
 * optionally the every-datatype model and a gRPC client. Started before all tests of a file and
 * closed after them; the returned object is filled in once beforeAll has run.
 */
import path from 'node:path';
import { type Classifier, loadClassifier } from '@tfjs-onnx/runtime';
import { afterAll, beforeAll, expect } from 'vitest';
import { type RunningServer, type ServeOptions, startServer } from '../../../server/index.ts';
import { tempDir } from '../../helpers/tempDir.ts';
import { DIGIT_LABELS, makeTestModel } from './fixtures.ts';
import { type GrpcClient, grpcClient } from './grpcClient.ts';
import { writeAllTypesModel } from './models.ts';

export interface DigitsServer {
  /** The temporary folder holding the models. */
  directory: string;
  /** The digits model loaded with the runtime, to compare the server's answers with. */
  classifier: Classifier;
  server: RunningServer;
  /** A client on the gRPC port (64-bit integers as numbers, defaults filled in), when gRPC is on. */
  client: GrpcClient;
  /** The server's URL of a route, the digits model's infer route by default. */
  inferUrl: (route?: string) => string;
}

export interface DigitsServerSetup {
  /** The temporary folder's prefix. */
  tempPrefix: string;
  /** Serve 'types' too: an input and an output of every datatype (helpers/models.ts). */
  typesModel?: boolean;
  /** startServer's options beyond the model files and the HTTP port (a free one). */
  serve: Omit<ServeOptions, 'modelPaths' | 'port'>;
}

export function useDigitsServer(setup: DigitsServerSetup): DigitsServer {
  const served = { inferUrl: (route = '/v2/models/digits/infer') => `${served.server.url}${route}` } as DigitsServer;
  beforeAll(async () => {
    served.directory = tempDir(setup.tempPrefix);
    const digits = (await makeTestModel(served.directory, { name: 'digits', labels: DIGIT_LABELS })).onnx;
    served.classifier = await loadClassifier(digits, { device: 'cpu' });
    const modelPaths = [digits];
    if (setup.typesModel) {
      modelPaths.push(path.join(served.directory, 'types.onnx'));
      writeAllTypesModel(modelPaths[1]!);
    }
    served.server = await startServer({ modelPaths, port: 0, ...setup.serve });
    // The client side loads the .proto the way any @grpc/grpc-js user would, with its own options.
    if (setup.serve.grpcPort !== false)
      served.client = grpcClient(served.server.grpcAddress!, { keepCase: true, longs: Number, defaults: true, oneofs: true });
  });
  afterAll(async () => {
    served.client?.close();
    await served.server?.close();
    await served.classifier?.dispose();
  });
  return served;
}

/** The HTTP inference tests' body limit: small enough for a test to pass it. */
export const BODY_LIMIT = 256 * 1024;

/** The digits model over HTTP only, with a batching delay long enough that concurrent test requests reliably meet in one batch. */
export function useHttpDigitsServer(): DigitsServer {
  return useDigitsServer({ tempPrefix: 'tfjs-onnx-server-', serve: { grpcPort: false, maxDelayMs: 10, bodyLimit: BODY_LIMIT } });
}

/** Every value within float rounding of what the runtime's classifier gives (batched runs may sum in another order). */
export function expectClose(actual: number[], expected: Float32Array): void {
  expect(actual).toHaveLength(expected.length);
  for (const [i, value] of actual.entries()) expect(Math.abs(value - expected[i])).toBeLessThan(1e-5);
}
