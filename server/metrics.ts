/**
 * Prometheus metrics for one server. Each server has its own Registry (never prom-client's
 * global one) so several servers in one process, as in the tests, keep separate counts.
 *
 * Two groups: the per-model inference families under Triton's names and meanings (what Triton
 * dashboards and autoscalers query: nv_inference_*, labelled by model and version), fed by the
 * core for every protocol alike; and this server's own per-protocol request metrics (tfjs_onnx_*).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RunTiming } from './core/batching.ts';

const MODEL_LABELS = ['model', 'version'] as const;

export class ServerMetrics {
  readonly registry = new Registry();

  // ---- Triton's per-model families -------------------------------------------------------------
  private readonly success = this.counter('nv_inference_request_success', 'Number of successful inference requests, all batch sizes');
  private readonly failure = this.counter('nv_inference_request_failure', 'Number of failed inference requests, all batch sizes');
  private readonly inferences = this.counter('nv_inference_count', 'Number of inferences performed (a request of batch size 8 counts 8)');
  private readonly executions = this.counter(
    'nv_inference_exec_count',
    'Number of model executions performed (dynamic batching runs several requests in one)',
  );
  private readonly requestDuration = this.counter(
    'nv_inference_request_duration_us',
    'Cumulative inference request duration in microseconds',
  );
  private readonly queueDuration = this.counter('nv_inference_queue_duration_us', 'Cumulative inference queuing duration in microseconds');
  private readonly computeInput = this.counter(
    'nv_inference_compute_input_duration_us',
    'Cumulative compute input duration in microseconds',
  );
  private readonly computeInfer = this.counter(
    'nv_inference_compute_infer_duration_us',
    'Cumulative compute inference duration in microseconds',
  );
  private readonly computeOutput = this.counter(
    'nv_inference_compute_output_duration_us',
    'Cumulative inference compute output duration in microseconds',
  );
  private readonly pending = new Gauge({
    name: 'nv_inference_pending_request_count',
    help: 'Instantaneous number of pending requests awaiting execution per-model',
    labelNames: MODEL_LABELS,
    registers: [this.registry],
  });
  private readonly firstResponse = new Histogram({
    name: 'nv_inference_first_response_histogram_ms',
    help: 'Duration from request to first response in milliseconds (every model here answers with one response)',
    labelNames: MODEL_LABELS,
    buckets: [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
    registers: [this.registry],
  });

  // ---- this server's own -----------------------------------------------------------------------
  readonly requests = new Counter({
    name: 'tfjs_onnx_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly latency = new Histogram({
    name: 'tfjs_onnx_http_request_duration_seconds',
    help: 'Time from request received to reply sent, by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers: [this.registry],
  });

  readonly grpcRequests = new Counter({
    name: 'tfjs_onnx_grpc_requests_total',
    help: 'gRPC calls answered, by method and status code name',
    labelNames: ['method', 'code'] as const,
    registers: [this.registry],
  });

  readonly grpcLatency = new Histogram({
    name: 'tfjs_onnx_grpc_request_duration_seconds',
    help: 'Time from call received to reply sent, by gRPC method',
    labelNames: ['method'] as const,
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers: [this.registry],
  });

  readonly batchSize = new Histogram({
    name: 'tfjs_onnx_batch_size',
    help: 'Rows per onnxruntime run, by model; above 1 means requests were batched together',
    labelNames: ['model'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });

  readonly queueDepth = new Gauge({
    name: 'tfjs_onnx_queue_depth',
    help: 'Rows waiting for the next batch, by model',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });

  constructor() {
    // Process CPU, memory and event-loop lag: what an operator checks first when latency rises.
    collectDefaultMetrics({ register: this.registry });
  }

  private counter(name: string, help: string): Counter<'model' | 'version'> {
    return new Counter({ name, help, labelNames: MODEL_LABELS, registers: [this.registry] });
  }

  /** Route label for a request: its declared pattern, so paths with model names do not explode label cardinality. */
  observeRequest(method: string, route: string | undefined, status: number, seconds: number): void {
    const label = route ?? 'unmatched';
    this.requests.inc({ method, route: label, status: String(status) });
    this.latency.observe({ method, route: label }, seconds);
  }

  observeGrpc(method: string, code: string, seconds: number): void {
    this.grpcRequests.inc({ method, code });
    this.grpcLatency.observe({ method }, seconds);
  }

  /** One inference request answered; the run it was part of is counted once, by the request that reports it. */
  observeInferenceSuccess(model: string, version: string, rows: number, totalNs: number, timing: RunTiming): void {
    const labels = { model, version };
    this.success.inc(labels);
    this.inferences.inc(labels, rows);
    this.requestDuration.inc(labels, totalNs / 1000);
    this.queueDuration.inc(labels, timing.queueNs / 1000);
    this.computeInput.inc(labels, timing.computeInputNs / 1000);
    this.computeInfer.inc(labels, timing.computeInferNs / 1000);
    this.computeOutput.inc(labels, timing.computeOutputNs / 1000);
    this.firstResponse.observe(labels, totalNs / 1e6);
    if (timing.reportsExecution) {
      this.executions.inc(labels);
      this.batchSize.observe({ model }, timing.batchRows);
    }
  }

  observeInferenceFailure(model: string, version: string, totalNs: number): void {
    const labels = { model, version };
    this.failure.inc(labels);
    this.requestDuration.inc(labels, totalNs / 1000);
  }

  setPending(model: string, version: string, requests: number): void {
    this.pending.set({ model, version }, requests);
  }

  /**
   * Makes a model version's families appear at 0 as soon as it is loaded (a dashboard can tell
   * "no traffic" from "not loaded"), as Triton does.
   */
  registerModel(model: string, version: string): void {
    const labels = { model, version };
    for (const counter of [
      this.success,
      this.failure,
      this.inferences,
      this.executions,
      this.requestDuration,
      this.queueDuration,
      this.computeInput,
      this.computeInfer,
      this.computeOutput,
    ]) {
      counter.inc(labels, 0);
    }
    this.pending.set(labels, 0);
  }
}
