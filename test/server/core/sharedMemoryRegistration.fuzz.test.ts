/**
 * Property-based fuzzing of shared-memory registration over real sockets: random region names,
 * keys, offsets and byte sizes, registered over HTTP JSON and gRPC. Whatever comes in, the server
 * answers with a result or one typed error, never a 500, and a registration succeeds exactly when
 * the key names one object under /dev/shm and the window fits it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzParameters, fuzzTestTimeoutMs } from '../../helpers/fuzz.ts';
import { byteCount, expectResultOrTypedError, GRPC_REFUSALS, SENTINEL, useShmFuzzServer } from '../helpers/sharedMemoryFuzz.ts';

const { name: NAME, postJson, grpcCall } = useShmFuzzServer('registration');

/** Keys: the object's, written in ways that name it or not, other objects, paths out of /dev/shm, and anything. */
const key = fc.oneof(
  fc.constantFrom(
    `/${NAME}`,
    NAME,
    `///${NAME}`,
    `/${NAME}/x`,
    `/../${NAME}`,
    `/${NAME}_missing`,
    '/',
    '',
    '/..',
    '/.',
    '/triton_python_backend_shm_region_a',
    `/../../dev/shm/${NAME}`,
  ),
  fc.string({ maxLength: 6 }),
  fc.anything({ maxDepth: 0 }),
);
const registration = fc.record({
  name: fc.oneof(fc.constantFrom('a', 'b', ''), fc.string({ maxLength: 4 })),
  key,
  offset: byteCount,
  byteSize: byteCount,
  protocol: fc.constantFrom('http', 'grpc'),
});
/** The keys that name the object. */
const validKeys = new Set([`/${NAME}`, NAME, `///${NAME}`]);
const whole = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 0;

describe('fuzzing the shared-memory parameters', () => {
  it(
    'registration: succeeds exactly when the key names one object under /dev/shm and the window fits it',
    async () => {
      await fc.assert(
        fc.asyncProperty(registration, async ({ name, key: given, offset, byteSize, protocol }) => {
          let ok: boolean;
          if (protocol === 'http') {
            const reply = await postJson(`/v2/systemsharedmemory/region/${encodeURIComponent(name)}/register`, {
              key: given,
              offset,
              byte_size: byteSize,
            });
            expectResultOrTypedError(reply);
            ok = reply.status === 200;
          } else {
            const error = await grpcCall('SystemSharedMemoryRegister', {
              name,
              key: typeof given === 'string' ? given : '',
              offset: whole(offset) && (offset as number) < 2 ** 63 ? String(offset) : '0',
              byte_size: whole(byteSize) && (byteSize as number) < 2 ** 63 ? String(byteSize) : '0',
            });
            if (error) expect(GRPC_REFUSALS.has(error.code), `${error.code} ${error.details}`).toBe(true);
            ok = error === null;
            // gRPC carries only uint64s: what the oracle sees is what was sent.
            offset = whole(offset) && (offset as number) < 2 ** 63 ? Number(BigInt(offset as number)) : 0;
            byteSize = whole(byteSize) && (byteSize as number) < 2 ** 63 ? Number(BigInt(byteSize as number)) : 0;
            given = typeof given === 'string' ? given : '';
          }
          const start = offset ?? 0;
          const expected =
            name !== '' &&
            typeof given === 'string' &&
            validKeys.has(given) &&
            whole(start) &&
            whole(byteSize) &&
            (byteSize as number) >= 1 &&
            (start as number) + (byteSize as number) <= SENTINEL.length;
          expect(ok, JSON.stringify({ name, given, offset, byteSize })).toBe(expected);
          if (ok) await postJson('/v2/systemsharedmemory/unregister', {});
        }),
        fuzzParameters(),
      );
    },
    fuzzTestTimeoutMs(),
  );
});
