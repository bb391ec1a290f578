/** Per-model metadata and readiness: what clients read to learn a model's tensor names and shapes. */
import type { FastifyPluginAsync } from 'fastify';
import { NotReadyError } from '../../errors.ts';
import { modelMetadata } from '../../core/metadata.ts';
import type { HttpContext } from '../context.ts';
import type { Placement } from '@tfjs-onnx/runtime';
import { errorResponses, modelMetadataResponse, modelPathParams, type ModelPathParams } from './schemas.ts';

const modelReady = { type: 'object', properties: { name: { type: 'string' }, ready: { type: 'boolean' } } } as const;

/**
 * Where the version runs, as model metadata parameters (the protocol's metadata has no field for it;
 * extra JSON fields are what Triton's and KServe's HTTP clients pass through): the device, onnxruntime's
 * provider and package, the WebGPU adapter, and why there.
 */
function placementParameters(placement: Placement): Record<string, string> {
  return {
    device: placement.device,
    execution_provider: placement.executionProvider,
    runtime: placement.runtime,
    ...(placement.adapter ? { adapter: `${placement.adapter.name}${placement.adapter.software ? ' (software)' : ''}` } : {}),
    placement: placement.reason,
  };
}

export function modelRoutes(context: HttpContext): FastifyPluginAsync {
  return async (app) => {
    const { registry } = context.core;
    const metadataSchema = { params: modelPathParams, response: { 200: modelMetadataResponse, ...errorResponses } };
    const metadata = async (request: { params: ModelPathParams }) => {
      const { model, metadata } = modelMetadata(context.core, request.params.name, request.params.version);
      return { ...metadata, parameters: placementParameters(model.model.placement) };
    };
    app.get<{ Params: ModelPathParams }>('/v2/models/:name', { schema: metadataSchema }, metadata);
    app.get<{ Params: ModelPathParams }>('/v2/models/:name/versions/:version', { schema: metadataSchema }, metadata);

    const readySchema = { params: modelPathParams, response: { 200: modelReady, ...errorResponses } };
    const ready = async (request: { params: ModelPathParams }) => {
      const model = registry.resolve(request.params.name, request.params.version);
      if (!context.core.accepting) throw new NotReadyError(`model '${model.name}' is not ready: the server is shutting down`);
      return { name: model.name, ready: true };
    };
    app.get<{ Params: ModelPathParams }>('/v2/models/:name/ready', { schema: readySchema }, ready);
    app.get<{ Params: ModelPathParams }>('/v2/models/:name/versions/:version/ready', { schema: readySchema }, ready);
  };
}
