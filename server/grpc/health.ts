/**
 * The standard gRPC health service (grpc.health.v1.Health: Check, Watch and List), from the
 * grpc-health-check package, tied to the server's readiness: the whole server ('') and the
 * inference service report SERVING from start, and NOT_SERVING once shutdown begins — what a
 * Kubernetes `grpc:` probe or a load balancer reads. Watch streams are ended at shutdown, so a
 * watcher never holds the drain back for the whole grace period.
 */
import type * as grpc from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';

/** The services whose health is reported: the server as a whole, and the inference service. */
export const HEALTH_SERVICES = ['', 'inference.GRPCInferenceService'] as const;

export interface HealthService {
  /** Every reported service changes to `status`; watchers are told at once. */
  setServing(serving: boolean): void;
  /** Ends open Watch streams (after NOT_SERVING has been sent on them). */
  endWatches(): void;
}

export function addHealthService(server: grpc.Server): HealthService {
  const health = new HealthImplementation(Object.fromEntries(HEALTH_SERVICES.map((name) => [name, 'SERVING' as ServingStatus])));
  const watches = new Set<grpc.ServerWritableStream<unknown, unknown>>();
  health.addToServer({
    addService: (service: grpc.ServiceDefinition, implementation: grpc.UntypedServiceImplementation) => {
      const watch = implementation.watch as grpc.handleServerStreamingCall<unknown, unknown>;
      server.addService(service, {
        ...implementation,
        watch: (call: grpc.ServerWritableStream<unknown, unknown>) => {
          watches.add(call);
          call.once('cancelled', () => watches.delete(call));
          watch(call);
        },
      });
    },
  } as unknown as Parameters<HealthImplementation['addToServer']>[0]);
  return {
    setServing: (serving) => {
      for (const name of HEALTH_SERVICES) health.setStatus(name, serving ? 'SERVING' : 'NOT_SERVING');
    },
    endWatches: () => {
      for (const call of watches) call.end();
      watches.clear();
    },
  };
}
