/** What every HTTP route plugin shares: the inference core (with its registry), the metrics and the image decoders. */
import type { InferenceCore } from '../core/inference.ts';
import type { ServerMetrics } from '../metrics.ts';
import type { ImageDecoders } from '../images/decoders.ts';

export interface HttpContext {
  core: InferenceCore;
  metrics: ServerMetrics;
  /** Decodes /classify's images in worker threads. */
  images: ImageDecoders;
}

/** Protocol extensions this server implements, as GET /v2 and ServerMetadata list them. */
export const EXTENSIONS = ['binary_tensor_data', 'classification', 'model_repository', 'statistics', 'classify'] as const;

/**
 * The extensions GET /v2 and ServerMetadata list: EXTENSIONS, and system_shared_memory when
 * --allow-client-shm lets clients register regions (a client deciding from the list then never
 * tries what would be refused). cuda_shared_memory is never listed: this server holds no CUDA memory.
 */
export function serverExtensions(core: InferenceCore): string[] {
  return [...EXTENSIONS, ...(core.sharedMemory.enabled ? ['system_shared_memory'] : [])];
}
