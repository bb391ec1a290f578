/**
 * How much each section measures, for the full run and for --quick (about 3.5 minutes on a 2-core
 * machine). Step and call counts are fixed per mode so runs are comparable; all are recorded in
 * the results next to the figures they produced.
 */
import type { BackendName } from '../training/backends/select.ts';

export type ModelName = 'mlp' | 'cnn';

/**
 * Steps timed per repetition, after warm-up steps that are not timed (and, for very slow pairs,
 * fewer repetitions than the section's); or why the pair is not measured.
 */
export type TrainingPlan = { warmupSteps: number; steps: number; repetitions?: number } | { skip: string };

/** One latency round: untimed warm-up calls, then timed calls until both minimums are met or maxCalls. */
export interface LatencyRound {
  warmupCalls: number;
  minCalls: number;
  minMs: number;
  maxCalls: number;
}

export interface BenchSettings {
  /** Training steps for the models the benchmark trains itself (accuracy does not matter for timing). */
  modelSteps: Record<ModelName, number>;
  training: {
    repetitions: number;
    batchSize: number;
    learningRate: number;
    plans: Record<ModelName, Record<BackendName, TrainingPlan>>;
    /** Full MLP epochs against PyTorch's: alternating pairs, after untimed warm-up steps on each side. */
    pytorch: { pairs: number; warmupSteps: number };
  };
  conversion: { warmup: number; repetitions: number; mobileNetInputSize: number };
  inference: {
    batchSizes: number[];
    repetitions: number;
    latencyRound: LatencyRound;
    /** Per repetition, the runtime's measureClassifier() with these of its own blocks. */
    classifierRepetitions: number;
    classifierWarmup: number;
  };
  /** The server benchmark's own full and quick plans (sections/serving/benchmark.ts) set durations, request counts and the soak. */
  serving: { quick: boolean };
  /** fp32/fp16/q8 and the q8 forms side by side: blocks of calls of at least blockMs per variant and batch. */
  precision: { batchSizes: number[]; repetitions: number; warmupCalls: number; blockMs: number; minCalls: number };
  /** Real GraphModels from npm: which ones, conversion repetitions and the throughput rounds. */
  graphModels: { models: string[]; repetitions: number; batchSizes: number[]; latencyRound: LatencyRound };
  /** Rounds of spawning every CLI target once (after untimed warm-up rounds). */
  cli: { warmup: number; repetitions: number };
}

/**
 * The CNN on the pure-JavaScript cpu backend needs about half a minute per training step on a
 * loaded 2-core machine, so the full run times single steps and --quick leaves it out.
 */
const CNN_ON_CPU_SKIP = 'CNN training on the pure-JavaScript cpu backend takes ~20–60 s per step here; measured in the full run only';

export function benchSettings(quick: boolean): BenchSettings {
  return quick ? QUICK : FULL;
}

const FULL: BenchSettings = {
  modelSteps: { mlp: 500, cnn: 200 },
  training: {
    repetitions: 5,
    batchSize: 32,
    learningRate: 1e-3,
    plans: {
      mlp: { tensorflow: { warmupSteps: 20, steps: 200 }, wasm: { warmupSteps: 20, steps: 200 }, cpu: { warmupSteps: 5, steps: 30 } },
      cnn: {
        tensorflow: { warmupSteps: 5, steps: 30 },
        wasm: { warmupSteps: 5, steps: 30 },
        cpu: { warmupSteps: 1, steps: 1, repetitions: 3 },
      },
    },
    pytorch: { pairs: 3, warmupSteps: 200 },
  },
  conversion: { warmup: 1, repetitions: 5, mobileNetInputSize: 224 },
  inference: {
    batchSizes: [1, 32, 256],
    repetitions: 5,
    latencyRound: { warmupCalls: 3, minCalls: 10, minMs: 400, maxCalls: 3000 },
    classifierRepetitions: 5,
    classifierWarmup: 3,
  },
  serving: { quick: false },
  precision: { batchSizes: [1, 32, 256], repetitions: 7, warmupCalls: 3, blockMs: 300, minCalls: 3 },
  graphModels: {
    models: ['blazeface', 'emotion', 'movenet-lightning', 'facemesh', 'iris', 'handlandmark-lite', 'faceres', 'antispoof', 'centernet'],
    repetitions: 5,
    batchSizes: [1, 8],
    latencyRound: { warmupCalls: 2, minCalls: 5, minMs: 500, maxCalls: 1000 },
  },
  cli: { warmup: 1, repetitions: 15 },
};

const QUICK: BenchSettings = {
  modelSteps: { mlp: 100, cnn: 20 },
  training: {
    repetitions: 3,
    batchSize: 32,
    learningRate: 1e-3,
    plans: {
      mlp: { tensorflow: { warmupSteps: 10, steps: 60 }, wasm: { warmupSteps: 10, steps: 60 }, cpu: { warmupSteps: 2, steps: 8 } },
      cnn: { tensorflow: { warmupSteps: 1, steps: 5 }, wasm: { warmupSteps: 1, steps: 5 }, cpu: { skip: CNN_ON_CPU_SKIP } },
    },
    pytorch: { pairs: 1, warmupSteps: 100 },
  },
  conversion: { warmup: 1, repetitions: 3, mobileNetInputSize: 224 },
  inference: {
    batchSizes: [1, 32, 256],
    repetitions: 3,
    latencyRound: { warmupCalls: 2, minCalls: 3, minMs: 100, maxCalls: 1000 },
    classifierRepetitions: 3,
    classifierWarmup: 1,
  },
  // A tenth of the full run's request counts: 100,000 requests alone would take about a minute.
  serving: { quick: true },
  precision: { batchSizes: [1, 32, 256], repetitions: 3, warmupCalls: 1, blockMs: 100, minCalls: 2 },
  graphModels: {
    models: ['blazeface', 'emotion', 'movenet-lightning'],
    repetitions: 2,
    batchSizes: [1, 8],
    latencyRound: { warmupCalls: 1, minCalls: 2, minMs: 100, maxCalls: 200 },
  },
  cli: { warmup: 1, repetitions: 5 },
};
