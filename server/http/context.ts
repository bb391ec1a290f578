/** What every HTTP route plugin shares: the inference core (with its registry), the metrics and the image decoders. */
import type { InferenceCore } from '../core/inference.ts';
import type { ServerMetrics } from '../metrics.ts';
import type { ImageDecoders } from '../images/decoders.ts';
import type { ServerLog } from '../log.ts';

export interface HttpContext {
  core: InferenceCore;
  metrics: ServerMetrics;
  /** Decodes /classify's images in worker threads. */
  images: ImageDecoders;
  /** The server's log, whose settings the logging extension reads and changes. */
  log: ServerLog;
}

/**
 * Protocol extensions this server implements, as GET /v2 and ServerMetadata list them: exactly
 * those (Triton's names), so a client deciding from the list neither skips nor tries too much.
 * Not listed: sequence (no sequence batcher: sequence parameters are accepted and have no effect,
 * as Triton treats a model without one), trace (refused), shared memory (not implemented);
 * classify is this server's own.
 */
export const EXTENSIONS = ['binary_tensor_data', 'classification', 'logging', 'model_configuration', 'model_repository', 'parameters', 'schedule_policy', 'statistics', 'classify'] as const;
