/**
 * The server's numeric options as a table: each one's flag, default, range and one line for the
 * README and --help. The resource limits are a registry of their own (RESOURCE_LIMITS): the README's
 * limits section is checked against it, so the documentation names exactly the flags that exist.
 */
import { DEFAULT_IMAGE_LIMITS } from '@tfjs-onnx/runtime/constants';
import type { ServeOptions } from './serveOptions.ts';

export interface NumericOption {
  /** The ServeOptions key. */
  key: keyof ServeOptions;
  flag: string;
  default: number;
  min: number;
  max: number;
  integer: boolean;
  unit?: string;
  /** One line for the README and --help. */
  describe: string;
}

/** The resource limits: each bounds what one request or client can make the server hold. */
export const RESOURCE_LIMITS: readonly NumericOption[] = [
  {
    key: 'bodyLimit',
    flag: '--body-limit',
    default: 8 * 1024 * 1024,
    min: 1,
    max: 1024 * 1024 * 1024,
    integer: true,
    unit: 'bytes',
    describe: 'largest request body (HTTP, after decompression) and gRPC message; larger ones get 413 / RESOURCE_EXHAUSTED',
  },
  {
    key: 'maxTensorElements',
    flag: '--max-tensor-elements',
    default: 4 * 1024 * 1024,
    min: 1,
    max: 1 << 28,
    integer: true,
    describe: 'most elements one input tensor may declare; checked from the shape, before anything is allocated',
  },
  {
    key: 'maxImageMegapixels',
    flag: '--max-image-megapixels',
    default: DEFAULT_IMAGE_LIMITS.maxMegapixels,
    min: 0.000001,
    max: 1000,
    integer: false,
    describe: 'largest image /classify decodes, read from the PNG or JPEG header before decoding',
  },
  {
    key: 'maxImageAspect',
    flag: '--max-image-aspect',
    default: DEFAULT_IMAGE_LIMITS.maxAspectRatio,
    min: 1,
    max: 100_000,
    integer: false,
    describe: 'most elongated image /classify decodes (long side ÷ short side)',
  },
  {
    key: 'maxBatch',
    flag: '--max-batch',
    default: 64,
    min: 1,
    max: 4096,
    integer: true,
    unit: 'rows',
    describe: 'most rows dynamic batching merges into one run (models without config.pbtxt; 1 turns batching off)',
  },
  {
    key: 'requestTimeoutMs',
    flag: '--request-timeout-ms',
    default: 30_000,
    min: 100,
    max: 3_600_000,
    integer: true,
    unit: 'ms',
    describe: 'longest a client may take to send a request (HTTP: 408 and close; gRPC: a stalled connection is closed)',
  },
  {
    key: 'headerTimeoutMs',
    flag: '--header-timeout-ms',
    default: 5_000,
    min: 100,
    max: 3_600_000,
    integer: true,
    unit: 'ms',
    describe:
      "longest a client may take to send a request's headers (HTTP: 408 and close; gRPC: a connection that has not sent HTTP/2's preface by then is closed)",
  },
  {
    key: 'minBodyRate',
    flag: '--min-body-rate',
    default: 240,
    min: 0,
    max: 1_000_000_000,
    integer: true,
    unit: 'bytes/s',
    describe:
      'slowest a request body (HTTP) or a gRPC connection with a message on its way may arrive, averaged since it began, once the grace period is over; slower: 408 and close / the connection is closed (0: no minimum)',
  },
  {
    key: 'bodyRateGraceMs',
    flag: '--body-rate-grace-ms',
    default: 5_000,
    min: 0,
    max: 3_600_000,
    integer: true,
    unit: 'ms',
    describe: 'how long a body may arrive below --min-body-rate before it is held to it',
  },
  {
    key: 'maxConnections',
    flag: '--max-connections',
    default: 512,
    min: 1,
    max: 1_000_000,
    integer: true,
    describe: 'open client connections per process, HTTP and gRPC together; further ones are closed at once',
  },
  {
    key: 'shutdownGraceMs',
    flag: '--shutdown-grace-ms',
    default: 10_000,
    min: 0,
    max: 600_000,
    integer: true,
    unit: 'ms',
    describe: 'on SIGTERM, how long in-flight requests may take before what is left is closed',
  },
  {
    key: 'maxShmRegions',
    flag: '--max-shm-regions',
    default: 128,
    min: 1,
    max: 65_536,
    integer: true,
    describe: 'system shared-memory regions registered at once (each holds a file descriptor); more are refused',
  },
  {
    key: 'maxShmBytes',
    flag: '--max-shm-bytes',
    default: 4 * 1024 ** 3,
    min: 1,
    max: 2 ** 50,
    integer: true,
    unit: 'bytes',
    describe: "the registered regions' sizes added up; a region that would pass it is refused",
  },
];

/** The other numeric options, bounded the same way. */
const OTHER_NUMBERS: readonly NumericOption[] = [
  { key: 'port', flag: '--port', default: 8000, min: 0, max: 65535, integer: true, describe: 'HTTP port (0 picks a free one)' },
  { key: 'grpcPort', flag: '--grpc-port', default: 8001, min: 0, max: 65535, integer: true, describe: 'gRPC port (0 picks a free one)' },
  {
    key: 'maxDelayMs',
    flag: '--max-delay-ms',
    default: 0,
    min: 0,
    max: 10_000,
    integer: false,
    unit: 'ms',
    describe: 'how long the first request of an idle model waits for others to batch with',
  },
  {
    key: 'intraOpThreads',
    flag: '--threads',
    default: 0,
    min: 0,
    max: 256,
    integer: true,
    describe: 'onnxruntime intra-op threads per model (0: onnxruntime decides)',
  },
  {
    key: 'repositoryPollSecs',
    flag: '--repository-poll-secs',
    default: 15,
    min: 1,
    max: 86_400,
    integer: true,
    unit: 's',
    describe: 'poll mode: how often the repository is re-read',
  },
  {
    key: 'imageWorkers',
    flag: '--image-workers',
    default: 2,
    min: 1,
    max: 64,
    integer: true,
    describe: 'worker threads decoding images for /classify',
  },
];

/** Every numeric option with its flag, default and range: the CLI builds `serve`'s flags from it. */
export const NUMERIC_OPTIONS: readonly NumericOption[] = [...RESOURCE_LIMITS, ...OTHER_NUMBERS];
