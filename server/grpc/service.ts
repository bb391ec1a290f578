/**
 * The GRPCInferenceService handlers over the shared inference core: the same models, batching,
 * statistics and errors as HTTP (a RequestError's HTTP status becomes the matching gRPC code, see
 * unary.ts), and each call counted in /metrics by method and code.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { serverAsset } from '../assets.ts';
import type { InferenceCore } from '../core/inference.ts';
import { modelMetadata, serverMetadata } from '../core/metadata.ts';
import type { ServerMetrics } from '../metrics.ts';
import type { ServerLog } from '../log.ts';
import { readLoadOverrides } from '../repository/overrides.ts';
import { inferCallFromGrpc, inferResponseToGrpc, type GrpcInferRequest } from './codec.ts';
import { extensionHandlers, modelStreamInfer, type StreamRegistry } from './extensions.ts';
import { sharedMemoryHandlers } from './sharedMemory.ts';
import { type UnaryHandler, unary } from './unary.ts';

/** The .proto every client can be built from; shipped beside this file. */
export const PROTO_PATH = serverAsset('server/grpc/grpc_service.proto');

/** How @grpc/proto-loader maps messages to objects: the protocol's snake_case names, 64-bit integers as strings (no precision lost). */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: false,
  arrays: true,
  oneofs: true,
};

export function loadServiceDefinition(): grpc.ServiceDefinition {
  const definition = protoLoader.loadSync(PROTO_PATH, PROTO_LOADER_OPTIONS);
  const inference = grpc.loadPackageDefinition(definition).inference as grpc.GrpcObject;
  return (inference.GRPCInferenceService as grpc.ServiceClientConstructor).service;
}

/** What the extensions' methods need beyond the core: the server's log, and the open streams (for shutdown). */
export interface ExtensionParts {
  log: ServerLog;
  streams: StreamRegistry;
}

export function inferenceService(
  core: InferenceCore,
  metrics: ServerMetrics,
  logError: (error: unknown) => void,
  extensions: ExtensionParts,
): grpc.UntypedServiceImplementation {
  const { registry } = core;
  const handlers: Record<string, UnaryHandler<never>> = {
    ServerLive: () => ({ live: true }),
    ServerReady: () => ({ ready: core.accepting }),
    ModelReady: (request: { name?: string; version?: string }) => {
      try {
        registry.resolve(request.name ?? '', request.version || undefined);
        return { ready: core.accepting };
      } catch {
        return { ready: false };
      }
    },
    ServerMetadata: () => serverMetadata(core),
    ModelMetadata: (request: { name?: string; version?: string }) =>
      modelMetadata(core, request.name ?? '', request.version || undefined).metadata,
    ModelInfer: async (request: GrpcInferRequest) =>
      inferResponseToGrpc(await core.infer(inferCallFromGrpc(request, process.hrtime.bigint()))),
    ModelStatistics: (request: { name?: string; version?: string }) => {
      const name = request.name || undefined;
      const version = request.version || undefined;
      if (name === undefined) return { model_stats: registry.ready().map((model) => model.statistics.snapshot()) };
      if (version !== undefined) return { model_stats: [registry.resolve(name, version).statistics.snapshot()] };
      registry.resolve(name);
      return {
        model_stats: registry
          .ready()
          .filter((model) => model.name === name)
          .map((model) => model.statistics.snapshot()),
      };
    },
    RepositoryIndex: async (request: { ready?: boolean }) => ({ models: await registry.index(request.ready === true) }),
    RepositoryModelLoad: async (request: { model_name?: string; parameters?: Record<string, RepositoryParameter> }) => {
      const parameters = Object.fromEntries(
        Object.entries(request.parameters ?? {}).map(([name, value]) => [name, repositoryParameterValue(value)]),
      );
      await registry.load(request.model_name ?? '', readLoadOverrides(request.model_name ?? '', parameters));
      return {};
    },
    RepositoryModelUnload: async (request: { model_name?: string }) => {
      await registry.unload(request.model_name ?? '');
      return {};
    },
    ...extensionHandlers(core, extensions.log),
    ...sharedMemoryHandlers(core.sharedMemory),
  };
  return {
    ...Object.fromEntries(Object.entries(handlers).map(([method, handler]) => [method, unary(method, handler, metrics, logError)])),
    ModelStreamInfer: modelStreamInfer({ core, metrics, logError, streams: extensions.streams }),
  };
}

/** ModelRepositoryParameter as @grpc/proto-loader hands it over (oneofs: true, longs: String). */
interface RepositoryParameter {
  parameter_choice?: 'bool_param' | 'int64_param' | 'string_param' | 'bytes_param';
  bool_param?: boolean;
  int64_param?: string;
  string_param?: string;
  bytes_param?: Buffer;
}

function repositoryParameterValue(parameter: RepositoryParameter): unknown {
  return parameter.parameter_choice === undefined ? undefined : parameter[parameter.parameter_choice];
}
