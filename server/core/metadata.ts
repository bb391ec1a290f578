/**
 * What a server and a model say about themselves, the same over HTTP and gRPC: the protocol's
 * server metadata (name, version, extensions) and model metadata (versions, platform, tensors).
 */
import { projectVersion } from '../../common/project.ts';
import { SERVER_NAME } from '../options.ts';
import { ONNX_PLATFORM } from '../repository/config.ts';
import type { InferenceCore } from './inference.ts';

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

/** The protocol's server metadata (GET /v2, ServerMetadata). */
export function serverMetadata(core: InferenceCore): { name: string; version: string; extensions: string[] } {
  return { name: SERVER_NAME, version: projectVersion(), extensions: serverExtensions(core) };
}

/** The protocol's model metadata for a version (the newest when none is named), and the served model it describes. */
export function modelMetadata(core: InferenceCore, name: string, version: string | undefined) {
  const model = core.registry.resolve(name, version);
  return {
    model,
    metadata: {
      name: model.name,
      versions: core.registry.versionsOf(model.name),
      platform: ONNX_PLATFORM,
      inputs: model.inputs,
      outputs: model.outputs,
    },
  };
}
