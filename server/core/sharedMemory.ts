/**
 * System shared memory (Triton's extension): clients register POSIX shared-memory objects
 * (/dev/shm/<key>) as named regions, then name a region, an offset and a byte size instead of
 * sending a tensor's bytes; the server reads inputs from the region and writes outputs into it.
 * The core owns the regions; the HTTP and gRPC front ends only translate the calls.
 *
 * Regions are read and written through their file descriptor (pread/pwrite), never mapped: a
 * mapped file that another process truncates kills the reader with SIGBUS, while a read past the
 * end of a descriptor merely comes back short, which becomes a clean error. Bytes go straight
 * between the file and the tensor's own memory (an input is read into the typed array the model
 * runs on; an output is written from the array the model returned), so the only copy is the
 * kernel's. Every offset and size is checked against the region when a request arrives, before
 * anything is read or written, and the file is checked again (same file, still long enough) right
 * before each read and write.
 *
 * Unregistering a region that requests are using takes effect when the last of them ends (as in
 * Triton): until then it stays listed and usable, and its descriptor stays open.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  FeatureDisabledError,
  InvalidRequestError,
  RegionExistsError,
  RegionLimitExceededError,
  RegionNotFoundError,
  UnsupportedFeatureError,
} from '../errors.ts';
import { SharedMemoryLease, type Region, type RegionStatus, type RegionUse } from './sharedMemoryLease.ts';
import { wholeBytes, type SharedMemoryRef } from './sharedMemoryParameters.ts';

/** Where POSIX shared-memory objects live on Linux: shm_open("/name") opens /dev/shm/name. */
export const SHM_DIRECTORY = '/dev/shm';

/** Triton's message when client shared memory is off, word for word (clients match on it). */
export const CLIENT_SHM_DISABLED = "Client shared memory is disabled. Start the server with '--allow-client-shm=true' to enable.";

/** Keys Triton keeps for its Python backend's own regions; refused as Triton refuses them. */
const RESERVED_KEY_PREFIX = 'triton_python_backend_shm_region_';

export interface SharedMemoryOptions {
  /** --allow-client-shm: off, register and unregister are refused (status still answers), as in Triton. */
  enabled: boolean;
  /** --max-shm-regions: regions registered at once (each holds a file descriptor). */
  maxRegions: number;
  /** --max-shm-bytes: the registered regions' byte sizes added up. */
  maxBytes: number;
  /** Most bytes a BYTES input may take in a region (its size is the client's word, not the shape's): --body-limit. */
  maxStringTensorBytes: number;
  /** The directory keys resolve in; /dev/shm except in tests of the path handling. */
  directory?: string;
}

export class SharedMemoryRegistry {
  private readonly regions = new Map<string, Region>();
  private readonly directory: string;

  constructor(readonly options: SharedMemoryOptions) {
    this.directory = options.directory ?? SHM_DIRECTORY;
  }

  get enabled(): boolean {
    return this.options.enabled;
  }

  register(name: string, key: unknown, offset: unknown, byteSize: unknown): void {
    if (!this.options.enabled) throw new FeatureDisabledError(CLIENT_SHM_DISABLED);
    if (name === '') throw new InvalidRequestError("'region name' is necessary to register system shared memory region");
    if (name.length > 1024)
      throw new InvalidRequestError(`a shared memory region name may have at most 1024 characters, got ${name.length}`);
    if (this.regions.has(name)) throw new RegionExistsError(`shared memory region '${name}' already in manager`);
    const file = this.fileOf(name, key);
    const start = wholeBytes(offset ?? 0, `shared memory region '${name}' offset`);
    const size = wholeBytes(byteSize, `shared memory region '${name}' byte_size`);
    if (size === 0)
      throw new InvalidRequestError(`failed to register shared memory region '${name}': invalid args: byte_size must be at least 1`);
    this.checkLimits(name, size);
    const fd = openRegionFile(name, key as string, file);
    try {
      const stat = fs.fstatSync(fd);
      if (!stat.isFile())
        throw new InvalidRequestError(
          `failed to register shared memory region '${name}': '${key as string}' is not a shared memory object`,
        );
      if (start + size > stat.size) {
        throw new InvalidRequestError(
          `failed to register shared memory region '${name}': invalid args: offset ${start} + byte_size ${size} passes the end of '${key as string}', which has ${stat.size} bytes`,
        );
      }
      this.regions.set(name, {
        name,
        key: key as string,
        offset: start,
        byteSize: size,
        file,
        fd,
        dev: stat.dev,
        ino: stat.ino,
        leases: 0,
        unregistered: false,
      });
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
  }

  /** One region, or every region when `name` is empty; unknown names are no error (Triton's behaviour). */
  unregister(name: string): void {
    if (!this.options.enabled) throw new FeatureDisabledError(CLIENT_SHM_DISABLED);
    const targets = name === '' ? [...this.regions.values()] : [this.regions.get(name)].filter((region) => region !== undefined);
    for (const region of targets) {
      region.unregistered = true;
      if (region.leases === 0) this.close(region);
    }
  }

  /** Every region, or the one named (404 if it is not registered). */
  status(name: string): RegionStatus[] {
    const chosen = name === '' ? [...this.regions.values()] : [this.regions.get(name)];
    if (chosen[0] === undefined && name !== '') throw new RegionNotFoundError(`Unable to find system shared memory region: '${name}'`);
    return (chosen as Region[]).map(({ name: regionName, key, offset, byteSize }) => ({ name: regionName, key, offset, byteSize }));
  }

  /**
   * Checks every use against its region — registered, offset inside it, offset + size not past its
   * end — and holds the regions for the request. Nothing is read or written before all pass.
   */
  lease(uses: RegionUse[]): SharedMemoryLease {
    const held = new Set<Region>();
    for (const { tensor, ref } of uses) {
      const region = this.regions.get(ref.region);
      if (region === undefined) throw new RegionNotFoundError(`Unable to find shared memory region: '${ref.region}' (${tensor})`);
      checkBounds(region, tensor, ref);
      held.add(region);
    }
    for (const region of held) region.leases++;
    return new SharedMemoryLease([...held], this.options.maxStringTensorBytes, (regions) => this.returnLease(regions));
  }

  /** Closes every region's descriptor (the server is shutting down). */
  closeAll(): void {
    for (const region of this.regions.values()) this.close(region);
  }

  /** Called by a lease as it ends: a region unregistered meanwhile closes with its last lease. */
  private returnLease(regions: Region[]): void {
    for (const region of regions) {
      region.leases--;
      if (region.leases === 0 && region.unregistered) this.close(region);
    }
  }

  private close(region: Region): void {
    if (this.regions.get(region.name) !== region) return;
    this.regions.delete(region.name);
    fs.closeSync(region.fd);
  }

  /** The file a key names, refusing keys that are not a single name under the directory. */
  private fileOf(name: string, key: unknown): string {
    if (typeof key !== 'string') throw new InvalidRequestError(`Shared memory register request for '${name}' has no 'key' string`);
    const bare = key.replace(/^\/+/, '');
    const invalid = (why: string) =>
      new InvalidRequestError(`cannot register shared memory region '${name}' - invalid shm key '${key}': ${why}`);
    if (bare === '') throw new InvalidRequestError(`cannot register shared memory region '${name}' - invalid shm key '${key}'`);
    if (bare.startsWith(RESERVED_KEY_PREFIX)) {
      throw new InvalidRequestError(
        `cannot register shared memory region '${name}' with key '${key}' as the key contains the reserved prefix '${RESERVED_KEY_PREFIX}'`,
      );
    }
    // shm_open takes one name: no directories, no '.' or '..', nothing a path could climb out with.
    if (bare.includes('/')) throw invalid("a key is one name ('/my_region'), with no '/' after its leading one");
    if (bare === '.' || bare === '..') throw invalid("'.' and '..' are not shared memory objects");
    if (bare.includes('\0')) throw invalid('it contains a NUL character');
    if (Buffer.byteLength(bare) > 255) throw invalid('it is longer than 255 bytes');
    return path.join(this.directory, bare);
  }

  private checkLimits(name: string, size: number): void {
    const { maxRegions, maxBytes } = this.options;
    if (this.regions.size >= maxRegions) {
      throw new RegionLimitExceededError(
        `cannot register shared memory region '${name}': ${this.regions.size} regions are registered, the most this server allows (--max-shm-regions ${maxRegions})`,
      );
    }
    const total = [...this.regions.values()].reduce((sum, region) => sum + region.byteSize, 0);
    if (total + size > maxBytes) {
      throw new RegionLimitExceededError(
        `cannot register shared memory region '${name}': its ${size} bytes and the ${total} registered already pass --max-shm-bytes ${maxBytes}`,
      );
    }
  }
}

function checkBounds(region: Region, tensor: string, ref: SharedMemoryRef): void {
  if (ref.offset >= region.byteSize) {
    throw new InvalidRequestError(
      `Invalid offset for shared memory region: '${region.name}' (${tensor}: offset ${ref.offset}, but the region has ${region.byteSize} bytes)`,
    );
  }
  if (ref.offset + ref.byteSize > region.byteSize) {
    throw new InvalidRequestError(
      `Invalid offset + byte size for shared memory region: '${region.name}' (${tensor}: offset ${ref.offset} + byte size ${ref.byteSize} passes the region's ${region.byteSize} bytes)`,
    );
  }
}

function openRegionFile(name: string, key: string, file: string): number {
  try {
    // O_NOFOLLOW: a key is a shared memory object, never a symbolic link to some other file.
    // O_NONBLOCK: opening a FIFO someone placed there must not hang the server.
    return fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such shared memory object'
        : code === 'ELOOP'
          ? 'it is a symbolic link'
          : code === 'EACCES'
            ? 'permission denied'
            : (code ?? 'cannot open');
    throw new InvalidRequestError(`Unable to open shared memory region: '${key}' (region '${name}': ${why})`);
  }
}

/** What every CUDA shared-memory call answers (400 / UNIMPLEMENTED): this server runs no CUDA memory to share. */
export function cudaSharedMemoryUnsupported(): UnsupportedFeatureError {
  return new UnsupportedFeatureError(
    'CUDA shared memory',
    'it holds no CUDA memory (the cuda_shared_memory extension is not listed); pass tensors in system shared memory or in the request',
  );
}
