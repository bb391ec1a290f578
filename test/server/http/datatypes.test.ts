/**
 * Every protocol datatype over HTTP, through one model with an input and an output of each: all
 * thirteen in one JSON request, JSON and binary inputs and outputs mixed (BYTES with their length
 * prefixes, FP16 as its bits), and what is missing or disagrees across inputs named.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../server/index.ts';
import type { Datatype } from '../../../server/core/datatypes.ts';
import { fromHalfBits, toHalfBits } from '../../../server/core/fp16.ts';
import { tempDir } from '../../helpers/tempDir.ts';
import { expectError, lengthPrefixed, postBinary, postJson, readLengthPrefixed, tritonBinaryRequest } from '../helpers/client.ts';
import { DOUBLED, ONNX_TYPES, tensorName, writeAllTypesModel } from '../helpers/models.ts';

let typed: RunningServer;

beforeAll(async () => {
  const typesPath = path.join(tempDir('tfjs-onnx-datatypes-'), 'types.onnx');
  writeAllTypesModel(typesPath);
  typed = await startServer({ modelPaths: [typesPath], port: 0, grpcPort: false });
});
afterAll(async () => {
  await typed?.close();
});

describe('every datatype, several inputs and outputs', () => {
  const datatypes = Object.keys(ONNX_TYPES) as Datatype[];
  const jsonData: Record<Datatype, unknown[]> = {
    BOOL: [true, false, false, true],
    UINT8: [0, 255, 7, 8],
    UINT16: [65535, 1, 2, 3],
    UINT32: [4294967295, 0, 1, 2],
    UINT64: [2 ** 53 - 1, 0, 5, 6],
    INT8: [-128, 127, 0, 1],
    INT16: [-32768, 32767, 0, 1],
    INT32: [-5, 1000000, 3, 4],
    INT64: [-(2 ** 40), 2 ** 40, 3, 4],
    FP16: [0.5, -2, 1024, 0.25],
    FP32: [0.25, -1.5, 3, 4],
    FP64: [0.1, 1e300, -3, 4],
    BYTES: ['a', 'ünï', '', 'z'],
  };
  const expectedOutput = (datatype: Datatype) => {
    const values = jsonData[datatype];
    if (DOUBLED.includes(datatype)) return values.map((value) => (datatype === 'FP64' && value === 1e300 ? 2e300 : (value as number) * 2));
    if (datatype === 'BOOL') return values.map((value) => !value);
    return values;
  };

  it('runs all thirteen datatypes through one model in one JSON request', async () => {
    const body = {
      inputs: datatypes.map((datatype) => ({ name: tensorName('in', datatype), shape: [2, 2], datatype, data: jsonData[datatype] })),
    };
    const reply = await postJson(`${typed.url}/v2/models/types/infer`, body);
    expect(reply.status).toBe(200);
    for (const datatype of datatypes) {
      const output = reply.body.outputs.find((candidate: { name: string }) => candidate.name === tensorName('out', datatype));
      expect(output, datatype).toMatchObject({ datatype, shape: [2, 2] });
      expect(output.data, datatype).toEqual(expectedOutput(datatype));
    }
  });

  it('mixes JSON and binary inputs and outputs, with BYTES length prefixes and FP16 bits', async () => {
    const fp16 = Buffer.alloc(8);
    [0.5, -2, 1024, 0.25].forEach((value, i) => {
      fp16.writeUInt16LE(toHalfBits(value), i * 2);
    });
    const int64 = Buffer.alloc(32);
    [-(2 ** 40), 2 ** 40, 3, 4].forEach((value, i) => {
      int64.writeBigInt64LE(BigInt(value), i * 8);
    });
    const binaryInputs = [
      { name: 'in_bytes', datatype: 'BYTES', shape: [2, 2], bytes: lengthPrefixed(['a', 'ünï', '', 'z']) },
      { name: 'in_fp16', datatype: 'FP16', shape: [2, 2], bytes: fp16 },
      { name: 'in_int64', datatype: 'INT64', shape: [2, 2], bytes: int64 },
      { name: 'in_bool', datatype: 'BOOL', shape: [2, 2], bytes: Buffer.from([1, 0, 0, 1]) },
    ];
    const jsonInputs = datatypes
      .filter((datatype) => !binaryInputs.some((input) => input.name === tensorName('in', datatype)))
      .map((datatype) => ({ name: tensorName('in', datatype), shape: [2, 2], datatype, data: jsonData[datatype] }));
    const request = tritonBinaryRequest(binaryInputs, {
      jsonInputs,
      outputs: [
        ...binaryInputs.map((input) => ({ name: input.name.replace('in_', 'out_'), binary: true })),
        { name: 'out_fp32', binary: false },
      ],
    });
    const reply = await postBinary(`${typed.url}/v2/models/types/infer`, request);
    expect(reply.status).toBe(200);
    expect(reply.body.outputs.map((o: { name: string }) => o.name)).toEqual(['out_bytes', 'out_fp16', 'out_int64', 'out_bool', 'out_fp32']);
    expect(readLengthPrefixed(reply.binary.get('out_bytes')!)).toEqual(['a', 'ünï', '', 'z']);
    const halves = reply.binary.get('out_fp16')!;
    expect([0, 1, 2, 3].map((i) => fromHalfBits(halves.readUInt16LE(i * 2)))).toEqual([0.5, -2, 1024, 0.25]);
    const longs = reply.binary.get('out_int64')!;
    expect([0, 1, 2, 3].map((i) => Number(longs.readBigInt64LE(i * 8)))).toEqual([-(2 ** 41), 2 ** 41, 6, 8]);
    expect([...reply.binary.get('out_bool')!]).toEqual([0, 1, 1, 0]);
    expect(reply.body.outputs[4].data).toEqual([0.5, -3, 6, 8]);
  });

  it('names what is missing or disagrees across inputs', async () => {
    const one = { inputs: [{ name: 'in_fp32', shape: [2, 2], datatype: 'FP32', data: [1, 2, 3, 4] }] };
    expectError(await postJson(`${typed.url}/v2/models/types/infer`, one), 400, /needs the inputs .*'in_bool'.*missing from the request/);
    const all = datatypes.map((datatype, i) => ({
      name: tensorName('in', datatype),
      shape: [i === 0 ? 1 : 2, 2],
      datatype,
      data: i === 0 ? jsonData[datatype].slice(0, 2) : jsonData[datatype],
    }));
    expectError(await postJson(`${typed.url}/v2/models/types/infer`, { inputs: all }), 400, /disagree on the batch size/);
    const twice = { inputs: [one.inputs[0], one.inputs[0]] };
    expectError(await postJson(`${typed.url}/v2/models/types/infer`, twice), 400, /input 'in_fp32' is given twice/);
  });
});
