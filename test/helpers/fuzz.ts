/**
 * Settings shared by the fuzz tests (test/**\/*.fuzz.test.ts): each property runs for a bounded
 * time, a few seconds in `npm test` and as long as FUZZ_SECONDS says in `npm run fuzz`
 * (FUZZ_SEED replays a run that failed; fast-check prints the seed and path).
 *
 *   it('...', async () => { await fc.assert(property, fuzzParameters()); }, fuzzTestTimeoutMs());
 */
import fc from 'fast-check';

/** Seconds each fuzz property runs: FUZZ_SECONDS, else 3 (npm test). */
export function fuzzSeconds(): number {
  const seconds = Number(process.env.FUZZ_SECONDS ?? 3);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new Error(`FUZZ_SECONDS must be a positive number of seconds, got ${process.env.FUZZ_SECONDS}`);
  return seconds;
}

/**
 * fast-check parameters: as many runs as fit in fuzzSeconds(), each failing if it takes longer
 * than `runTimeoutMs` (a hang is a failure, not a stuck test run).
 */
export function fuzzParameters<T>(options: { runTimeoutMs?: number } = {}): fc.Parameters<T> {
  const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
  return {
    numRuns: Number.MAX_SAFE_INTEGER,
    ...(seed === undefined ? {} : { seed }),
    plugins: [fc.interruptAfterTimeLimit(fuzzSeconds() * 1000), fc.timeout(options.runTimeoutMs ?? 5000)],
  } as fc.Parameters<T>;
}

/** The vitest timeout for a test running one fuzz property: its time budget plus room to shrink a failure. */
export function fuzzTestTimeoutMs(): number {
  return fuzzSeconds() * 1000 + 60_000;
}
