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
import type { UntypedDocument } from '../../helpers/untyped.ts';

/** The grpc.health.v1 service definition grpc-health-check ships (a copy of grpc/grpc-proto's). */
export const HEALTH_PROTO = path.join(
  path.dirname(createRequire(import.meta.url).resolve('grpc-health-check/package.json')),
  'proto/health/v1/health.proto',
);

/** A client grpc-js builds for a service loaded from a .proto: one method per RPC, by name. */
export type GrpcClient = InstanceType<grpc.ServiceClientConstructor>;

/** A ModelInferResponse as the tests' loaders decode it (keepCase, defaults): the fields they read. */
export interface GrpcInferResponse {
  model_name: string;
  model_version: string;
  id: string;
  outputs: { name: string; datatype: string; shape: (string | number)[] }[];
  raw_output_contents: Buffer[];
}

/** A ModelStreamInferResponse: an answer on a ModelStreamInfer stream, its error_message empty on success. */
export interface GrpcStreamReply {
  error_message: string;
  infer_response: GrpcInferResponse;
}

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
  const packages = (options.service ?? 'inference.GRPCInferenceService').split('.');
  const service = packages.pop()!;
  const namespace = packages.reduce((object, key) => object[key] as grpc.GrpcObject, grpc.loadPackageDefinition(definition));
  const Service = namespace[service] as grpc.ServiceClientConstructor;
  return new Service(address, grpc.credentials.createInsecure(), options.channel);
}

/** A unary call: its response (of type T if the test names it), or its ServiceError as a rejection. */
export function call<T = UntypedDocument>(client: GrpcClient, method: string, request: object): Promise<T> {
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
