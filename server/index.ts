/**
 * The inference server as a library: `startServer(options)` loads the models, listens, and hands
 * back the URL and a `close()` that shuts down gracefully. `tfjs-onnx serve` is a thin CLI over it.
 */
import type { AddressInfo } from 'node:net';
import { DEFAULT_TOP_K } from '@tfjs-onnx/runtime';
import { InvalidOptionError, describeError } from '../common/errors.ts';
import { buildApp } from './app.ts';
import type { ServerContext } from './context.ts';
import { ServerMetrics } from './metrics.ts';
import { disposeModels, loadModels, resolveModelFiles } from './models.ts';
import { SERVE_DEFAULTS, type ServeOptions } from './options.ts';

export { SERVE_DEFAULTS, type ServeOptions } from './options.ts';
export { DynamicBatcher, type BatcherOptions } from './batching.ts';
export { exportTriton, type ExportTritonOptions, type TritonExport } from './triton.ts';

export interface RunningServer {
  /** e.g. http://127.0.0.1:8000 */
  url: string;
  port: number;
  /** Names of the served models, each at `${url}/v2/models/${name}/infer`. */
  models: string[];
  /** Stops accepting requests, lets in-flight ones finish, then releases the models. Safe to call twice. */
  close(): Promise<void>;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const settings = { ...SERVE_DEFAULTS, ...withoutUndefined(options) };
  checkOptions(settings);
  const files = await resolveModelFiles(options);
  const metrics = new ServerMetrics();
  const models = await loadModels(files, {
    backend: settings.backend,
    device: settings.device,
    intraOpThreads: options.intraOpThreads,
    maxBatch: settings.maxBatch,
    maxDelayMs: settings.maxDelayMs,
    metrics,
  });
  const context: ServerContext = { models, metrics, state: { accepting: true }, defaultTopK: DEFAULT_TOP_K };
  const app = buildApp(context, { bodyLimit: settings.bodyLimit, logError: (error) => process.stderr.write(`server error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`) });
  try {
    await app.listen({ host: settings.host, port: settings.port });
  } catch (error) {
    await disposeModels(models);
    throw new InvalidOptionError(`cannot listen on ${settings.host}:${settings.port}: ${describeError(error)}`, { cause: error });
  }
  const port = (app.server.address() as AddressInfo).port;
  const url = `http://${formatHost(settings.host)}:${port}`;
  const log = options.log ?? (() => {});
  log(`listening on ${url}`);
  for (const name of models.keys()) log(`  model ${name}: POST ${url}/v2/models/${name}/infer`);

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      context.state.accepting = false;
      await app.close();
      await disposeModels(models);
    })();
    return closing;
  };
  return { url, port, models: [...models.keys()], close };
}

function checkOptions(settings: Required<Pick<ServeOptions, 'port' | 'maxBatch' | 'maxDelayMs' | 'bodyLimit'>>): void {
  if (!Number.isInteger(settings.port) || settings.port < 0 || settings.port > 65535) throw new InvalidOptionError(`--port must be an integer 0–65535 (0 picks a free port), got ${settings.port}`);
  if (!Number.isInteger(settings.maxBatch) || settings.maxBatch < 1) throw new InvalidOptionError(`--max-batch must be an integer ≥ 1 (1 turns batching off), got ${settings.maxBatch}`);
  if (!(settings.maxDelayMs >= 0) || !Number.isFinite(settings.maxDelayMs)) throw new InvalidOptionError(`--max-delay-ms must be a number ≥ 0, got ${settings.maxDelayMs}`);
  if (!Number.isInteger(settings.bodyLimit) || settings.bodyLimit < 1) throw new InvalidOptionError(`--body-limit must be a positive number of bytes, got ${settings.bodyLimit}`);
}

/** IPv6 literals need brackets in URLs. */
function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
