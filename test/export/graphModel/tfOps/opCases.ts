/**
 * Op by op: a small GraphModel per TF op (and per interesting attribute), converted and compared
 * with tfjs-converter on seeded random inputs, max |diff| ≤ 1e-4 · max(1, max |expected|). Each
 * family's test file (one per module of export/graphModel/tfOps) lists its cases and runs them
 * here; the files it converts go through the official checker in one batch at its end.
 */
import type * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { checkOnnxModels, onnxNodes, randomTensor } from '../../harness.ts';
import { GraphModelBuilder, attr, expectGraphModelMatches, type MatchOptions } from '../harness.ts';

export type Feeds = Record<string, tf.Tensor>;

export interface OpCase {
  name: string;
  build: (g: GraphModelBuilder) => Feeds;
  /** An equivalent graph for tfjs, when tfjs-converter lacks the op. */
  reference?: (g: GraphModelBuilder) => void;
  opset?: number;
  /** The converted graph's op types, where the point is what the op becomes. */
  onnxOps?: string[];
}

export const T = attr.type('float32');
export const nhwc = { data_format: attr.s('NHWC') };
export const window = (strides: number[], padding: string, extra = {}) => ({
  strides: attr.ints(strides),
  padding: attr.s(padding),
  dilations: attr.ints([1, 1, 1, 1]),
  ...nhwc,
  ...extra,
});
export const stridedSlice = (
  masks: Partial<Record<'begin_mask' | 'end_mask' | 'ellipsis_mask' | 'new_axis_mask' | 'shrink_axis_mask', number>>,
) =>
  Object.fromEntries(
    ['begin_mask', 'end_mask', 'ellipsis_mask', 'new_axis_mask', 'shrink_axis_mask'].map((mask) => [
      mask,
      attr.i(masks[mask as keyof typeof masks] ?? 0),
    ]),
  );

/** One input x of `shape` (values in [low, high)) through one op; the node is named `out`. */
export function unaryCase(
  name: string,
  op: string,
  shape: number[],
  attributes: Record<string, unknown> = {},
  low = -2,
  high = 2,
  extraInputs: (g: GraphModelBuilder) => string[] = () => [],
): OpCase {
  return {
    name,
    build: (g) => {
      const x = g.placeholder(
        'x',
        shape.map((s, i) => (i === 0 ? null : s)),
      );
      g.node(op, [x, ...extraInputs(g)], attributes, 'out');
      return { x: randomTensor(shape, 7, low, high) };
    },
  };
}

/** Converts and compares each case (checking its op types where it names them), then checks every converted file. */
export function describeOpFamily(family: string, cases: readonly OpCase[]): void {
  describe(`GraphModel ops: ${family}`, () => {
    const converted: { name: string; onnxPath: string }[] = [];

    it.each(cases.map((c) => [c.name, c] as const))('%s', async (name, opCase) => {
      const builder = new GraphModelBuilder(1);
      const feeds = opCase.build(builder);
      const modelJson = await builder.save();
      const options: MatchOptions = { checked: false, opset: opCase.opset };
      if (opCase.reference) {
        const reference = new GraphModelBuilder(1);
        opCase.reference(reference);
        options.reference = await reference.save();
      }
      const { onnxPath } = await expectGraphModelMatches(modelJson, feeds, options);
      if (opCase.onnxOps) expect((await onnxNodes(onnxPath)).map((node) => node.opType)).toEqual(opCase.onnxOps);
      converted.push({ name, onnxPath });
    });

    it('the official checker accepts every converted op model', async () => {
      expect(converted.length).toBe(cases.length);
      const errors = await checkOnnxModels(converted.map((c) => c.onnxPath));
      const failures = converted.map((c, i) => (errors[i] ? `${c.name}: ${errors[i]}` : '')).filter(Boolean);
      expect(failures).toEqual([]);
    });
  });
}
