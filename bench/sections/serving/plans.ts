/** How much the server benchmark measures: the full run, and --quick (a check that everything works, not figures). */

export interface ServingPlan {
  /** Seconds of load per throughput point, after warmupSeconds of untimed load per server and protocol. */
  durationSeconds: number;
  warmupSeconds: number;
  repetitions: number;
  /** Requests in total after which a fresh server's resident memory is read, over memoryConnections. */
  memoryCheckpoints: number[];
  memoryConnections: number;
  soakSeconds: number;
  soakSampleSeconds: number;
  /** Requests per run and runs of the server-CPU measurement. */
  cpuRequests: number;
  cpuRepetitions: number;
}

export const SERVING_PLANS: Record<'full' | 'quick', ServingPlan> = {
  full: {
    durationSeconds: 4,
    warmupSeconds: 2,
    repetitions: 3,
    memoryCheckpoints: [10_000, 100_000],
    memoryConnections: 16,
    soakSeconds: 180,
    soakSampleSeconds: 5,
    cpuRequests: 10_000,
    cpuRepetitions: 5,
  },
  quick: {
    durationSeconds: 1,
    warmupSeconds: 1,
    repetitions: 1,
    memoryCheckpoints: [1_000, 10_000],
    memoryConnections: 16,
    soakSeconds: 20,
    soakSampleSeconds: 2,
    cpuRequests: 2_000,
    cpuRepetitions: 1,
  },
};
