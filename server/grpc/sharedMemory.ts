/**
 * The shared-memory RPCs of GRPCInferenceService over the core's region registry: system shared
 * memory's status, register and unregister, and CUDA shared memory's, which refuse (this server
 * holds no CUDA memory). The messages are the protocol's; the core checks everything.
 */
import { cudaSharedMemoryUnsupported, type SharedMemoryRegistry } from '../core/sharedMemory.ts';
import type { UnaryHandler } from './unary.ts';

interface NameRequest {
  name?: string;
}

interface RegisterRequest extends NameRequest {
  key?: string;
  /** uint64 as a decimal string (the loader's longs: String). */
  offset?: string;
  byte_size?: string;
}

export function sharedMemoryHandlers(memory: SharedMemoryRegistry): Record<string, UnaryHandler<never>> {
  const refuseCuda = () => {
    throw cudaSharedMemoryUnsupported();
  };
  return {
    SystemSharedMemoryStatus: (request: NameRequest) => ({
      regions: Object.fromEntries(
        memory
          .status(request.name ?? '')
          .map((region) => [region.name, { name: region.name, key: region.key, offset: region.offset, byte_size: region.byteSize }]),
      ),
    }),
    SystemSharedMemoryRegister: (request: RegisterRequest) => {
      // proto3 leaves zeros out: an absent offset or byte size is 0.
      memory.register(request.name ?? '', request.key ?? '', Number(request.offset ?? 0), Number(request.byte_size ?? 0));
      return {};
    },
    SystemSharedMemoryUnregister: (request: NameRequest) => {
      memory.unregister(request.name ?? '');
      return {};
    },
    CudaSharedMemoryStatus: refuseCuda,
    CudaSharedMemoryRegister: refuseCuda,
    CudaSharedMemoryUnregister: refuseCuda,
  };
}
