/**
 * The soak: mixed good and bad requests (a third bad, of the kinds in requests.ts) over HTTP and gRPC
 * at once for a few minutes, every reply checked against the status it must get, the server's
 * resident set sampled throughout; it must still answer its health check afterwards.
 */
import { readStatusMB } from '../../memory.ts';
import type { SoakRun } from './data.ts';
import { grpcLoad, httpLoad } from './load.ts';
import { newTally, readSignature, soakGrpcMix, soakHttpMix, type Tally } from './requests.ts';
import { round } from './rounding.ts';
import { startServe } from './servers.ts';

/** Mixed good and bad requests over HTTP and gRPC together for `seconds`, the server's RSS sampled. */
export async function runSoak(onnx: string, seconds: number, sampleSeconds: number, log: (line: string) => void): Promise<SoakRun> {
  const server = await startServe(onnx, []);
  const httpConnections = 16;
  const grpcConnections = 4;
  try {
    const signature = await readSignature(server.url);
    const tally: Tally = newTally();
    const httpMix = soakHttpMix(signature, tally);
    const grpcMix = soakGrpcMix(signature, tally);
    const samples: SoakRun['samples'] = [];
    const started = performance.now();
    const sampler = setInterval(
      () => samples.push({ seconds: round((performance.now() - started) / 1000), rssMB: readStatusMB(server.pid, 'VmRSS') }),
      sampleSeconds * 1000,
    );
    const [http, grpc] = await Promise.all([
      httpLoad(server.url, httpMix, httpConnections, { seconds }),
      grpcLoad(server.grpc!, grpcMix, grpcConnections, { seconds }),
    ]);
    clearInterval(sampler);
    samples.push({ seconds: round((performance.now() - started) / 1000), rssMB: readStatusMB(server.pid, 'VmRSS') });
    const liveAfter = (await fetch(`${server.url}/v2/health/live`)).ok;
    const secondHalf = samples.filter((sample) => sample.seconds >= seconds / 2);
    const requests = http.requests + grpc.requests;
    const bad = Object.entries(tally.byStatus)
      .filter(([status]) => status !== '200' && status !== 'grpc 0')
      .reduce((sum, [, count]) => sum + count, 0);
    const soak: SoakRun = {
      seconds,
      httpConnections,
      grpcConnections,
      samples,
      sampleSeconds,
      requests,
      expected: tally.expected,
      unexpected: tally.unexpected + http.failures + grpc.failures,
      byStatus: tally.byStatus,
      badShare: round(bad / Math.max(1, tally.expected + tally.unexpected)),
      secondHalf: {
        firstMB: secondHalf[0]?.rssMB ?? 0,
        lastMB: secondHalf.at(-1)?.rssMB ?? 0,
        maxMB: Math.max(...secondHalf.map((sample) => sample.rssMB)),
      },
      liveAfter,
    };
    log(
      `soak: ${requests} requests in ${seconds} s (${Math.round(soak.badShare * 100)}% bad), ${soak.unexpected} unexpected replies; RSS ${samples.map((sample) => sample.rssMB.toFixed(0)).join(' ')} MB`,
    );
    return soak;
  } finally {
    await server.stop();
  }
}
