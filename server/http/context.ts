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
