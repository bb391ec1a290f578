/**
 * Property-based fuzzing of the protocol extensions' new surfaces: the exact JSON reader (every
 * number written as Triton writes it reads back identically; any text gives a value or one
 * JsonSyntaxError), load-override configs (any JSON gives a config or one InvalidInputError,
 * never anything else), and ModelStreamInfer frames over a real socket (any mix of good and bad
 * requests: each answered exactly once, with its id, on a stream that stays open).
 */
import path from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../common/errors.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import { JsonSyntaxError, parseExactJson } from '../../server/http/json.ts';
import { readModelConfigJson } from '../../server/repository/config.ts';
import { fuzzParameters, fuzzTestTimeoutMs } from '../helpers/fuzz.ts';
import { tempDir } from '../helpers/tempDir.ts';
import { writeAllTypesModel } from './helpers/models.ts';
import { grpcClient, type GrpcClient, type GrpcStreamReply } from './helpers/grpcClient.ts';

/** A number as Triton writes it: NaN / Infinity / -Infinity literals, -0 with its sign, integers in full. */
const written = (value: number | bigint) => (typeof value === 'number' && Object.is(value, -0) ? '-0' : String(value));

describe('the exact JSON reader', () => {
  it(
    'reads back every number Triton writes, exactly',
    () => {
      const number = fc.oneof(
        fc.double(),
        fc.float().map(Math.fround),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
        fc.integer(),
      );
      fc.assert(
        fc.property(fc.array(number, { maxLength: 50 }), (values) => {
          const parsed = parseExactJson(`[${values.map(written).join(',')}]`) as (number | bigint)[];
          expect(parsed).toHaveLength(values.length);
          values.forEach((value, i) => {
            // An integer literal past 2^53 reads as a bigint, holding every digit written (for a
            // double, the digits of its shortest form, which name the same double).
            if (typeof value === 'bigint') expect(BigInt(parsed[i] as number | bigint)).toBe(value);
            else expect(Object.is(Number(parsed[i]), value)).toBe(true);
          });
        }),
        fuzzParameters(),
      );
    },
    fuzzTestTimeoutMs(),
  );

  it(
    'agrees with JSON.parse on plain JSON, and answers any text with a value or one JsonSyntaxError',
    () => {
      fc.assert(
        fc.property(fc.json(), fc.string(), (json, noise) => {
          // The same value, but an integer past 2^53 is the bigint of its literal, not JSON.parse's rounding of it.
          const roundedLikeJsonParse = JSON.parse(
            JSON.stringify(parseExactJson(json), (_key, value) => (typeof value === 'bigint' ? Number(value) : value)),
          );
          expect(roundedLikeJsonParse).toEqual(JSON.parse(json));
          for (const text of [noise, json.slice(0, Math.floor(json.length / 2)) + noise, `[NaN,${noise}]`]) {
            try {
              parseExactJson(text);
            } catch (error) {
              expect(error).toBeInstanceOf(JsonSyntaxError);
            }
          }
        }),
        fuzzParameters(),
      );
    },
    fuzzTestTimeoutMs(),
  );
});

describe('load-override configs', () => {
  it(
    'give a config or one InvalidInputError, whatever the JSON',
    () => {
      const field = fc.constantFrom(
        'name',
        'platform',
        'backend',
        'max_batch_size',
        'maxBatchSize',
        'input',
        'output',
        'dynamic_batching',
        'version_policy',
        'default_model_filename',
        'instance_group',
        'sequence_batching',
        'dims',
        'data_type',
        'latest',
        'num_versions',
        'label_filename',
        'reshape',
        'optional',
      );
      const value = fc.letrec((tie) => ({
        node: fc.oneof(
          { depthSize: 'small' },
          fc.jsonValue({ maxDepth: 1 }),
          fc.array(tie('node'), { maxLength: 3 }),
          fc.dictionary(field, tie('node'), { maxKeys: 4 }),
        ),
      })).node;
      fc.assert(
        fc.property(fc.dictionary(field, value, { maxKeys: 6 }), (config) => {
          try {
            readModelConfigJson(config, 'fuzzed');
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidInputError);
          }
        }),
        fuzzParameters(),
      );
    },
    fuzzTestTimeoutMs(),
  );
});

describe('ModelStreamInfer frames', () => {
  let server: RunningServer;
  let client: GrpcClient;
  beforeAll(async () => {
    const model = path.join(tempDir('tfjs-onnx-stream-fuzz-'), 'doubler.onnx');
    writeAllTypesModel(model, { datatypes: ['FP32', 'INT64'] });
    server = await startServer({ modelPaths: [model], port: 0, grpcPort: 0 });
    client = grpcClient(server.grpcAddress!, { keepCase: true, longs: String, defaults: true, oneofs: true });
  });
  afterAll(async () => {
    client?.close();
    await server?.close();
  });

  it(
    'answers each request of any mix exactly once, with its id, and keeps the stream open',
    async () => {
      const tensor = fc.record({
        name: fc.constantFrom('in_fp32', 'in_int64', 'nope', ''),
        datatype: fc.constantFrom('FP32', 'INT64', 'FP16', 'BYTES', 'x'),
        shape: fc.array(fc.integer({ min: -1, max: 3 }).map(String), { maxLength: 3 }),
        contents: fc.oneof(
          fc.record({ fp32_contents: fc.array(fc.float(), { maxLength: 8 }) }),
          fc.record({ int64_contents: fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String), { maxLength: 8 }) }),
        ),
      });
      const frame = fc.record({
        model_name: fc.constantFrom('doubler', 'doubler', 'nope', ''),
        model_version: fc.constantFrom('', '1', '2'),
        inputs: fc.array(tensor, { maxLength: 3 }),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 12 }), async (frames) => {
          const stream = client.ModelStreamInfer() as grpc.ClientDuplexStream<object, GrpcStreamReply>;
          const ids: string[] = [];
          const done = new Promise<void>((resolve, reject) => {
            stream.on('data', (reply: GrpcStreamReply) => {
              expect(typeof reply.error_message).toBe('string');
              ids.push(reply.infer_response.id);
            });
            stream.on('end', resolve);
            stream.on('error', reject);
          });
          frames.forEach((message, index) => {
            stream.write({ ...message, id: `f${index}` });
          });
          stream.end();
          await done;
          expect(ids.sort()).toEqual(frames.map((_, index) => `f${index}`).sort());
        }),
        fuzzParameters({ runTimeoutMs: 10_000 }),
      );
    },
    fuzzTestTimeoutMs(),
  );
});
