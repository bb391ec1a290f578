/**
 * Constants a GraphModel keeps in a Const node's own `value` (a TensorProto) rather than in the
 * shards.
 */
import { describe, expect, it } from 'vitest';
import type { GraphNodeDef } from '../../../export/graphModel/nodeDef.ts';
import { numbers } from '../../../export/graphModel/tfOps/constant.ts';
import { inlineConstant } from '../../../export/graphModel/weights.ts';

function constNode(tensor: Record<string, unknown>): GraphNodeDef {
  return { name: 'c', op: 'Const', inputs: [], attr: { value: { tensor } } };
}

describe('inline constants', () => {
  // 1, −2, the largest half (65504), the smallest subnormal (2^−24) and −∞.
  const bits = [0x3c00, 0xc000, 0x7bff, 0x0001, 0xfc00];
  const expected = [1, -2, 65504, 2 ** -24, -Infinity];

  it('reads float16 half_val (bit patterns as integers) as the numbers they denote', () => {
    const constant = inlineConstant(constNode({ dtype: 'DT_HALF', tensorShape: { dim: [{ size: '5' }] }, halfVal: bits }), 'test');
    expect(constant?.dtype).toBe('float32');
    expect(numbers(constant!)).toEqual(expected);
  });

  it('reads float16 tensor_content (little-endian bytes) as the numbers they denote', () => {
    const content = Buffer.from(new Uint16Array(bits).buffer).toString('base64');
    const constant = inlineConstant(constNode({ dtype: 'DT_HALF', tensorShape: { dim: [{ size: '5' }] }, tensorContent: content }), 'test');
    expect(numbers(constant!)).toEqual(expected);
  });
});
