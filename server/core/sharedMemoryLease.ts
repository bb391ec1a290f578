/**
 * One request's hold on the shared-memory regions it names: it reads the request's inputs from
 * them and writes its outputs into them, through each region's file descriptor (pread/pwrite),
 * straight between the file and the tensor's own memory. The file is checked again (same file,
 * still long enough) right before each read and write, so a region removed or truncated since it
 * was registered is a clean error, never a read of nothing.
 */
import fs from 'node:fs';
import { InvalidRequestError } from '../errors.ts';
import type { SharedMemoryRef } from './sharedMemoryParameters.ts';

/** A region as the registry reports it. */
export interface RegionStatus {
  name: string;
  key: string;
  offset: number;
  byteSize: number;
}

/** A registered region, with its open file. */
export interface Region extends RegionStatus {
  file: string;
  fd: number;
  /** The file's identity at registration: a file removed and created again under the key is another file. */
  dev: number;
  ino: number;
  /** Requests holding the region now. */
  leases: number;
  /** Unregistered while leased: closed when the last lease ends. */
  unregistered: boolean;
}

/** One tensor's use of a region within a request. */
export interface RegionUse {
  /** `input 'x'` or `output 'y'`, for messages. */
  tensor: string;
  ref: SharedMemoryRef;
}

/** The regions one request uses: read its inputs, write its outputs, then release. */
export class SharedMemoryLease {
  private released = false;

  constructor(
    private readonly regions: Region[],
    private readonly maxStringTensorBytes: number,
    /** Hands the regions back to the registry (a region unregistered meanwhile closes with its last lease). */
    private readonly onRelease: (regions: Region[]) => void,
  ) {}

  /** Fills `target` (a fixed-size input's own memory, exactly the region's byte size) from the region. */
  readInto(use: RegionUse, target: Uint8Array): void {
    const region = this.regionOf(use);
    const start = region.offset + use.ref.offset;
    checkFile(region, use.tensor, start + target.length);
    let done = 0;
    while (done < target.length) {
      const read = fs.readSync(region.fd, target, done, target.length - done, start + done);
      if (read === 0) throw fileChanged(region, use.tensor, 'was truncated');
      done += read;
    }
  }

  /** A BYTES input's bytes (length-prefixed elements, parsed by the caller), bounded by --body-limit. */
  readBytes(use: RegionUse): Uint8Array {
    if (use.ref.byteSize > this.maxStringTensorBytes) {
      throw new InvalidRequestError(
        `${use.tensor} takes ${use.ref.byteSize} bytes of shared memory; a BYTES tensor may take at most ${this.maxStringTensorBytes} (--body-limit)`,
      );
    }
    const bytes = new Uint8Array(use.ref.byteSize);
    this.readInto(use, bytes);
    return bytes;
  }

  /**
   * Writes outputs' bytes at their uses' offsets. All are checked first — each must fit the byte
   * size the request gave, and its file must still be there and long enough — so a request that
   * fails leaves its regions as they were, rather than with some outputs written.
   */
  writeAll(writes: { use: RegionUse; bytes: Uint8Array }[]): void {
    const placed = writes.map(({ use, bytes }) => {
      const region = this.regionOf(use);
      if (bytes.length > use.ref.byteSize) {
        throw new InvalidRequestError(
          `shared memory size specified with the request for ${use.tensor} (${use.ref.byteSize} bytes) should be at least ${bytes.length} bytes to hold the results`,
        );
      }
      const start = region.offset + use.ref.offset;
      checkFile(region, use.tensor, start + bytes.length);
      return { fd: region.fd, start, bytes };
    });
    for (const { fd, start, bytes } of placed) {
      let done = 0;
      while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done, start + done);
    }
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.onRelease(this.regions);
  }

  private regionOf(use: RegionUse): Region {
    const region = this.regions.find((candidate) => candidate.name === use.ref.region);
    if (region === undefined || this.released) throw new Error(`internal: ${use.tensor} uses region '${use.ref.region}' outside its lease`);
    return region;
  }
}

/** The region's file must still be the one registered, and long enough: a removed or truncated file is a clean error, not a read of nothing. */
function checkFile(region: Region, tensor: string, end: number): void {
  let current: fs.Stats;
  try {
    current = fs.statSync(region.file);
  } catch {
    throw fileChanged(region, tensor, 'was removed');
  }
  if (current.dev !== region.dev || current.ino !== region.ino) throw fileChanged(region, tensor, 'was removed and replaced by another');
  const { size } = fs.fstatSync(region.fd);
  if (size < end) throw fileChanged(region, tensor, `was truncated to ${size} bytes`);
}

function fileChanged(region: Region, tensor: string, what: string): InvalidRequestError {
  return new InvalidRequestError(
    `shared memory region '${region.name}' cannot be used for ${tensor}: its shared memory object '${region.key}' ${what} after it was registered; register it again`,
  );
}
