/**
 * The server's options, their defaults and their sane ranges: the one place both the library
 * (startServer) and the CLI (tfjs-onnx serve) read them from, so the two can never disagree. The
 * resource limits are a registry of their own (RESOURCE_LIMITS): the README's limits section is
 * checked against it, so the documentation names exactly the flags that exist. It imports nothing
 * heavy, so `serve --help` can read it without loading the server.
 */
import { DEFAULT_IMAGE_LIMITS, type Device as RuntimeDevice } from '@tfjs-onnx/runtime/constants';
import { InvalidOptionError } from '../common/errors.ts';

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

const NUMBERS = [...RESOURCE_LIMITS, ...OTHER_NUMBERS];
/** Every numeric option with its flag, default and range: the CLI builds `serve`'s flags from it. */
export const NUMERIC_OPTIONS: readonly NumericOption[] = NUMBERS;

/** Triton's max_batch_size written by export-triton unless told otherwise. */
export const DEFAULT_MAX_BATCH_SIZE = 64;

function defaultOf(key: keyof ServeOptions): number {
  return NUMBERS.find((option) => option.key === key)!.default;
}

type DefaultedKeys =
  | 'host'
  | 'port'
  | 'grpcPort'
  | 'device'
  | 'modelControlMode'
  | 'maxBatch'
  | 'maxDelayMs'
  | 'bodyLimit'
  | 'maxTensorElements'
  | 'maxImageMegapixels'
  | 'maxImageAspect'
  | 'requestTimeoutMs'
  | 'maxConnections'
  | 'shutdownGraceMs'
  | 'repositoryPollSecs'
  | 'imageWorkers'
  | 'allowClientShm'
  | 'maxShmRegions'
  | 'maxShmBytes'
  | 'headerTimeoutMs'
  | 'minBodyRate'
  | 'bodyRateGraceMs';

/** Options with every default filled in. */
export type ServeSettings = Omit<ServeOptions, DefaultedKeys> & { [K in DefaultedKeys]-?: NonNullable<ServeOptions[K]> };

export const SERVE_DEFAULTS: Readonly<Pick<ServeSettings, DefaultedKeys>> = {
  host: '127.0.0.1',
  port: defaultOf('port'),
  grpcPort: defaultOf('grpcPort'),
  device: 'cpu',
  modelControlMode: 'none',
  maxBatch: defaultOf('maxBatch'),
  maxDelayMs: defaultOf('maxDelayMs'),
  bodyLimit: defaultOf('bodyLimit'),
  maxTensorElements: defaultOf('maxTensorElements'),
  maxImageMegapixels: defaultOf('maxImageMegapixels'),
  maxImageAspect: defaultOf('maxImageAspect'),
  requestTimeoutMs: defaultOf('requestTimeoutMs'),
  maxConnections: defaultOf('maxConnections'),
  shutdownGraceMs: defaultOf('shutdownGraceMs'),
  repositoryPollSecs: defaultOf('repositoryPollSecs'),
  imageWorkers: defaultOf('imageWorkers'),
  allowClientShm: false,
  maxShmRegions: defaultOf('maxShmRegions'),
  maxShmBytes: defaultOf('maxShmBytes'),
  headerTimeoutMs: defaultOf('headerTimeoutMs'),
  minBodyRate: defaultOf('minBodyRate'),
  bodyRateGraceMs: defaultOf('bodyRateGraceMs'),
};

/** Fills in defaults and refuses out-of-range numbers with a message naming the flag. */
export function resolveServeOptions(options: ServeOptions): ServeSettings {
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as ServeOptions;
  const settings = { ...SERVE_DEFAULTS, ...given } as ServeSettings;
  for (const option of NUMBERS) {
    const value: unknown = settings[option.key];
    if (value === undefined || (option.key === 'grpcPort' && value === false)) continue;
    checkNumber(option, value);
  }
  if (!MODEL_CONTROL_MODES.includes(settings.modelControlMode)) {
    throw new InvalidOptionError(
      `--model-control-mode must be one of ${MODEL_CONTROL_MODES.join(', ')}, got '${String(settings.modelControlMode)}'`,
    );
  }
  if (settings.modelControlMode !== 'none' && settings.modelRepository === undefined) {
    throw new InvalidOptionError(
      `--model-control-mode ${settings.modelControlMode} needs --model-repository: it controls the models of a repository`,
    );
  }
  if ((settings.loadModels?.length ?? 0) > 0 && settings.modelControlMode !== 'explicit') {
    throw new InvalidOptionError(
      '--load-model names the models to load at start in --model-control-mode explicit; without it every model is loaded',
    );
  }
  if (typeof settings.allowClientShm !== 'boolean')
    throw new InvalidOptionError(`--allow-client-shm must be true or false, got ${String(settings.allowClientShm)}`);
  if (typeof settings.host !== 'string' || settings.host === '') throw new InvalidOptionError('--host must name an address to listen on');
  if (settings.grpcPort !== false && settings.grpcPort !== 0 && settings.grpcPort === settings.port) {
    throw new InvalidOptionError(`--grpc-port ${settings.grpcPort} is the HTTP --port too; give gRPC its own port (or --no-grpc)`);
  }
  return settings;
}

function checkNumber(option: NumericOption, value: unknown): void {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!option.integer || Number.isInteger(value)) &&
    value >= option.min &&
    value <= option.max;
  if (!ok) {
    const kind = option.integer ? 'a whole number' : 'a number';
    throw new InvalidOptionError(
      `${option.flag} must be ${kind} from ${option.min} to ${option.max}${option.unit ? ` (${option.unit})` : ''}, got ${String(value)}`,
    );
  }
}

/** The name GET /v2 and ServerMetadata report; the version they report is the project's (projectVersion). */
export const SERVER_NAME = 'tfjs-onnx';
