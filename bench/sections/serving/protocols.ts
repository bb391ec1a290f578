/** How one protocol's request is sent under load — JSON and binary over HTTP (autocannon), gRPC (grpc-js clients) — and its size on the wire. */
import type { Protocol } from './data.ts';
import { grpcLoad, httpLoad, type LoadLimit, type LoadResult } from './load.ts';
import { binaryRequest, grpcRequest, jsonRequest, type ModelSignature } from './requests.ts';
import type { RunningBenchServer } from './servers.ts';

export interface Sender {
  /** Bytes of one request: the HTTP body, or gRPC's raw input contents. */
  bytes: number;
  load(server: RunningBenchServer, connections: number, limit: LoadLimit): Promise<LoadResult>;
}

export function sender(protocol: Protocol, signature: ModelSignature): Sender {
  if (protocol === 'grpc') {
    const request = grpcRequest(signature);
    const bytes = (request.message as { raw_input_contents: Buffer[] }).raw_input_contents[0]!.length;
    return { bytes, load: (server, connections, limit) => grpcLoad(server.grpc!, [request], connections, limit) };
  }
  const request = protocol === 'json' ? jsonRequest(signature) : binaryRequest(signature);
  return { bytes: request.body.length, load: (server, connections, limit) => httpLoad(server.url, [request], connections, limit) };
}
