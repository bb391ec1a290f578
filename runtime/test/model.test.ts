/**
 * loadModel: any ONNX model, named typed tensors in and out, on every device — several inputs
 * and outputs, int64, every element type onnxruntime's JS API carries, feeds checked before
 * onnxruntime sees them, the session for experts, dispose.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DisposedError,
  loadClassifier,
  loadModel,
  RuntimeInputError,
  ELEMENT_TYPES,
  type Model,
  type TensorData,
  type ElementType,
} from '../src/index.node.ts';
import { buildIdentities, buildTwoInTwoOut } from '../../test/helpers/fixtures/graphs.ts';
import { buildTinyClassifier } from '../../test/helpers/fixtures/models.ts';
import { expectError } from '../../test/helpers/expectError.ts';
import { DEVICES, RUNS_ON } from '../../test/helpers/runtime.ts';

const twoInTwoOut = buildTwoInTwoOut({ 'tfjs_onnx.source_sha256': 'abc', note: 'hello' });

/** x (3 rows × 3), k (3 × 1) and what the graph computes from them, in plain JS. */
const x = Float32Array.from([1, 2, 3, -1, 0.5, 4, 10, 20, 30]);
const k = BigInt64Array.from([2n, -3n, 9007199254740993n]); // the last is 2^53 + 1: int64, not a double
const feeds: Record<string, TensorData> = { x: { type: 'float32', dims: [3, 3], data: x }, k: { type: 'int64', dims: [3, 1], data: k } };
const expectedScaled = Float32Array.from(x, (v, i) => Math.fround(v * Number(k[Math.floor(i / 3)]!)));

describe.each(DEVICES)('loadModel on %s', (device) => {
  let model: Model;
  beforeAll(async () => {
    model = await loadModel(twoInTwoOut, { device });
  });
  afterAll(() => model.dispose());

  it('describes the inputs, outputs and metadata the graph declares', () => {
    expect(model.device).toBe(device);
    expect(model.placement).toMatchObject({ requested: device, device, ...RUNS_ON[device], reason: `device '${device}' was asked for` });
    expect(model.inputs).toEqual([
      { name: 'x', type: 'float32', shape: [null, 3] },
      { name: 'k', type: 'int64', shape: [null, 1] },
    ]);
    expect(model.outputs).toEqual([
      { name: 'scaled', type: 'float32', shape: [null, 3] },
      { name: 'next', type: 'int64', shape: [null, 1] },
    ]);
    expect(Object.fromEntries(model.metadata)).toEqual({ 'tfjs_onnx.source_sha256': 'abc', note: 'hello' });
    expect(model.dtype).toBe('fp32');
    expect((model.session as { inputNames: string[] }).inputNames).toEqual(['x', 'k']);
  });

  it('runs two inputs (one int64) to two outputs (one int64), exactly', async () => {
    const out = await model.run(feeds);
    expect(Object.keys(out).sort()).toEqual(['next', 'scaled']);
    expect(out.scaled).toEqual({ type: 'float32', dims: [3, 3], data: expectedScaled });
    expect(out.next!.type).toBe('int64');
    expect(out.next!.dims).toEqual([3, 1]);
    expect(Array.from(out.next!.data as BigInt64Array)).toEqual([3n, -2n, 9007199254740994n]);
  });

  it('fetches only the outputs asked for', async () => {
    const out = await model.run(feeds, { outputs: ['next'] });
    expect(Object.keys(out)).toEqual(['next']);
  });

  it('refuses bad feeds with a RuntimeInputError naming the input, and keeps working', async () => {
    const cases: [unknown, RegExp][] = [
      [
        null,
        /feeds must be an object of input name → \{ type, dims, data \}, got null; inputs: 'x' \(float32 \[-1, 3\]\), 'k' \(int64 \[-1, 1\]\)/,
      ],
      [{ x: feeds.x }, /feeds lacks input 'k' \(int64 \[-1, 1\]\)/],
      [{ ...feeds, y: feeds.x }, /feeds has 'y', which is not an input of the model/],
      [{ ...feeds, k: { type: 'int32', dims: [3, 1], data: new Int32Array(3) } }, /input 'k' has type 'int32'; the model takes int64/],
      [
        { ...feeds, k: { type: 'int64', dims: [3, 1], data: new Int32Array(3) } },
        /input 'k' has data a Int32Array; int64 tensors carry a BigInt64Array/,
      ],
      [
        { ...feeds, x: { type: 'float32', dims: [3, 4], data: new Float32Array(12) } },
        /input 'x' has dims \[3, 4\]; the model takes \[-1, 3\]/,
      ],
      [{ ...feeds, x: { type: 'float32', dims: [9], data: x } }, /input 'x' has dims \[9\]; the model takes \[-1, 3\]/],
      [{ ...feeds, x: { type: 'float32', dims: [2, 3], data: x } }, /input 'x' has 9 values but dims \[2, 3\] hold 6/],
      [
        { ...feeds, x: { type: 'float32', dims: [-1, 3], data: x } },
        /input 'x' has dims an array of length 2; expected an array of non-negative integers/,
      ],
      [{ ...feeds, x: { type: 'float32', dims: [1e12, 3], data: x } }, /3000000000000 elements is more than any array holds/],
      [{ ...feeds, x: 'pixels' }, /input 'x' is 'pixels'; expected \{ type, dims, data \}/],
    ];
    for (const [bad, message] of cases) await expectError(() => model.run(bad as never), RuntimeInputError, message);
    await expectError(
      () => model.run(feeds, { outputs: ['nope'] }),
      RuntimeInputError,
      /outputs asks for 'nope', which is not an output of the model; outputs: scaled, next/,
    );
    await expectError(() => model.run(feeds, { outputs: [] }), RuntimeInputError, /outputs must be a non-empty array/);
    expect((await model.run(feeds)).scaled!.data).toEqual(expectedScaled);
  });

  it('carries every element type onnxruntime supports through the graph and back', async () => {
    const types = ELEMENT_TYPES;
    const identities = await loadModel(buildIdentities(types), { device });
    try {
      const values: Record<ElementType, TensorData['data']> = {
        float32: Float32Array.from([1.5, -2, 3e38]),
        float16: Uint16Array.from([0x3c00, 0xc000, 0x7bff]), // 1, -2, 65504 as half-precision bits
        float64: Float64Array.from([Math.PI, -1e300, 5e-324]),
        int8: Int8Array.from([-128, 0, 127]),
        uint8: Uint8Array.from([0, 128, 255]),
        int16: Int16Array.from([-32768, 1, 32767]),
        uint16: Uint16Array.from([0, 1, 65535]),
        int32: Int32Array.from([-(2 ** 31), 0, 2 ** 31 - 1]),
        uint32: Uint32Array.from([0, 1, 2 ** 32 - 1]),
        int64: BigInt64Array.from([-(2n ** 63n), 0n, 2n ** 63n - 1n]),
        uint64: BigUint64Array.from([0n, 1n, 2n ** 64n - 1n]),
        bool: Uint8Array.from([1, 0, 1]),
        string: ['a', '', 'ünïcödé'],
      };
      const inputs = Object.fromEntries(types.map((type) => [`in_${type}`, { type, dims: [3], data: values[type] }]));
      const out = await identities.run(inputs);
      for (const type of types) {
        expect(out[`out_${type}`]!.type, type).toBe(type);
        expect(Array.from(out[`out_${type}`]!.data as ArrayLike<unknown>), type).toEqual(Array.from(values[type] as ArrayLike<unknown>));
      }
    } finally {
      await identities.dispose();
    }
  });
});

describe('dispose', () => {
  it('waits for runs in flight, then refuses new ones; Symbol.asyncDispose does the same', async () => {
    for (const device of DEVICES) {
      const model = await loadModel(twoInTwoOut, { device });
      const pending = model.run(feeds);
      await model[Symbol.asyncDispose]();
      expect((await pending).scaled!.data).toEqual(expectedScaled);
      await expectError(() => model.run(feeds), DisposedError, /this model was disposed/);
      await model.dispose(); // idempotent
    }
  });
});

describe('loadClassifier over loadModel', () => {
  it('exposes the model it is built on, with the same session', async () => {
    const tiny = buildTinyClassifier({ inputShape: [null, 4, 4, 1], classCount: 3, metadata: { 'tfjs_onnx.dtype': 'fp16' } });
    const classifier = await loadClassifier(tiny.bytes);
    try {
      expect(classifier.model.inputs).toEqual([{ name: 'image', type: 'float32', shape: [null, 4, 4, 1] }]);
      expect(classifier.model.dtype).toBe('fp16');
      const out = await classifier.model.run({ image: { type: 'float32', dims: [1, 4, 4, 1], data: new Float32Array(16) } });
      expect(Array.from(out.probabilities!.data as Float32Array)).toEqual(
        Array.from(await classifier.predictBatch(new Float32Array(16), 1)),
      );
    } finally {
      await classifier[Symbol.asyncDispose]();
    }
    await expectError(() => classifier.classify(new Uint8Array(16)), DisposedError, /this classifier was disposed/);
  });
});
