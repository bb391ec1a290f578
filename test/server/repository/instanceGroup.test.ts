/**
 * Triton's instance_group in config.pbtxt decides where a repository model runs: KIND_GPU on the
 * runtime's device 'gpu', KIND_CPU on 'cpu', KIND_AUTO (or none) on the server's --device. Kinds
 * this server cannot honour are refused, naming the line. (serve with a repository of both kinds
 * runs in test/gpu/mnist.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { deviceFor, readModelConfig } from '../../../server/repository/config.ts';

const config = (groups: string) => `platform: "onnxruntime_onnx"\n${groups}\n`;

describe('instance_group', () => {
  it('reads the kind the groups agree on, and maps it to a device', () => {
    expect(readModelConfig(config('instance_group [ { count: 2, kind: KIND_GPU, gpus: [ 0 ] } ]'), 'c.pbtxt').instanceKind).toBe(
      'KIND_GPU',
    );
    expect(readModelConfig(config('instance_group [ { kind: KIND_CPU }, { count: 3, kind: KIND_CPU } ]'), 'c.pbtxt').instanceKind).toBe(
      'KIND_CPU',
    );
    expect(readModelConfig(config('instance_group [ { count: 1 } ]'), 'c.pbtxt').instanceKind).toBe('KIND_AUTO');
    expect(readModelConfig(config(''), 'c.pbtxt').instanceKind).toBeUndefined();
    expect(deviceFor('KIND_GPU', 'wasm')).toBe('gpu');
    expect(deviceFor('KIND_CPU', 'webgpu')).toBe('cpu');
    expect(deviceFor('KIND_AUTO', 'webgpu')).toBe('webgpu');
    expect(deviceFor(undefined, 'auto')).toBe('auto');
  });

  it('refuses kinds it cannot honour and groups that disagree, naming the file and line', () => {
    expect(() => readModelConfig(config('instance_group [ { kind: KIND_MODEL } ]'), 'c.pbtxt')).toThrow(
      /^c\.pbtxt: line 2: instance_group kind KIND_MODEL is not served here; use KIND_GPU, KIND_CPU or KIND_AUTO$/,
    );
    expect(() => readModelConfig(config('instance_group [ { kind: KIND_GPU }, { kind: KIND_CPU } ]'), 'c.pbtxt')).toThrow(
      /instance_group mixes KIND_GPU and KIND_CPU; this server runs each version in one place/,
    );
    expect(() => readModelConfig(config('instance_group [ { kind: "KIND_GPU" } ]'), 'c.pbtxt')).toThrow(
      /'kind' must be a name such as KIND_GPU/,
    );
  });
});
