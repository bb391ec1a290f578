/**
 * Every protocol datatype over gRPC's ModelInfer: typed contents (each datatype's own field, and
 * FP16 refused there for want of one) and raw contents, on a model with an input and an output of
 * each type, the twelve typed ones on a model of their own.
 */
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Datatype } from '../../../server/core/datatypes.ts';
import { startServer } from '../../../server/index.ts';
import { float32Bytes, lengthPrefixed, readFloat32, readLengthPrefixed } from '../helpers/client.ts';
import { useDigitsServer } from '../helpers/digitsServer.ts';
import { call, callError, type GrpcClient, grpcClient } from '../helpers/grpcClient.ts';
import { tensorName, writeAllTypesModel } from '../helpers/models.ts';

const served = useDigitsServer({ tempPrefix: 'tfjs-onnx-grpc-', typesModel: true, serve: { grpcPort: 0, bodyLimit: 1024 * 1024 } });
let directory: string;
let client: GrpcClient;
beforeAll(() => {
  ({ directory, client } = served);
});

/** Each datatype but FP16: its typed contents field, and what the model answers (numbers doubled, except the 8- and 16-bit, unsigned and boolean ones). */
const TYPED_CONTENTS: [Datatype, object, unknown[]][] = [
  ['BOOL', { bool_contents: [true, false, true, true] }, [0, 1, 0, 0]],
  ['INT8', { int_contents: [-128, 127, 1, 2] }, [-128, 127, 1, 2]],
  ['INT16', { int_contents: [-32768, 5, 1, 2] }, [-32768, 5, 1, 2]],
  ['INT32', { int_contents: [-7, 5, 1, 2] }, [-14, 10, 2, 4]],
  ['INT64', { int64_contents: [-(2 ** 40), 5, 1, 2] }, [-(2 ** 41), 10, 2, 4]],
  ['UINT8', { uint_contents: [255, 5, 1, 2] }, [255, 5, 1, 2]],
  ['UINT16', { uint_contents: [65535, 5, 1, 2] }, [65535, 5, 1, 2]],
  ['UINT32', { uint_contents: [4294967295, 5, 1, 2] }, [4294967295, 5, 1, 2]],
  ['UINT64', { uint64_contents: [2 ** 50, 5, 1, 2] }, [2 ** 50, 5, 1, 2]],
  ['FP32', { fp32_contents: [0.5, -1, 1, 2] }, [1, -2, 2, 4]],
  ['FP64', { fp64_contents: [0.1, -1, 1, 2] }, [0.2, -2, 2, 4]],
  ['BYTES', { bytes_contents: ['x', 'ÿ', '', 'zz'].map((s) => Buffer.from(s)) }, ['x', 'ÿ', '', 'zz']],
];

/** `values` as a raw_input_contents entry of `datatype` (little-endian, BYTES length-prefixed). */
function rawContents(datatype: Datatype, values: unknown[]): Buffer {
  switch (datatype) {
    case 'BOOL':
      return Buffer.from((values as boolean[]).map(Number));
    case 'INT8':
      return Buffer.from(Int8Array.from(values as number[]).buffer);
    case 'INT16':
      return Buffer.from(Int16Array.from(values as number[]).buffer);
    case 'INT32':
      return Buffer.from(Int32Array.from(values as number[]).buffer);
    case 'INT64':
      return Buffer.from(BigInt64Array.from(values as number[], BigInt).buffer);
    case 'UINT8':
      return Buffer.from(Uint8Array.from(values as number[]).buffer);
    case 'UINT16':
      return Buffer.from(Uint16Array.from(values as number[]).buffer);
    case 'UINT32':
      return Buffer.from(Uint32Array.from(values as number[]).buffer);
    case 'UINT64':
      return Buffer.from(BigUint64Array.from(values as number[], BigInt).buffer);
    case 'FP32':
      return float32Bytes(values as number[]);
    case 'FP64':
      return Buffer.from(Float64Array.from(values as number[]).buffer);
    case 'BYTES':
      return lengthPrefixed((values as Buffer[]).map(String));
    default:
      throw new Error(datatype);
  }
}

/** What these tests read of a ModelInfer response. */
interface ModelInferResponse {
  outputs: { name: string }[];
  raw_output_contents: Buffer[];
}

/** A ModelInfer response's raw_output_contents by output name. */
function outputsByName(response: ModelInferResponse): Map<string, Buffer> {
  return new Map<string, Buffer>(response.outputs.map((output, i) => [output.name, response.raw_output_contents[i]!]));
}

/** Typed contents for everything but FP16: `inputs` sent to a model of the other twelve types, served by a server of its own. */
async function inferOnTwelveTypes(inputs: object[]): Promise<Map<string, Buffer>> {
  const twelve = path.join(directory, 'twelve.onnx');
  writeAllTypesModel(twelve, { datatypes: TYPED_CONTENTS.map(([datatype]) => datatype) });
  const other = await startServer({ modelPaths: [twelve], port: 0, grpcPort: 0 });
  try {
    const second = grpcClient(other.grpcAddress!, { keepCase: true, longs: Number, defaults: true, oneofs: true });
    const reply = await new Promise<ModelInferResponse>((resolve, reject) =>
      second.ModelInfer({ model_name: 'twelve', inputs }, (error: Error | null, result: ModelInferResponse) =>
        error ? reject(error) : resolve(result),
      ),
    );
    second.close();
    return outputsByName(reply);
  } finally {
    await other.close();
  }
}

describe('gRPC', () => {
  it('runs every datatype with typed contents and with raw contents', async () => {
    const fp16 = Buffer.from([0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38, 0x00, 0x00]); // 1, -2, 0.5, 0
    const inputs = [
      ...TYPED_CONTENTS.map(([datatype, contents]) => ({ name: tensorName('in', datatype), datatype, shape: [2, 2], contents })),
      { name: 'in_fp16', datatype: 'FP16', shape: [2, 2], contents: {} },
    ];
    const fp16Error = await callError(client, 'ModelInfer', { model_name: 'types', inputs });
    expect(fp16Error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(fp16Error.details).toMatch(/FP16, which has no contents field; send it in raw_input_contents/);

    // FP16 needs raw contents, and raw contents go for every input or none: so all raw here.
    const sources = TYPED_CONTENTS.map(([datatype, contents]) => [datatype, Object.values(contents)[0] as unknown[]] as const);
    const response = await call(client, 'ModelInfer', {
      model_name: 'types',
      inputs: [
        ...sources.map(([datatype]) => ({ name: tensorName('in', datatype), datatype, shape: [2, 2] })),
        { name: 'in_fp16', datatype: 'FP16', shape: [2, 2] },
      ],
      raw_input_contents: [...sources.map(([datatype, values]) => rawContents(datatype, values)), fp16],
    });
    const outputs = outputsByName(response);
    expect(outputs.get('out_fp16')).toEqual(fp16);
    expect(readFloat32(outputs.get('out_fp32')!)).toEqual([1, -2, 2, 4]);
    expect(Array.from(new BigInt64Array(new Uint8Array(outputs.get('out_int64')!).buffer), Number)).toEqual([-(2 ** 41), 10, 2, 4]);
    expect([...outputs.get('out_bool')!]).toEqual([0, 1, 0, 0]);
    expect(readLengthPrefixed(outputs.get('out_bytes')!)).toEqual(['x', 'ÿ', '', 'zz']);
    for (const [datatype, , _expected] of TYPED_CONTENTS) expect(outputs.has(tensorName('out', datatype)), datatype).toBe(true);

    // Typed contents for everything but FP16: a model of the other twelve types.
    const byName = await inferOnTwelveTypes(inputs.slice(0, -1));
    expect(readFloat32(byName.get('out_fp32')!)).toEqual([1, -2, 2, 4]);
    expect(Array.from(new Float64Array(new Uint8Array(byName.get('out_fp64')!).buffer))).toEqual([0.2, -2, 2, 4]);
    expect(Array.from(new Int16Array(new Uint8Array(byName.get('out_int16')!).buffer))).toEqual([-32768, 5, 1, 2]);
    expect(Array.from(new BigUint64Array(new Uint8Array(byName.get('out_uint64')!).buffer), Number)).toEqual([2 ** 50, 5, 1, 2]);
    expect(readLengthPrefixed(byName.get('out_bytes')!)).toEqual(['x', 'ÿ', '', 'zz']);
  });
});
