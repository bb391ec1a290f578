/**
 * gRPC clients for the server tests, built by @grpc/grpc-js from the .proto file a user would
 * build theirs from (server/grpc/grpc_service.proto, or another service's), read with the loader
 * options each test wants its replies in (64-bit integers as strings or numbers, defaults filled
 * in or left out), and unary calls as promises.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROTO_PATH } from '../../../server/grpc/service.ts';

/** The grpc.health.v1 service definition grpc-health-check ships (a copy of grpc/grpc-proto's). */
export const HEALTH_PROTO = path.join(
  path.dirname(createRequire(import.meta.url).resolve('grpc-health-check/package.json')),
  'proto/health/v1/health.proto',
);

export type GrpcClient = grpc.Client & Record<string, Function>;

export interface GrpcClientOptions {
  /** The service's full name in the .proto; by default the inference service. */
  service?: string;
  /** The .proto the service is in; by default the server's. */
  proto?: string;
  /** Channel options, e.g. a larger receive limit. */
  channel?: grpc.ChannelOptions;
}

export function grpcClient(address: string, loader: protoLoader.Options, options: GrpcClientOptions = {}): GrpcClient {
  const definition = protoLoader.loadSync(options.proto ?? PROTO_PATH, loader);
  const names = (options.service ?? 'inference.GRPCInferenceService').split('.');
  const Service = names.reduce((object: any, key) => object[key], grpc.loadPackageDefinition(definition)) as grpc.ServiceClientConstructor;
  return new Service(address, grpc.credentials.createInsecure(), options.channel) as GrpcClient;
}

/** A unary call: its response, or its ServiceError as a rejection. */
export function call<T = any>(client: GrpcClient, method: string, request: object): Promise<T> {
  return new Promise((resolve, reject) =>
    client[method](request, (error: grpc.ServiceError | null, response: T) => (error ? reject(error) : resolve(response))),
  );
}

/** A unary call that must fail: its ServiceError. */
export async function callError(client: GrpcClient, method: string, request: object): Promise<grpc.ServiceError> {
  try {
    await call(client, method, request);
  } catch (error) {
    return error as grpc.ServiceError;
  }
  throw new Error(`${method} succeeded but should have failed`);
}
