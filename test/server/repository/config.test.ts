/**
 * config.pbtxt: the text-format reader on Triton's own documented layouts, the typed config read
 * from it, and what export-triton writes read back unchanged.
 */
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../common/errors.ts';
import { readModelConfig } from '../../../server/repository/config.ts';
import { formatModelConfig } from '../../../server/repository/formatConfig.ts';
import { type TextMessage, parseTextFormat } from '../../../server/repository/pbtxt.ts';

/** A config as Triton's model-configuration guide writes them: nested blocks, lists, comments, enum names. */
const TRITON_STYLE = `
# An ONNX classifier (comment lines are allowed anywhere)
name: "mnist"
platform: "onnxruntime_onnx"
max_batch_size: 8
input [
  {
    name: "input_1"
    data_type: TYPE_FP32
    dims: [ 28, 28, 1 ]
  }
]
output [
  {
    name: "dense"
    data_type: TYPE_FP32
    dims: [ 10 ]
    label_filename: "labels.txt"
  }
]
instance_group [ { count: 2, kind: KIND_CPU } ]
dynamic_batching { max_queue_delay_microseconds: 100 preferred_batch_size: [ 4, 8 ] }
version_policy: { specific: { versions: 1 versions: 3 } }
parameters { key: "intra_op_thread_count" value: { string_value: "1" } }
`;

describe('the text-format reader', () => {
  it('reads fields, nested messages with and without a colon, lists and repeated fields', () => {
    const message = parseTextFormat(TRITON_STYLE);
    expect(message.get('name')[0].value).toEqual({ kind: 'string', value: 'mnist' });
    expect(message.get('input')).toHaveLength(1);
    const input = message.get('input')[0].value as TextMessage;
    expect(input.get('dims').map((field) => (field.value as { value: number }).value)).toEqual([28, 28, 1]);
    expect((input.get('data_type')[0].value as { value: string }).value).toBe('TYPE_FP32');
    const policy = message.get('version_policy')[0].value as TextMessage;
    const specific = policy.get('specific')[0].value as TextMessage;
    expect(specific.get('versions')).toHaveLength(2);
  });

  it('reads strings with escapes, adjacent strings, negative and float numbers, angle brackets and separators', () => {
    const message = parseTextFormat(`a: "x\\n\\"y\\"" 'z' ; b: -1, c: 2.5e3 d < e: true > f: 0x10`);
    expect((message.get('a')[0].value as { value: string }).value).toBe('x\n"y"z');
    expect((message.get('b')[0].value as { value: number }).value).toBe(-1);
    expect((message.get('c')[0].value as { value: number }).value).toBe(2500);
    expect(((message.get('d')[0].value as TextMessage).get('e')[0].value as { value: string }).value).toBe('true');
    expect((message.get('f')[0].value as { value: number }).value).toBe(16);
  });

  it('names the line of a syntax error', () => {
    expect(() => parseTextFormat('name: "a"\ninput [ { name: "x" }\n')).toThrow(/line \d+: .*/);
    expect(() => parseTextFormat('name "a"')).toThrow(/line 1: expected ':' or '\{' after 'name'/);
    expect(() => parseTextFormat('a: "unterminated')).toThrow(/line 1: a string/);
    expect(() => parseTextFormat('a { '.repeat(100))).toThrow(/nest deeper/);
    expect(() => parseTextFormat('a: @')).toThrow(/unexpected character/);
  });
});

describe('readModelConfig', () => {
  it('reads what the server acts on and reads past the rest', () => {
    const config = readModelConfig(TRITON_STYLE, 'mnist/config.pbtxt');
    expect(config).toEqual({
      name: 'mnist',
      platform: 'onnxruntime_onnx',
      backend: undefined,
      maxBatchSize: 8,
      inputs: [{ name: 'input_1', datatype: 'FP32', dims: [28, 28, 1] }],
      outputs: [{ name: 'dense', datatype: 'FP32', dims: [10], labelFilename: 'labels.txt' }],
      dynamicBatching: { maxQueueDelayMicroseconds: 100 },
      versionPolicy: { kind: 'specific', versions: [1, 3] },
      defaultModelFilename: 'model.onnx',
      instanceKind: 'KIND_CPU',
    });
  });

  it("has Triton's defaults: no batching, the newest version, model.onnx", () => {
    expect(readModelConfig('', 'c')).toMatchObject({
      maxBatchSize: 0,
      inputs: [],
      outputs: [],
      versionPolicy: { kind: 'latest', numVersions: 1 },
      defaultModelFilename: 'model.onnx',
    });
    expect(readModelConfig('version_policy: { all { } }', 'c').versionPolicy).toEqual({ kind: 'all' });
    expect(readModelConfig('version_policy: { latest { num_versions: 2 } }', 'c').versionPolicy).toEqual({
      kind: 'latest',
      numVersions: 2,
    });
  });

  it('refuses what it cannot serve or what makes no sense, naming file and line', () => {
    const bad = (text: string, pattern: RegExp) => {
      expect(() => readModelConfig(text, 'm/config.pbtxt')).toThrow(InvalidInputError);
      expect(() => readModelConfig(text, 'm/config.pbtxt')).toThrow(pattern);
    };
    bad('platform: "tensorrt_plan"', /m\/config\.pbtxt: line 1: platform 'tensorrt_plan' is not served here/);
    bad('max_batch_size: 1e20', /line 1: 'max_batch_size' is 1e20; expected a whole number from 0 to/);
    bad('max_batch_size: -3', /'max_batch_size' is -3/);
    bad('input [ { name: "x" data_type: TYPE_BF16 dims: [1] } ]', /TYPE_BF16, which this server cannot serve/);
    bad('input [ { name: "x" data_type: TYPE_FP32 dims: [0] } ]', /a 0 dimension/);
    bad('output [ { name: "y" data_type: TYPE_FP32 dims: [1] label_filename: "../../etc/passwd" } ]', /must be a file name inside/);
    bad('default_model_filename: "../x.onnx"', /must be a file name inside/);
    bad('name: "a"\nname: "b"', /line 2: 'name' is given more than once/);
    bad('dynamic_batching { max_queue_delay_microseconds: 100000000000 }', /max_queue_delay_microseconds/);
    bad('name: {', /line 1/);
  });

  it('reads back exactly what formatModelConfig (export-triton) writes', () => {
    const parts = {
      name: 'digits',
      maxBatchSize: 32,
      inputs: [{ name: 'x', datatype: 'FP32' as const, dims: [28, 28, 1] }],
      outputs: [
        { name: 'probabilities', datatype: 'FP32' as const, dims: [10], labelFilename: 'labels.txt' },
        { name: 'ids', datatype: 'INT64' as const, dims: [-1] },
        { name: 'names', datatype: 'BYTES' as const, dims: [3] },
      ],
      maxQueueDelayMicroseconds: 500,
    };
    const config = readModelConfig(formatModelConfig(parts), 'written');
    expect(config).toMatchObject({
      name: 'digits',
      maxBatchSize: 32,
      inputs: parts.inputs,
      outputs: parts.outputs,
      dynamicBatching: { maxQueueDelayMicroseconds: 500 },
    });
    const unbatched = readModelConfig(formatModelConfig({ ...parts, maxBatchSize: 0 }), 'written');
    expect(unbatched.dynamicBatching).toBeUndefined();
    expect(unbatched.maxBatchSize).toBe(0);
  });
});
