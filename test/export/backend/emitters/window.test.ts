/**
 * The window arithmetic both front ends share: the pads and output sizes of TensorFlow's padding
 * modes and of explicit pads, checked against the output size TensorFlow defines.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { windowOutputSizes, windowPads, type Window } from '../../../../export/backend/emitters/window.ts';

const axis = fc.record({
  size: fc.integer({ min: 1, max: 40 }),
  kernel: fc.integer({ min: 1, max: 7 }),
  stride: fc.integer({ min: 1, max: 4 }),
  dilation: fc.integer({ min: 1, max: 3 }),
});

const window = (a: { kernel: number; stride: number; dilation: number }, padding: Window['padding']): Window => ({
  kernel: [a.kernel],
  strides: [a.stride],
  dilations: [a.dilation],
  padding,
});

describe('window pads and output sizes', () => {
  it("'same' pads so the output is ceil(size / stride), the odd pad at the end", () => {
    fc.assert(
      fc.property(axis, (a) => {
        const [begin, end] = windowPads(window(a, 'same'), [a.size])!;
        const reach = (a.kernel - 1) * a.dilation + 1;
        expect(Math.floor((a.size + begin + end - reach) / a.stride) + 1).toBe(Math.ceil(a.size / a.stride));
        expect(end - begin).toBeGreaterThanOrEqual(0);
        expect(end - begin).toBeLessThanOrEqual(1);
        expect(windowOutputSizes(window(a, 'same'), [a.size])).toEqual([Math.ceil(a.size / a.stride)]);
      }),
    );
  });

  it("at stride 1, 'same' pads the same whatever the size, so an unknown size still gets static pads", () => {
    fc.assert(
      fc.property(axis, (a) => {
        const w = window({ ...a, stride: 1 }, 'same');
        expect(windowPads(w, [null])).toEqual(windowPads(w, [a.size]));
      }),
    );
    // At a larger stride the pads depend on the size: left to the runtime (auto_pad SAME_UPPER).
    expect(windowPads(window({ kernel: 3, stride: 2, dilation: 1 }, 'same'), [null])).toBeUndefined();
  });

  it('explicit pads are used as given, and the output counts the windows that fit', () => {
    fc.assert(
      fc.property(axis, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), (a, begin, end) => {
        const reach = (a.kernel - 1) * a.dilation + 1;
        fc.pre(a.size + begin + end >= reach);
        const w = window(a, { explicit: [begin, end] });
        expect(windowPads(w, [a.size])).toEqual([begin, end]);
        expect(windowOutputSizes(w, [a.size])).toEqual([Math.floor((a.size + begin + end - reach) / a.stride) + 1]);
      }),
    );
  });
});
