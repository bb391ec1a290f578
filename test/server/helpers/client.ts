/**
 * Test clients for the server, written from the protocol documents rather than from the server's
 * code: JSON requests, binary requests laid out byte by byte as Triton's HTTP client sends them
 * (JSON header, Inference-Header-Content-Length, raw little-endian tensors, BYTES length prefixes,
 * no Content-Type), and the parsing of binary replies the same way.
 */
import { expect } from 'vitest';
import type { UntypedDocument } from '../../helpers/untyped.ts';

export interface Reply {
  status: number;
  headers: Headers;
  body: UntypedDocument;
  /** Binary outputs of a binary reply, by output name. */
  binary: Map<string, Buffer>;
}

export async function getJson(url: string): Promise<{ status: number; body: UntypedDocument }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<Reply> {
  const payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  return readReply(await fetch(url, { method: 'POST', headers, body: payload as BodyInit }));
}

export interface BinaryInput {
  name: string;
  datatype: string;
  shape: number[];
  /** Raw tensor bytes, already in the binary layout. */
  bytes: Buffer;
}

/** A request as tritonclient.http lays it out when inputs are set with binary_data=True. */
export function tritonBinaryRequest(
  inputs: BinaryInput[],
  options: { outputs?: { name: string; binary?: boolean; classification?: number }[]; jsonInputs?: object[]; id?: string } = {},
): { body: Buffer; headerLength: number } {
  const header = {
    ...(options.id ? { id: options.id } : {}),
    inputs: [
      ...inputs.map((input) => ({
        name: input.name,
        shape: input.shape,
        datatype: input.datatype,
        parameters: { binary_data_size: input.bytes.length },
      })),
      ...(options.jsonInputs ?? []),
    ],
    ...(options.outputs
      ? {
          outputs: options.outputs.map((output) => ({
            name: output.name,
            parameters: {
              ...(output.binary !== undefined ? { binary_data: output.binary } : {}),
              ...(output.classification ? { classification: output.classification } : {}),
            },
          })),
        }
      : {}),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  return { body: Buffer.concat([json, ...inputs.map((input) => input.bytes)]), headerLength: json.length };
}

export async function postBinary(
  url: string,
  request: { body: Buffer; headerLength: number },
  extraHeaders: Record<string, string> = {},
): Promise<Reply> {
  return readReply(
    await fetch(url, {
      method: 'POST',
      headers: { 'inference-header-content-length': String(request.headerLength), ...extraHeaders },
      body: request.body as unknown as BodyInit,
    }),
  );
}

/** Reads a JSON reply, or a binary one: JSON header of Inference-Header-Content-Length bytes, then each binary output in order. */
export async function readReply(response: Response): Promise<Reply> {
  const bytes = Buffer.from(await response.arrayBuffer());
  const length = response.headers.get('inference-header-content-length');
  const binary = new Map<string, Buffer>();
  if (length === null) return { status: response.status, headers: response.headers, body: JSON.parse(bytes.toString('utf8')), binary };
  const body = JSON.parse(bytes.subarray(0, Number(length)).toString('utf8'));
  let offset = Number(length);
  for (const output of body.outputs ?? []) {
    const size = output.parameters?.binary_data_size;
    if (size === undefined) continue;
    binary.set(output.name, bytes.subarray(offset, offset + size));
    offset += size;
  }
  if (offset !== bytes.length) throw new Error(`binary reply has ${bytes.length - offset} bytes after its outputs`);
  return { status: response.status, headers: response.headers, body, binary };
}

export function float32Bytes(values: ArrayLike<number>): Buffer {
  const bytes = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) bytes.writeFloatLE(values[i], i * 4);
  return bytes;
}

export function readFloat32(bytes: Buffer): number[] {
  return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
}

/** BYTES elements: each a 4-byte little-endian length, then its bytes. */
export function lengthPrefixed(strings: string[]): Buffer {
  return Buffer.concat(
    strings.flatMap((text) => {
      const bytes = Buffer.from(text, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32LE(bytes.length);
      return [length, bytes];
    }),
  );
}

export function readLengthPrefixed(bytes: Buffer): string[] {
  const strings: string[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const length = bytes.readUInt32LE(offset);
    strings.push(bytes.subarray(offset + 4, offset + 4 + length).toString('utf8'));
    offset += 4 + length;
  }
  return strings;
}

/** Prometheus text: the value of the first sample of `name` whose labels include every one given. */
export function metricValue(text: string, name: string, labels: string): number {
  const line = text
    .split('\n')
    .find((candidate) => candidate.startsWith(`${name}{`) && labels.split(',').every((label) => candidate.includes(label)));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** The protocol's error reply: the status, and a body holding only `error`, whose text matches. */
export function expectError(reply: { status: number; body: UntypedDocument }, status: number, pattern: RegExp): void {
  expect(reply.status).toBe(status);
  expect(Object.keys(reply.body)).toEqual(['error']);
  expect(reply.body.error).toMatch(pattern);
}
