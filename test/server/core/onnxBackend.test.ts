/**
 * The official ONNX backend test data (Debian's libonnx-testdata) through the server. Each case is
 * first run on bare onnxruntime-node, here, and compared with its expected outputs as the ONNX
 * backend test runner compares them; the cases bare onnxruntime passes are served from one
 * --model-dir, and every one of them must give, over HTTP JSON, HTTP binary and gRPC, exactly what
 * bare onnxruntime gave (bit for bit; over JSON, NaN as NaN, since JSON carries no NaN payload).
 * Requests for different cases run in parallel; the three requests of one case run one after the
 * other, so none is merged with another into one batch.
 */
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../server/index.ts';
import { parseExactJson } from '../../../server/http/json.ts';
import { fromHalfBits, toHalfBits } from '../../../server/core/fp16.ts';
import { requireSystemPackage } from '../../helpers/systemPackages.ts';
import { tempDir } from '../../helpers/tempDir.ts';
import { lengthPrefixed, readLengthPrefixed } from '../helpers/client.ts';
import { listCases, matchesExpected, ortTensor, type TestCase, type TestTensor } from '../helpers/onnxTestData.ts';
import { call, grpcClient, type GrpcClient, type GrpcInferResponse } from '../helpers/grpcClient.ts';

const PARALLEL = 8;

interface Passing {
  testCase: TestCase;
  /** What bare onnxruntime-node computed, by output name, in the expected outputs' order. */
  outputs: { name: string; tensor: ort.Tensor }[];
}

const passing: Passing[] = [];
const bareFailures: string[] = [];
let unreadable: { name: string; reason: string }[] = [];
let server: RunningServer;
let client: GrpcClient;

/** Runs a case on bare onnxruntime-node: its outputs when they match the expected ones, else undefined. */
async function runBare(testCase: TestCase): Promise<Passing | undefined> {
  let session: ort.InferenceSession;
  try {
    // Severity 4: fatal only (a case bare onnxruntime cannot load is counted, not printed).
    session = await ort.InferenceSession.create(readFileSync(testCase.modelPath), { logSeverityLevel: 4 });
  } catch {
    return undefined;
  }
  try {
    const feeds = Object.fromEntries(testCase.inputs.map((input) => [input.name, ortTensor(input)]));
    const results = await session.run(feeds);
    const outputs = testCase.expected.map((expected, index) => ({
      name: expected.name || session.outputNames[index],
      tensor: results[expected.name || session.outputNames[index]],
    }));
    return outputs.every((output, index) => output.tensor && matchesExpected(output.tensor, testCase.expected[index]))
      ? { testCase, outputs }
      : undefined;
  } catch {
    return undefined;
  } finally {
    await session.release();
  }
}

beforeAll(async () => {
  requireSystemPackage('libonnx-testdata');
  const listed = listCases();
  unreadable = listed.unreadable;
  for (const testCase of listed.cases) {
    const result = await runBare(testCase);
    if (result) passing.push(result);
    else bareFailures.push(testCase.name);
  }
  const modelDir = path.join(tempDir('tfjs-onnx-backend-'), 'models');
  mkdirSync(modelDir);
  for (const { testCase } of passing) symlinkSync(testCase.modelPath, path.join(modelDir, `${testCase.name}.onnx`));
  // Large enough for the largest case's JSON body; each request still passes every other check.
  server = await startServer({ modelDir, port: 0, grpcPort: 0, maxBatch: 1, intraOpThreads: 1, bodyLimit: 64 * 1024 * 1024 });
  client = grpcClient(
    server.grpcAddress!,
    { keepCase: true, longs: String, defaults: true, oneofs: true },
    { channel: { 'grpc.max_receive_message_length': -1 } },
  );
}, 300_000);
afterAll(async () => {
  client?.close();
  await server?.close();
});

/** The binary layout of a tensor's data (little-endian elements; BYTES length-prefixed). */
function binary(datatype: string, data: ort.Tensor['data']): Buffer {
  if (datatype === 'BYTES') return lengthPrefixed(data as string[]);
  const view = data as ArrayBufferView;
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/** JSON text of a tensor's data: numbers joined (NaN and ±Infinity as Triton's literals, bigints in full, -0 kept). */
function jsonData(input: TestTensor): string {
  const values = input.data as ArrayLike<unknown>;
  const items = Array.from(values, (value) => {
    if (input.datatype === 'BYTES') return JSON.stringify(value);
    if (input.datatype === 'BOOL') return value ? 'true' : 'false';
    const number = input.datatype === 'FP16' ? fromHalfBits(Number(value)) : value;
    return typeof number === 'number' && number === 0 && 1 / number < 0 ? '-0' : String(number);
  });
  return `[${items.join(',')}]`;
}

const datatypeOf = (tensor: ort.Tensor): string =>
  ({
    float32: 'FP32',
    float64: 'FP64',
    float16: 'FP16',
    int8: 'INT8',
    int16: 'INT16',
    int32: 'INT32',
    int64: 'INT64',
    uint8: 'UINT8',
    uint16: 'UINT16',
    uint32: 'UINT32',
    uint64: 'UINT64',
    bool: 'BOOL',
    string: 'BYTES',
  })[tensor.type as string]!;

/** A JSON element read back against bare onnxruntime's: equal, or both NaN (JSON carries no NaN payload). */
function sameElement(datatype: string, json: unknown, bare: unknown): boolean {
  switch (datatype) {
    case 'BOOL':
      return json === (Number(bare) !== 0);
    case 'BYTES':
      return json === bare;
    case 'INT64':
    case 'UINT64':
      return BigInt(json as number | bigint) === bare;
    case 'FP16':
      return (
        typeof json === 'number' && (Number.isNaN(json) ? Number.isNaN(fromHalfBits(Number(bare))) : toHalfBits(json) === Number(bare))
      );
    case 'FP32':
      return typeof json === 'number' && (Number.isNaN(json) ? Number.isNaN(bare as number) : Object.is(Math.fround(json), bare));
    default:
      return typeof json === 'number' && (Number.isNaN(json) ? Number.isNaN(bare as number) : Object.is(json, Number(bare)));
  }
}

/** Problems with one case's three replies; empty when all agree with bare onnxruntime exactly. */
async function checkCase({ testCase, outputs }: Passing): Promise<string[]> {
  const url = `${server.url}/v2/models/${testCase.name}/infer`;
  const problems = [
    ...(await checkJson(url, testCase, outputs)),
    ...(await checkBinary(url, testCase, outputs)),
    ...(await checkGrpc(testCase, outputs)),
  ];
  return problems.map((problem) => `${testCase.name}: ${problem}`);
}

/** The case over HTTP JSON: each output's datatype, shape and elements against bare onnxruntime's. */
async function checkJson(url: string, testCase: Passing['testCase'], outputs: Passing['outputs']): Promise<string[]> {
  const problems: string[] = [];
  const inputsJson = testCase.inputs.map(
    (input) =>
      `{"name":${JSON.stringify(input.name)},"datatype":"${input.datatype}","shape":${JSON.stringify(input.dims)},"data":${jsonData(input)}}`,
  );
  const jsonReply = await fetch(url, { method: 'POST', body: `{"inputs":[${inputsJson.join(',')}]}` });
  const jsonText = await jsonReply.text();
  if (jsonReply.status !== 200) problems.push(`JSON: ${jsonReply.status} ${jsonText.slice(0, 200)}`);
  else {
    const body = parseExactJson(jsonText) as { outputs: { name: string; datatype: string; shape: number[]; data: unknown[] }[] };
    for (const { name, tensor } of outputs) {
      const output = body.outputs.find((candidate) => candidate.name === name);
      const datatype = datatypeOf(tensor);
      const bare = tensor.data as ArrayLike<unknown>;
      const same =
        output &&
        output.datatype === datatype &&
        JSON.stringify(output.shape) === JSON.stringify(tensor.dims) &&
        output.data.length === bare.length &&
        output.data.every((value, i) => sameElement(datatype, value, bare[i]));
      if (!same) problems.push(`JSON: output '${name}' differs from bare onnxruntime`);
    }
  }
  return problems;
}

/** The case with the binary tensor data extension both ways: each output's bytes against bare onnxruntime's. */
async function checkBinary(url: string, testCase: Passing['testCase'], outputs: Passing['outputs']): Promise<string[]> {
  const problems: string[] = [];
  const header = JSON.stringify({
    inputs: testCase.inputs.map((input) => ({
      name: input.name,
      datatype: input.datatype,
      shape: input.dims,
      parameters: { binary_data_size: binary(input.datatype, input.data).length },
    })),
    parameters: { binary_data_output: true },
  });
  const binaryReply = await fetch(url, {
    method: 'POST',
    headers: { 'inference-header-content-length': String(Buffer.byteLength(header)) },
    body: Buffer.concat([Buffer.from(header), ...testCase.inputs.map((input) => binary(input.datatype, input.data))]),
  });
  const bytes = Buffer.from(await binaryReply.arrayBuffer());
  if (binaryReply.status !== 200) problems.push(`binary: ${binaryReply.status} ${bytes.toString().slice(0, 200)}`);
  else {
    const length = Number(binaryReply.headers.get('inference-header-content-length'));
    const body = JSON.parse(bytes.subarray(0, length).toString()) as {
      outputs: { name: string; shape: number[]; parameters: { binary_data_size: number } }[];
    };
    let offset = length;
    const byName = new Map<string, Buffer>();
    for (const output of body.outputs) {
      byName.set(output.name, bytes.subarray(offset, offset + output.parameters.binary_data_size));
      offset += output.parameters.binary_data_size;
    }
    for (const { name, tensor } of outputs) {
      if (!byName.get(name)?.equals(binary(datatypeOf(tensor), tensor.data)))
        problems.push(`binary: output '${name}' differs from bare onnxruntime`);
    }
  }
  return problems;
}

/** The case over gRPC with raw contents: each output's bytes (BYTES: its strings) against bare onnxruntime's. */
async function checkGrpc(testCase: Passing['testCase'], outputs: Passing['outputs']): Promise<string[]> {
  const problems: string[] = [];
  try {
    const reply = await call<GrpcInferResponse>(client, 'ModelInfer', {
      model_name: testCase.name,
      inputs: testCase.inputs.map((input) => ({ name: input.name, datatype: input.datatype, shape: input.dims })),
      raw_input_contents: testCase.inputs.map((input) => binary(input.datatype, input.data)),
    });
    for (const { name, tensor } of outputs) {
      const index = reply.outputs.findIndex((output) => output.name === name);
      const expected = binary(datatypeOf(tensor), tensor.data);
      const raw = index >= 0 ? Buffer.from(reply.raw_output_contents[index]) : undefined;
      const same =
        raw &&
        (datatypeOf(tensor) === 'BYTES' ? JSON.stringify(readLengthPrefixed(raw)) === JSON.stringify(tensor.data) : raw.equals(expected));
      if (!same) problems.push(`gRPC: output '${name}' differs from bare onnxruntime`);
    }
  } catch (error) {
    problems.push(`gRPC: ${(error as Error).message.slice(0, 200)}`);
  }
  return problems;
}

describe('the ONNX backend test data (libonnx-testdata)', () => {
  it('serves every case bare onnxruntime passes, with bare onnxruntime’s exact outputs over HTTP JSON, HTTP binary and gRPC', async () => {
    expect(
      passing.length,
      `bare onnxruntime passed none of the cases (${bareFailures.length} failed, ${unreadable.length} unreadable)`,
    ).toBeGreaterThan(500);
    const problems: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < passing.length) problems.push(...(await checkCase(passing[next++])));
      }),
    );
    console.log(
      `ONNX backend test data: ${passing.length} cases pass on bare onnxruntime and through the server (3 encodings each); ${bareFailures.length} fail on bare onnxruntime; ${unreadable.length} not tensor-only (sequences, optionals, bfloat16, ...)`,
    );
    expect(problems).toEqual([]);
  }, 300_000);
});
