/**
 * The server's options, their defaults and their sane ranges: the one place both the library
 * (startServer) and the CLI (tfjs-onnx serve) read them from, so the two can never disagree. The
 * options themselves are serveOptions.ts, the numeric ones' flags and ranges (the resource limits
 * among them) the table in numericOptions.ts; this module fills in the defaults and checks what is
 * given. It imports nothing heavy, so `serve --help` can read it without loading the server.
 */
import { InvalidOptionError } from '../common/errors.ts';

import { NUMERIC_OPTIONS, type NumericOption } from './numericOptions.ts';
import { MODEL_CONTROL_MODES, type ServeOptions } from './serveOptions.ts';

/** Triton's max_batch_size written by export-triton unless told otherwise. */
export const DEFAULT_MAX_BATCH_SIZE = 64;

function defaultOf(key: keyof ServeOptions): number {
  return NUMERIC_OPTIONS.find((option) => option.key === key)!.default;
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
  for (const option of NUMERIC_OPTIONS) {
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
