/**
 * What startServer accepts (and `tfjs-onnx serve`'s flags set): the options and Triton's model
 * control modes. Their defaults and checks are in options.ts, the numeric ones' flags and ranges in
 * numericOptions.ts. It imports nothing heavy, so `serve --help` can read it without loading the server.
 */
import type { Device as RuntimeDevice } from '@tfjs-onnx/runtime/constants';

/** Triton's model control modes (core/registry.ts implements them). */
export const MODEL_CONTROL_MODES = ['none', 'explicit', 'poll'] as const;
export type ModelControlMode = (typeof MODEL_CONTROL_MODES)[number];

export type Device = RuntimeDevice;

export interface ServeOptions {
  /** ONNX files to serve, one model each (version 1). */
  modelPaths?: string[];
  /** A directory whose *.onnx files are all served. */
  modelDir?: string;
  /** A Triton model repository: DIR/<name>/config.pbtxt and DIR/<name>/<version>/model.onnx. */
  modelRepository?: string;
  /** Name for the model when exactly one file is served; otherwise names are file names without extension. */
  name?: string;
  modelControlMode?: ModelControlMode;
  /** explicit mode: repository models to load at start; '*' loads them all. */
  loadModels?: string[];
  repositoryPollSecs?: number;
  host?: string;
  /** 0 lets the OS pick a free port. */
  port?: number;
  /** gRPC port; 0 picks a free one; false turns gRPC off. */
  grpcPort?: number | false;
  /**
   * Where models run (the runtime's device word): cpu, wasm, webgpu, cuda, dml, coreml, gpu, auto.
   * A repository model's instance_group kind overrides it: KIND_GPU → gpu, KIND_CPU → cpu.
   */
  device?: Device;
  intraOpThreads?: number;
  /** Rows merged into one run at most, for models without a config.pbtxt; 1 turns dynamic batching off. */
  maxBatch?: number;
  /** How long the first queued request waits for company (0: only what queues during a run is merged). */
  maxDelayMs?: number;
  bodyLimit?: number;
  maxTensorElements?: number;
  maxImageMegapixels?: number;
  maxImageAspect?: number;
  requestTimeoutMs?: number;
  maxConnections?: number;
  shutdownGraceMs?: number;
  /** Worker threads decoding images for /classify, so a large image never blocks the event loop. */
  imageWorkers?: number;
  /** Triton's --allow-client-shm: clients may register system shared-memory regions (off by default, as in Triton). */
  allowClientShm?: boolean;
  maxShmRegions?: number;
  maxShmBytes?: number;
  headerTimeoutMs?: number;
  minBodyRate?: number;
  bodyRateGraceMs?: number;
  /** Called with each startup line (addresses, routes); the CLI prints them, tests keep them quiet. */
  log?: (line: string) => void;
}
