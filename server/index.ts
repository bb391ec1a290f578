/**
 * The inference server as a library: `startServer(options)` loads the models into one inference
 * core, puts the HTTP and gRPC front ends on it, and hands back their addresses and a `close()`
 * that shuts down within a bounded grace period. `tfjs-onnx serve` is a thin CLI over it.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { classifierFromModel, describePlacement, loadModel } from '@tfjs-onnx/runtime';
import { InvalidOptionError, describeError } from '../common/errors.ts';
import { ConnectionGate, httpServerFactory, type SlowClientLimits } from './connections.ts';
import { InferenceCore } from './core/inference.ts';
import { ModelRegistry } from './core/registry.ts';
import { SharedMemoryRegistry } from './core/sharedMemory.ts';
import { startGrpc, type GrpcListener } from './grpc/server.ts';
import { buildApp } from './http/app.ts';
import { ImageDecoders } from './images/decoders.ts';
import { ServerLog } from './log.ts';
import { ServerMetrics } from './metrics.ts';
import { resolveServeOptions, type ServeSettings } from './options.ts';
import type { ServeOptions } from './serveOptions.ts';
import { deviceFor, type ModelConfig } from './repository/config.ts';
import { describeModelFiles, type ModelDescription } from './repository/layout.ts';

export { RESOURCE_LIMITS } from './numericOptions.ts';
export { SERVE_DEFAULTS } from './options.ts';
export type { ServeOptions } from './serveOptions.ts';
export { DynamicBatcher, type BatcherOptions } from './core/batching.ts';
export { exportTriton, type ExportTritonOptions, type TritonExport } from './triton.ts';

export interface RunningServer {
  /** e.g. http://127.0.0.1:8000 */
  url: string;
  port: number;
  /** e.g. 127.0.0.1:8001, or undefined with gRPC off. */
  grpcAddress?: string;
  grpcPort?: number;
  /** Names of the models ready at start, each at `${url}/v2/models/${name}/infer`. */
  models: string[];
  /**
   * Stops accepting, runs queued batches at once, lets in-flight requests finish for at most
   * --shutdown-grace-ms, closes what is left, then releases the models. Safe to call twice.
   */
  close(): Promise<void>;
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const settings = resolveServeOptions(options);
  // One log for the server's lines, whose levels and format the logging extension changes at run time.
  const serverLog = new ServerLog({ info: options.log ?? (() => {}), error: (line) => process.stderr.write(`${line}\n`) });
  const log = (line: string) => serverLog.info(line);
  const logError = (error: unknown) =>
    serverLog.error(`server error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  const files = await describeModelFiles(settings);
  if (files.length === 0 && settings.modelRepository === undefined) {
    throw new InvalidOptionError('name an ONNX model to serve (a path, --model-dir with .onnx files, or --model-repository)');
  }
  const metrics = new ServerMetrics();
  const registry = createRegistry(settings, files, metrics, log);
  await registry.start();
  const sharedMemory = createSharedMemory(settings);
  const core = new InferenceCore(registry, metrics, { maxTensorElements: settings.maxTensorElements }, sharedMemory, serverLog);
  const images = createImageDecoders(settings);
  const gate = new ConnectionGate(settings.maxConnections);
  const limits = connectionLimits(settings);
  const http = httpServerFactory(gate, limits);
  const app = await buildApp(
    { core, metrics, images, log: serverLog },
    { bodyLimit: settings.bodyLimit, serverFactory: http.factory, logError },
  );
  // What a failed listen releases: everything started so far.
  const release = async () => {
    await app.close().catch(() => undefined);
    await images.close();
    await registry.close();
    sharedMemory.closeAll();
  };
  const grpc = await listen(settings, app, release, (grpcPort) =>
    startGrpc(core, metrics, {
      host: settings.host,
      port: grpcPort,
      maxMessageBytes: settings.bodyLimit,
      limits,
      gate,
      logError,
      log: serverLog,
    }),
  );
  const { url, port, grpcAddress } = announce(settings, app, grpc, registry, log);
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= shutDown({ core, registry, app, grpc, gate, images, settings, httpServer: http.server });
    return closing;
  };
  return { url, port, grpcAddress, grpcPort: grpc?.port, models: [...new Set(registry.ready().map((model) => model.name))], close };
}

/** Client shared-memory regions, allowed or not, bounded in number and bytes. */
function createSharedMemory(settings: ServeSettings): SharedMemoryRegistry {
  return new SharedMemoryRegistry({
    enabled: settings.allowClientShm,
    maxRegions: settings.maxShmRegions,
    maxBytes: settings.maxShmBytes,
    maxStringTensorBytes: settings.bodyLimit,
  });
}

/** The worker threads decoding /classify's images, with the image limits. */
function createImageDecoders(settings: ServeSettings): ImageDecoders {
  return new ImageDecoders({
    workers: settings.imageWorkers,
    maxMegapixels: settings.maxImageMegapixels,
    maxAspect: settings.maxImageAspect,
  });
}

/** How long clients may take, for HTTP and gRPC alike. */
function connectionLimits(settings: ServeSettings): SlowClientLimits {
  return {
    requestTimeoutMs: settings.requestTimeoutMs,
    headerTimeoutMs: settings.headerTimeoutMs,
    minBodyRate: settings.minBodyRate,
    bodyRateGraceMs: settings.bodyRateGraceMs,
  };
}

/** The models of the files and the repository, loaded by the runtime on the device asked for, with /classify over each model's own session. */
function createRegistry(
  settings: ServeSettings,
  files: ModelDescription[],
  metrics: ServerMetrics,
  log: (line: string) => void,
): ModelRegistry {
  return new ModelRegistry({
    files,
    repository: settings.modelRepository,
    controlMode: settings.modelControlMode,
    loadAtStart: settings.loadModels ?? [],
    loader: (file, config) => loadModel(file, runtimeOptions(settings, config)),
    // /classify runs on each model's own session, through its batcher: no second session.
    classifierFor: (model) =>
      classifierFromModel(model, { imageLimits: { maxMegapixels: settings.maxImageMegapixels, maxAspectRatio: settings.maxImageAspect } }),
    defaults: { maxBatch: settings.maxBatch, maxDelayMs: settings.maxDelayMs },
    metrics,
    pollIntervalMs: settings.repositoryPollSecs * 1000,
    log,
  });
}

/** HTTP, then gRPC unless it is off; if either cannot listen, everything started is released and the address is named. */
async function listen(
  settings: ServeSettings,
  app: FastifyInstance,
  release: () => Promise<void>,
  startGrpcListener: (port: number) => Promise<GrpcListener>,
): Promise<GrpcListener | undefined> {
  try {
    await app.listen({ host: settings.host, port: settings.port });
  } catch (error) {
    await release();
    throw new InvalidOptionError(`cannot listen on ${settings.host}:${settings.port}: ${describeError(error)}`, { cause: error });
  }
  if (settings.grpcPort === false) return undefined;
  try {
    return await startGrpcListener(settings.grpcPort);
  } catch (error) {
    await release();
    throw new InvalidOptionError(`cannot listen for gRPC on ${settings.host}:${settings.grpcPort}: ${describeError(error)}`, {
      cause: error,
    });
  }
}

/** The addresses listened on, and a line for each of them and each model served. */
function announce(
  settings: ServeSettings,
  app: FastifyInstance,
  grpc: GrpcListener | undefined,
  registry: ModelRegistry,
  log: (line: string) => void,
) {
  const port = (app.server.address() as AddressInfo).port;
  const url = `http://${formatHost(settings.host)}:${port}`;
  const grpcAddress = grpc && `${formatHost(settings.host)}:${grpc.port}`;
  log(`listening on ${url}`);
  if (grpcAddress) log(`listening on grpc ${grpcAddress}`);
  for (const model of registry.ready())
    log(
      `  model ${model.name} version ${model.version} on ${describePlacement(model.model.placement)}: POST ${url}/v2/models/${model.name}/infer`,
    );
  return { url, port, grpcAddress };
}

/** How every model file is loaded with the runtime: the device (the config's instance kind, else --device) and threads asked for. */
function runtimeOptions(settings: ServeSettings, config?: ModelConfig) {
  return {
    device: deviceFor(config?.instanceKind, settings.device),
    ...(settings.intraOpThreads !== undefined && settings.intraOpThreads > 0 ? { intraOpThreads: settings.intraOpThreads } : {}),
  };
}

interface ShutdownParts {
  core: InferenceCore;
  registry: ModelRegistry;
  app: FastifyInstance;
  grpc: GrpcListener | undefined;
  gate: ConnectionGate;
  images: ImageDecoders;
  settings: ServeSettings;
  httpServer: () => import('node:http').Server | undefined;
}

/**
 * Refuse new work, run what is queued now rather than after a batching delay, let both front ends
 * finish what is in flight — for at most the grace period — then close whatever is left (a client
 * stalled half-way through its body) and release the models.
 */
async function shutDown(parts: ShutdownParts): Promise<void> {
  const { core, registry, app, grpc, gate, images, settings } = parts;
  core.accepting = false;
  registry.flush();
  const graceMs = settings.shutdownGraceMs;
  const drained = Promise.all([app.close(), grpc?.drain(graceMs)]);
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'grace over'>((resolve) => {
    timer = setTimeout(() => resolve('grace over'), graceMs);
  });
  const outcome = await Promise.race([drained.then(() => 'drained' as const), graceOver]);
  clearTimeout(timer);
  if (outcome === 'grace over') {
    parts.httpServer()?.closeAllConnections();
    grpc?.forceClose();
    gate.destroyAll();
    await drained.catch(() => undefined);
  }
  await images.close();
  await registry.close();
  core.sharedMemory.closeAll();
}

/** IPv6 literals need brackets in URLs. */
function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
