/** The shape of bench/results/latest.json: one run, every section measured in the same process tree. */
import type { BundleSize } from './sections/bundles.ts';
import type { MachineDescription } from './machine.ts';
import type { PrecisionData } from './sections/precision.ts';
import type { ServerBenchResult } from './server.ts';
import type { BenchSettings, ModelName } from './settings.ts';
import type { Spread } from '../common/stats.ts';

export const SECTION_NAMES = ['training', 'conversion', 'inference', 'precision', 'serving', 'graphModels', 'cli'] as const;

/** Sections that measure models of their own, not the MLP and CNN the models section prepares. */
export const SELF_CONTAINED_SECTIONS: readonly SectionName[] = ['training', 'graphModels', 'cli'];
export type SectionName = (typeof SECTION_NAMES)[number];

export interface PreparedModel {
  name: ModelName;
  /** tfjs Layers model.json. */
  tfjs: string;
  onnx: string;
  /** 'trained' by this run (random start, `steps` Adam steps) or 'given' on the command line. */
  origin: 'trained' | 'given';
  steps?: number;
  /** The tfjs backend it was trained on, which tfjs predict is benchmarked on. */
  tfjsBackend: string;
}

export type PreparedModels = Record<ModelName, PreparedModel>;

export interface TrainingRow {
  model: ModelName;
  backend: string;
  warmupSteps: number;
  steps: number;
  /** train()'s step (the lean trainer). */
  samplesPerSecond: Spread;
  /** The model.fit() step it replaced, timed alternately with it: samples/s and lean ÷ fit() per repetition. */
  fit?: { samplesPerSecond: Spread; speedup: Spread };
}

/** Kernels per training step (tf.profile over ten steps, nested kernels included). */
export interface KernelCount {
  model: ModelName;
  backend: string;
  fit: number;
  lean: number;
  /** The lean step's kernels by name, per step. */
  leanKernels: Record<string, number>;
}

/** Our MLP epoch against PyTorch's, same recipe, alternating epochs; ratio = ours ÷ PyTorch per pair. */
export type PyTorchComparison =
  | { measured: false; reason: string }
  | {
      measured: true;
      ourBackend: string;
      torch: string;
      threads: number;
      warmupSteps: number;
      epochSeconds: { ours: Spread; pytorch: Spread };
      ratio: Spread;
      testAccuracy: { ours: Spread; pytorch: Spread };
      /** Issue 17's target for the ratio. */
      goal: number;
    };

export interface TrainingData {
  recipe: { batchSize: number; optimizer: 'adam'; learningRate: number; loss: 'sparseCategoricalCrossentropy' };
  rows: TrainingRow[];
  skipped: { model: ModelName; backend: string; reason: string }[];
  kernelsPerStep: KernelCount[];
  pytorch: PyTorchComparison;
}

export interface ConversionRow {
  model: string;
  description: string;
  parameters: number;
  onnxBytes: number;
  onnxNodes: number;
  seconds: Spread;
}

export interface ConversionData {
  rows: ConversionRow[];
}

/** tfjs predict, or the runtime on a device (webgpu where an adapter works). */
export type InferencePath = 'tfjs' | 'cpu' | 'wasm' | 'webgpu';

export interface InferenceRow {
  model: ModelName;
  path: InferencePath;
  /** What actually ran, e.g. "tfjs predict (wasm)" or "runtime cpu (onnxruntime-node, ...)". */
  engine: string;
  batch: number;
  imagesPerSecond: Spread;
  /** Per-call latency: p50 and p99 of each repetition's calls, then their spread over repetitions. */
  latencyMs: { p50: Spread; p99: Spread; callsPerRepetition: Spread };
  /** images/s ÷ tfjs predict's images/s at the same batch, paired per repetition. */
  speedupOverTfjs: Spread;
  /** For the runtime: a bare onnxruntime InferenceSession.run on the same input (measureClassifier's raw figure). */
  rawOnnxruntimeImagesPerSecond?: Spread;
  /**
   * For the runtime: time per call of predictBatch() and of Model.run() ÷ a bare session.run of the
   * same session on the same input (1.05 = 5% overhead), paired per round, median per repetition.
   */
  overBareOnnxruntime?: { predictBatch: Spread; run: Spread };
  /** For the MLP on device cpu: achieved GFLOP/s and its share of the machine's fp32 peak. */
  gflops?: Spread;
  fractionOfPeak?: Spread;
}

export interface InferenceData {
  batchSizes: number[];
  mlpFlopsPerImage: number;
  fp32PeakGflops: number;
  rows: InferenceRow[];
  /** Vite builds of a page loading a classifier through each browser entry of the runtime. */
  bundles?: BundleSize[];
  /** Why there are no webgpu rows (no adapter here), when there are none. */
  webgpuSkipped?: string;
}

/** bench/server.ts's result: throughput per model, protocol and batching; memory per protocol; the soak. */
export interface ServingData {
  benchmark: ServerBenchResult;
}

export interface GraphModelThroughput {
  path: 'tfjs' | 'cpu' | 'wasm';
  engine: string;
  batch: number;
  imagesPerSecond: Spread;
  /** images/s ÷ tfjs-converter's images/s at the same batch, paired per repetition. */
  speedupOverTfjs: Spread;
}

export interface GraphModelRow {
  model: string;
  architecture: string;
  tfNodes: number;
  onnxNodes: number;
  onnxBytes: number;
  conversionSeconds: Spread;
  throughput: GraphModelThroughput[];
}

export interface GraphModelsData {
  source: string;
  tfjsBackend: string;
  batchSizes: number[];
  rows: GraphModelRow[];
}

export interface CliRow {
  /** e.g. "tfjs-onnx convert --help". */
  command: string;
  /** Spawn to exit, wall clock. */
  ms: Spread;
  /** ms ÷ a bare `node -e ""` spawned in the same round. */
  overNode: Spread;
  /** The median is under the goal (300 ms). */
  underGoal: boolean;
}

export interface CliData {
  goalMs: number;
  /** A bare `node -e ""`: what Node's own start costs on this machine. */
  nodeMs: Spread;
  rows: CliRow[];
}

/** One section's run in its own child process. */
export interface SectionRun<T> {
  seconds: number;
  /** The section process's peak resident memory (getrusage maxrss). */
  peakRssMB: number;
  /** Processes the section started (e.g. servers), with their sampled peak resident memory (VmHWM). */
  childProcesses: { command: string; peakRssMB: number }[];
  data?: T;
  error?: string;
}

export interface BenchResults {
  schema: 1;
  generatedAt: string;
  quick: boolean;
  command: string;
  totalSeconds: number;
  machine: MachineDescription;
  settings: BenchSettings;
  sections: SectionName[];
  models?: SectionRun<PreparedModels>;
  training?: SectionRun<TrainingData>;
  conversion?: SectionRun<ConversionData>;
  inference?: SectionRun<InferenceData>;
  precision?: SectionRun<PrecisionData>;
  serving?: SectionRun<ServingData>;
  graphModels?: SectionRun<GraphModelsData>;
  cli?: SectionRun<CliData>;
}

/** What a section's child process gets: the settings and the models prepared before it. */
export interface SectionContext {
  settings: BenchSettings;
  models?: PreparedModels;
  /** Scratch directory of this run, removed at the end. */
  workDirectory: string;
  /** Models given on the command line (for the models section). */
  given: Partial<Record<ModelName, { tfjs?: string; onnx?: string }>>;
}
