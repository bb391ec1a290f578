/**
 * Shared memory refused before a byte moves: every bad region, offset and size, over HTTP and gRPC,
 * each answered with Triton's message and status, and nothing written anywhere in the object.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { lengthPrefixed, postJson } from '../helpers/client.ts';
import { callError } from '../helpers/grpcClient.ts';
import { float32, grpcShm, int64, makeObject, objectBytes, register, shm, useSharedMemoryServer } from '../helpers/sharedMemory.ts';

const served = useSharedMemoryServer();

// Region r is bytes 64–127 of its object, and begins with one length-prefixed string.
const strings = lengthPrefixed(['long enough']);

/** A valid HTTP request for model m, with the given inputs or outputs changed. */
function valid(overrides: { fp32?: object; bytes?: object; outputs?: object[] }): object {
  return {
    inputs: [
      { name: 'in_fp32', datatype: 'FP32', shape: [1, 2], ...(overrides.fp32 ?? { data: [1, 2] }) },
      { name: 'in_int64', datatype: 'INT64', shape: [1, 2], data: [1, 2] },
      { name: 'in_bytes', datatype: 'BYTES', shape: [1, 2], ...(overrides.bytes ?? { data: ['a', 'b'] }) },
    ],
    ...(overrides.outputs ? { outputs: overrides.outputs } : {}),
  };
}

/** Bad HTTP requests: the request, the status and the message it is answered with. */
const HTTP_REFUSALS: [object, number, RegExp][] = [
  [valid({ fp32: { parameters: shm('nope', 8) } }), 404, /Unable to find shared memory region: 'nope' \(input 'in_fp32'\)/],
  [
    valid({ fp32: { parameters: shm('r', 8, 64) } }),
    400,
    /Invalid offset for shared memory region: 'r' \(input 'in_fp32': offset 64, but the region has 64 bytes\)/,
  ],
  [valid({ fp32: { parameters: shm('r', 8, 2 ** 64 - 32) } }), 400, /Invalid offset for shared memory region: 'r'/],
  [
    valid({ fp32: { parameters: shm('r', 8, 60) } }),
    400,
    /Invalid offset \+ byte size for shared memory region: 'r' \(input 'in_fp32': offset 60 \+ byte size 8 passes the region's 64 bytes\)/,
  ],
  [valid({ fp32: { parameters: shm('r', 2 ** 64 - 32, 32) } }), 400, /Invalid offset \+ byte size for shared memory region: 'r'/],
  [valid({ fp32: { parameters: shm('r', 16) } }), 400, /input byte size mismatch for input 'in_fp32' for model 'm'. Expected 8, got 16/],
  [
    valid({ outputs: [{ name: 'out_fp32', parameters: shm('r', 4) }] }),
    400,
    /shared memory size specified with the request for output 'out_fp32' \(4 bytes\) should be at least 8 bytes to hold the results/,
  ],
  [
    valid({ outputs: [{ name: 'out_fp32', parameters: { ...shm('r', 8), classification: 1 } }] }),
    400,
    /Output can't set both 'shared_memory_region' and 'classification'/,
  ],
  [
    valid({ outputs: [{ name: 'out_fp32', parameters: { ...shm('r', 8), binary_data: true } }] }),
    400,
    /Output can't set both 'shared_memory_region' and 'binary_data'/,
  ],
  [
    valid({ fp32: { data: [1, 2], parameters: shm('r', 8) } }),
    400,
    /Input must set only one of the following fields: .* But set 'data' 'shared_memory_region' \(input 'in_fp32'\)/,
  ],
  [valid({ fp32: { parameters: {} } }), 400, /But no field is set \(input 'in_fp32'\)/],
  [
    valid({ fp32: { parameters: { shared_memory_region: 'r' } } }),
    400,
    /'shared_memory_byte_size' must be specified along with 'shared_memory_region' parameter for input 'in_fp32'/,
  ],
  [
    valid({ outputs: [{ name: 'out_fp32', parameters: { shared_memory_offset: 8 } }] }),
    400,
    /'shared_memory_offset' can not be specified without 'shared_memory_region' parameter for output 'out_fp32'/,
  ],
  [
    valid({ fp32: { parameters: { shared_memory_region: 7, shared_memory_byte_size: 8 } } }),
    400,
    /'shared_memory_region' of input 'in_fp32' must be a region name \(a string\), got 7/,
  ],
  [
    valid({ fp32: { parameters: shm('r', 8, -8) } }),
    400,
    /'shared_memory_offset' of input 'in_fp32' must be a whole number of bytes ≥ 0, got -8/,
  ],
  [
    valid({ fp32: { parameters: { shared_memory_region: 'r', shared_memory_byte_size: '8' } } }),
    400,
    /'shared_memory_byte_size' of input 'in_fp32' must be a whole number of bytes ≥ 0, got "8"/,
  ],
  [
    valid({ bytes: { parameters: shm('r', strings.length + 1) } }),
    400,
    /input 'in_bytes' has 1 bytes after its 2 BYTES elements|input 'in_bytes' binary data ends after 1 of its 2 BYTES elements/,
  ],
];

/** A gRPC request for model m with in_fp32 as given (the other inputs typed). */
function grpcRequest(fp32: object, rest: object = {}) {
  return {
    inputs: [
      { name: 'in_fp32', datatype: 'FP32', shape: [1, 2], ...fp32 },
      { name: 'in_int64', datatype: 'INT64', shape: [1, 2], contents: { int64_contents: ['1', '2'] } },
      { name: 'in_bytes', datatype: 'BYTES', shape: [1, 2], contents: { bytes_contents: [Buffer.from('a'), Buffer.from('b')] } },
    ],
    ...rest,
  };
}

/** Bad gRPC requests: the request, the status code and the message it is answered with. */
const GRPC_REFUSALS: [object, number, RegExp][] = [
  [
    grpcRequest({ parameters: grpcShm('r', 8), contents: { fp32_contents: [1, 2] } }),
    grpc.status.INVALID_ARGUMENT,
    /unexpected 'content' provided when using shared memory for input tensor 'in_fp32' for model 'm'/,
  ],
  [
    {
      inputs: grpcRequest({ parameters: grpcShm('r', 8) }).inputs.map((input) => ({ ...input, contents: undefined })),
      raw_input_contents: [float32([1, 2]), int64([1n, 2n]), lengthPrefixed(['a', 'b'])],
    },
    grpc.status.INVALID_ARGUMENT,
    /raw_input_contents has 3 entries for 2 inputs not in shared memory/,
  ],
  [grpcRequest({ parameters: grpcShm('gone', 8) }), grpc.status.NOT_FOUND, /Unable to find shared memory region: 'gone'/],
  [grpcRequest({ parameters: grpcShm('r', 8, 64) }), grpc.status.INVALID_ARGUMENT, /Invalid offset for shared memory region: 'r'/],
  [
    grpcRequest({ parameters: { shared_memory_region: { int64_param: 1 }, shared_memory_byte_size: { int64_param: 8 } } }),
    grpc.status.INVALID_ARGUMENT,
    /must be a region name/,
  ],
  [
    grpcRequest({ contents: { fp32_contents: [1, 2] } }, { outputs: [{ name: 'out_fp32', parameters: grpcShm('r', 4) }] }),
    grpc.status.INVALID_ARGUMENT,
    /should be at least 8 bytes to hold the results/,
  ],
];

describe('inference through shared memory', () => {
  it('refuses every bad region, offset and size before reading or writing a byte', async () => {
    const original = Buffer.alloc(256, 0x55);
    strings.copy(original, 64);
    const key = makeObject('bad', original);
    expect((await register(served.server.url, 'r', key, 64, 64)).status).toBe(200);
    const lying = Buffer.from(strings);
    lying.writeUInt32LE(1000, 0);
    for (const [body, status, message] of HTTP_REFUSALS) {
      const reply = await postJson(`${served.server.url}/v2/models/m/infer`, body);
      expect({ body, status: reply.status }).toEqual({ body, status });
      expect(reply.body.error).toMatch(message);
    }
    // The refused requests wrote nothing anywhere in the object.
    expect(objectBytes(key).equals(original)).toBe(true);
    // A BYTES input whose length prefix lies, and one larger than --body-limit allows (64 KiB here).
    fs.writeFileSync(path.join('/dev/shm', key.slice(1)), Buffer.concat([Buffer.alloc(64), lying, Buffer.alloc(256 - 64 - lying.length)]));
    const lies = await postJson(`${served.server.url}/v2/models/m/infer`, valid({ bytes: { parameters: shm('r', lying.length) } }));
    expect(lies.status).toBe(400);
    expect(lies.body.error).toMatch(/input 'in_bytes' BYTES element 0 declares 1000 bytes, but only 11 are left/);
    const hugeKey = makeObject('huge', 128 * 1024);
    expect((await register(served.server.url, 'huge', hugeKey, 128 * 1024)).status).toBe(200);
    const huge = await postJson(`${served.server.url}/v2/models/m/infer`, valid({ bytes: { parameters: shm('huge', 100_000) } }));
    expect(huge.status).toBe(400);
    expect(huge.body.error).toMatch(
      /input 'in_bytes' takes 100000 bytes of shared memory; a BYTES tensor may take at most 65536 \(--body-limit\)/,
    );

    for (const [request, code, message] of GRPC_REFUSALS) {
      const error = await callError(served.client, 'ModelInfer', { model_name: 'm', ...request });
      expect({ request, code: error.code }).toEqual({ request, code });
      expect(error.details).toMatch(message);
    }
  });
});
