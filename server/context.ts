/** What every route plugin shares: the served models, the metrics and whether new work is still taken. */
import { ModelNotFoundError, ModelUnavailableError } from './errors.ts';
import type { ServerMetrics } from './metrics.ts';
import type { ServedModel } from './models.ts';

export interface ServerContext {
  models: Map<string, ServedModel>;
  metrics: ServerMetrics;
  /** Turns false when shutdown begins: readiness then fails and new inference is refused. */
  state: { accepting: boolean };
  defaultTopK: number;
}

/** The model named in a request path, or a 404 naming what is missing. */
export function findModel(context: ServerContext, name: string, version?: string): ServedModel {
  const model = context.models.get(name);
  if (model === undefined) throw new ModelNotFoundError(name);
  if (version !== undefined && version !== model.version) throw new ModelNotFoundError(name, version);
  return model;
}

/** Like findModel, for routes that start new work, which a shutting-down server refuses. */
export function findModelForWork(context: ServerContext, name: string, version?: string): ServedModel {
  const model = findModel(context, name, version);
  if (!context.state.accepting) throw new ModelUnavailableError(name);
  return model;
}
