/**
 * Fuzzing the model.json + shards loader (readTfjsModelFiles, which every command that reads a
 * tfjs model goes through): any file gives the model's files or one InvalidInputError naming it,
 * never another exception, a hang (each run is timed out) or memory sized by what the file claims.
 * Inputs: model.json mutated structure by structure, consistent models with their exact shards
 * (the success path), truncated files, random JSON and bytes, and deep nesting.
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../common/errors.ts';
import { readTfjsModelFiles, weightByteLength } from '../../common/tfjsModelFiles.ts';
import { fuzzParameters, fuzzTestTimeoutMs } from '../helpers/fuzz.ts';
import { tempDir } from '../helpers/tempDir.ts';

/** Shard names a model.json may list: present, missing, outside the folder, odd. */
const SHARD_NAMES = ['a.bin', 'b.bin', 'sub/c.bin', 'missing.bin', '../outside.bin', '/etc/hostname', '', 'sub'];
const PRESENT_SHARDS = ['a.bin', 'b.bin', 'sub/c.bin'];

const size = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 6 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(-1, 1.5, 2 ** 31, 2 ** 53, 1e300, '3', null, true, []) },
);

const weightSpec = fc.record(
  {
    name: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom<unknown>(7, null, '', ['w'])),
    shape: fc.oneof({ weight: 6, arbitrary: fc.array(size, { maxLength: 4 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }),
    dtype: fc.constantFrom<unknown>('float32', 'int32', 'bool', 'string', 'complex64', 'float64', 3, null),
    quantization: fc.oneof(
      fc.record(
        { dtype: fc.constantFrom<unknown>('uint8', 'uint16', 'float16', 'int4', null), min: fc.double(), scale: fc.double() },
        { requiredKeys: [] },
      ),
      fc.jsonValue({ maxDepth: 1 }),
    ),
  },
  { requiredKeys: [] },
);

const weightGroup = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      {
        paths: fc.oneof(
          { weight: 5, arbitrary: fc.array(fc.constantFrom<unknown>(...SHARD_NAMES, 4, null), { maxLength: 3 }) },
          { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
        ),
        weights: fc.oneof(
          { weight: 5, arbitrary: fc.array(weightSpec, { maxLength: 4 }) },
          { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
        ),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** Mostly a valid value, sometimes any JSON: so most cases get past the top-level fields to the manifest. */
const mostly = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });

const mutatedModel = fc.record(
  {
    format: mostly(fc.constant('layers-model')),
    modelTopology: mostly(fc.object({ maxDepth: 2 })),
    weightsManifest: mostly(fc.array(weightGroup, { maxLength: 3 })),
    userDefinedMetadata: mostly(fc.object({ maxDepth: 1 })),
  },
  { requiredKeys: ['modelTopology'] },
);

/** A well-formed model whose shard holds exactly (or, with `slack`, about) the bytes its specs describe. */
const consistentModel = fc
  .record({
    specs: fc.uniqueArray(
      fc.record({
        name: fc.string({ minLength: 1, maxLength: 6 }),
        shape: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }),
        dtype: fc.constantFrom('float32', 'int32', 'bool'),
        quantization: fc.option(
          fc.record({
            dtype: fc.constantFrom('uint8', 'uint16', 'float16'),
            min: fc.double({ noNaN: true, noDefaultInfinity: true }),
            scale: fc.double({ noNaN: true, noDefaultInfinity: true }),
          }),
          { nil: undefined },
        ),
      }),
      { selector: (spec) => spec.name, maxLength: 5 },
    ),
    slack: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -3, max: 3 }) }),
  })
  .map(({ specs, slack }) => {
    const weights = specs.map(({ quantization, ...spec }) => (quantization ? { ...spec, quantization } : spec));
    const bytes = weights.reduce((sum, spec) => sum + weightByteLength(spec as never), 0);
    return {
      model: { format: 'layers-model', modelTopology: {}, weightsManifest: [{ paths: ['exact.bin'], weights }] },
      exactShard: Math.max(0, bytes + slack),
    };
  });

type Case = { content: string | Uint8Array; exactShard?: number; shardSizes: number[] };

const anyCase: fc.Arbitrary<Case> = fc
  .record({
    shardSizes: fc.array(fc.integer({ min: 0, max: 96 }), { minLength: PRESENT_SHARDS.length, maxLength: PRESENT_SHARDS.length }),
    file: fc.oneof(
      { weight: 5, arbitrary: mutatedModel.map((model) => ({ content: JSON.stringify(model) })) },
      { weight: 4, arbitrary: consistentModel.map(({ model, exactShard }) => ({ content: JSON.stringify(model), exactShard })) },
      {
        weight: 1,
        arbitrary: mutatedModel.chain((model) =>
          fc.nat(JSON.stringify(model).length).map((end) => ({ content: JSON.stringify(model).slice(0, end) })),
        ),
      },
      { weight: 1, arbitrary: fc.jsonValue().map((value) => ({ content: JSON.stringify(value) ?? '' })) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ content: bytes })) },
      {
        weight: 1,
        arbitrary: fc
          .integer({ min: 0, max: 60_000 })
          .map((depth) => ({ content: `{"modelTopology": ${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}` })),
      },
    ),
  })
  .map(({ shardSizes, file }) => ({ ...file, shardSizes }));

describe('readTfjsModelFiles under fuzzing', () => {
  const root = tempDir();
  let runs = 0;

  it(
    'gives the model files or one InvalidInputError naming the file, for any input',
    async () => {
      await fc.assert(
        fc.asyncProperty(anyCase, async (input) => {
          const directory = path.join(root, `run-${runs++}`);
          mkdirSync(path.join(directory, 'sub', 'sub'), { recursive: true });
          try {
            PRESENT_SHARDS.forEach((name, i) => {
              writeFileSync(path.join(directory, name), new Uint8Array(input.shardSizes[i]!));
            });
            if (input.exactShard !== undefined) writeFileSync(path.join(directory, 'exact.bin'), new Uint8Array(input.exactShard));
            const modelJson = path.join(directory, 'model.json');
            writeFileSync(modelJson, input.content);
            const outcome = await readTfjsModelFiles(modelJson).then(
              (files) => ({ files }),
              (error: unknown) => ({ error }),
            );
            if ('error' in outcome) {
              expect(outcome.error).toBeInstanceOf(InvalidInputError);
              const message = (outcome.error as Error).message;
              expect(message).toContain(modelJson);
              expect(message).not.toContain('\n');
            } else {
              // Success: the weights are exactly the bytes of the shards the manifest lists.
              const { files } = outcome;
              expect(files.files[0]).toBe(modelJson);
              expect(files.weightData.byteLength).toBe(files.files.slice(1).reduce((sum, file) => sum + statSync(file).size, 0));
              for (const file of files.files) expect(file.startsWith(directory)).toBe(true);
            }
            // What a model.json claims must never be what we allocate.
            expect(process.memoryUsage().rss).toBeLessThan(2 * 1024 ** 3);
          } finally {
            rmSync(directory, { recursive: true, force: true });
          }
        }),
        fuzzParameters(),
      );
      expect(runs).toBeGreaterThan(20);
    },
    fuzzTestTimeoutMs(),
  );
});
