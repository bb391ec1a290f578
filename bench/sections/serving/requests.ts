/**
 * The requests the benchmark sends: one image per request in each protocol's encoding (JSON, the
 * binary tensor data extension as Triton's client lays it out, gRPC raw contents), built from the
 * input name and shape the server reports; and, for the soak, a mix of good requests with the bad
 * ones a hostile or careless client sends (absurd shapes, malformed bodies, lying lengths, image
 * bombs), each of which once broke or stalled a server and must now get its 4xx.
 */
import { deflateSync } from 'node:zlib';
import { IMAGE_MAGIC_BYTES } from '@tfjs-onnx/runtime/constants';
import type { GrpcRequest, HttpRequest } from './load.ts';

export interface ModelSignature {
  inputName: string;
  outputName: string;
  /** One image's shape, batch axis 1. */
  shape: number[];
}

export async function readSignature(url: string): Promise<ModelSignature> {
  const metadata = (await (await fetch(`${url}/v2/models/model`)).json()) as {
    inputs: { name: string; shape: number[] }[];
    outputs: { name: string }[];
  };
  const [input] = metadata.inputs;
  return { inputName: input!.name, outputName: metadata.outputs[0]!.name, shape: [1, ...input!.shape.slice(1)] };
}

/** A blurry vertical stroke rather than noise, so the request is what a digit client would send. */
export function strokeImage(signature: ModelSignature): Float32Array {
  const count = signature.shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: count }, (_, i) => Math.round(Math.max(0, 1 - Math.abs((i % 28) - 14) / 4) * 1000) / 1000);
}

const INFER = '/v2/models/model/infer';

export function jsonRequest(signature: ModelSignature, values = strokeImage(signature)): HttpRequest {
  return {
    path: INFER,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: [{ name: signature.inputName, shape: signature.shape, datatype: 'FP32', data: Array.from(values) }] }),
  };
}

/** As tritonclient.http sends it: JSON header, Inference-Header-Content-Length, raw tensor, no Content-Type; binary output asked for. */
export function binaryRequest(signature: ModelSignature, values = strokeImage(signature)): HttpRequest {
  const raw = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  const header = Buffer.from(
    JSON.stringify({
      inputs: [{ name: signature.inputName, shape: signature.shape, datatype: 'FP32', parameters: { binary_data_size: raw.length } }],
      outputs: [{ name: signature.outputName, parameters: { binary_data: true } }],
    }),
  );
  return { path: INFER, headers: { 'inference-header-content-length': String(header.length) }, body: Buffer.concat([header, raw]) };
}

export function grpcRequest(signature: ModelSignature, values = strokeImage(signature)): GrpcRequest {
  return {
    message: {
      model_name: 'model',
      inputs: [{ name: signature.inputName, datatype: 'FP32', shape: signature.shape }],
      raw_input_contents: [Buffer.from(values.buffer, values.byteOffset, values.byteLength)],
    },
  };
}

/** A PNG header declaring 20000×20000 over a few bytes: refused from the header (400). */
function pngBombHeader(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    return Buffer.concat([length, Buffer.from(type), data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(20_000, 0);
  ihdr.writeUInt32BE(20_000, 4);
  ihdr[8] = 8;
  return Buffer.concat([
    Buffer.from(IMAGE_MAGIC_BYTES.png),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(10))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface Tally {
  expected: number;
  unexpected: number;
  byStatus: Record<string, number>;
}

export function newTally(): Tally {
  return { expected: 0, unexpected: 0, byStatus: {} };
}

/**
 * The soak's HTTP mix, cycled per connection: a third bad, each bad one of a different kind, every
 * reply checked against the status it must get.
 */
export function soakHttpMix(signature: ModelSignature, tally: Tally): HttpRequest[] {
  const expect = (request: HttpRequest, status: number): HttpRequest => ({
    ...request,
    onStatus: (got) => {
      tally.byStatus[got] = (tally.byStatus[got] ?? 0) + 1;
      if (got === status) tally.expected++;
      else tally.unexpected++;
    },
  });
  const good = jsonRequest(signature);
  const absurd = {
    ...good,
    body: JSON.stringify({
      inputs: [{ name: signature.inputName, shape: [1e9, ...signature.shape.slice(1)], datatype: 'FP32', data: [0, 1] }],
    }),
  };
  const binary = binaryRequest(signature);
  const lying = {
    ...binary,
    headers: { 'inference-header-content-length': String(Number(binary.headers['inference-header-content-length']) + 100_000) },
  };
  const malformed = { ...good, body: '{"inputs": [{"name": ' };
  const bomb: HttpRequest = { path: '/v2/models/model/classify', headers: { 'content-type': 'image/png' }, body: pngBombHeader() };
  const unknown = { ...good, path: '/v2/models/nope/infer' };
  // 10 good, 5 bad: a third of the load is hostile, enough that every bad kind recurs thousands of times in a soak while most of the work is still real inference.
  return [
    expect(good, 200),
    expect(absurd, 400),
    expect(binary, 200),
    expect(good, 200),
    expect(binary, 200),
    expect(lying, 400),
    expect(good, 200),
    expect(binary, 200),
    expect(malformed, 400),
    expect(good, 200),
    expect(binary, 200),
    expect(bomb, 400),
    expect(good, 200),
    expect(binary, 200),
    expect(unknown, 404),
  ];
}

/** The soak's gRPC mix: good requests with raw contents, and ones whose raw size or shape lies. */
export function soakGrpcMix(signature: ModelSignature, tally: Tally): GrpcRequest[] {
  const good = grpcRequest(signature);
  const expect = (request: GrpcRequest, code: number): GrpcRequest => ({
    ...request,
    onCode: (got) => {
      tally.byStatus[`grpc ${got}`] = (tally.byStatus[`grpc ${got}`] ?? 0) + 1;
      if (got === code) tally.expected++;
      else tally.unexpected++;
    },
  });
  const message = good.message as { inputs: { shape: number[] }[]; raw_input_contents: Buffer[] };
  const short = { message: { ...message, raw_input_contents: [message.raw_input_contents[0]!.subarray(0, 100)] } };
  const absurd = { message: { ...message, inputs: [{ ...message.inputs[0], shape: [1e9, ...signature.shape.slice(1)] }] } };
  // OK = 0, INVALID_ARGUMENT = 3; 5 good, 2 bad.
  return [expect(good, 0), expect(good, 0), expect(short, 3), expect(good, 0), expect(good, 0), expect(good, 0), expect(absurd, 3)];
}
