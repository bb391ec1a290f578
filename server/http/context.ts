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
 * as Triton treats a model without one), trace (refused), cuda_shared_memory (this server holds no
 * CUDA memory); system_shared_memory is added by serverExtensions when it is on; classify is this
 * server's own.
 */
export const EXTENSIONS = [
  'binary_tensor_data',
  'classification',
  'logging',
  'model_configuration',
  'model_repository',
  'parameters',
  'schedule_policy',
  'statistics',
  'classify',
] as const;

/**
 * The extensions GET /v2 and ServerMetadata list: EXTENSIONS, and system_shared_memory when
 * --allow-client-shm lets clients register regions (off, registering is refused, so a client
 * deciding from the list never tries it).
 */
export function serverExtensions(core: InferenceCore): string[] {
  return [...EXTENSIONS, ...(core.sharedMemory.enabled ? ['system_shared_memory'] : [])];
}
