/** Per-call timing shared by the sections that time calls one by one (inference latency, the GraphModels' throughput). */
import type { LatencyRound } from './settings.ts';

/**
 * Untimed warm-up calls, then calls one after another, each timed alone, until at least minCalls
 * and minMs are reached (or maxCalls). Returns each call's milliseconds.
 */
export async function timeCalls(call: () => Promise<unknown>, round: LatencyRound): Promise<number[]> {
  for (let i = 0; i < round.warmupCalls; i++) await call();
  const times: number[] = [];
  let total = 0;
  while (times.length < round.maxCalls && (times.length < round.minCalls || total < round.minMs)) {
    const started = process.hrtime.bigint();
    await call();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    times.push(ms);
    total += ms;
  }
  return times;
}
