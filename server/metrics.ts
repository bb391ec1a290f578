/**
 * Prometheus metrics for one server. Each server has its own Registry (never prom-client's
 * global one) so several servers in one process, as in the tests, keep separate counts.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class ServerMetrics {
  readonly registry = new Registry();

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

  readonly batchSize = new Histogram({
    name: 'tfjs_onnx_batch_size',
    help: 'Rows (images) per onnxruntime run, by model; above 1 means requests were batched together',
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

  /** Route label for a request: its declared pattern, so paths with model names do not explode label cardinality. */
  observeRequest(method: string, route: string | undefined, status: number, seconds: number): void {
    const label = route ?? 'unmatched';
    this.requests.inc({ method, route: label, status: String(status) });
    this.latency.observe({ method, route: label }, seconds);
  }
}
