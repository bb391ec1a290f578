/** What every HTTP route plugin shares: the inference core (with its registry) and the metrics. */
import type { InferenceCore } from '../core/inference.ts';
import type { ServerMetrics } from '../metrics.ts';
import type { ImageClassifier } from '../images/classify.ts';

export interface HttpContext {
  core: InferenceCore;
  metrics: ServerMetrics;
  images: ImageClassifier;
}

/** Protocol extensions this server implements, as GET /v2 and ServerMetadata list them. */
export const EXTENSIONS = ['binary_tensor_data', 'classification', 'model_repository', 'statistics', 'classify'] as const;
