/**
 * TensorArrays and TensorLists in loops: filled once per iteration (a Loop scan output), at other
 * positions (an ONNX sequence), pushed and popped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomTensor, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { GraphModelBuilder, attr, expectGraphModelMatches } from '../harness.ts';
import { F, I, increment, onnxOps, whileLoop } from './tf1Graphs.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

describe('control flow: TensorArrays and TensorLists', () => {
  it('a TensorArray filled once per iteration is a Loop scan output; one filled backwards is a sequence', async () => {
    const g = new GraphModelBuilder(3);
    const x = g.placeholder('x', [null, 3]);
    const size = g.node('StridedSlice', [g.node('Shape', [x], F), g.ints([0]), g.ints([1]), g.ints([1])], {
      shrink_axis_mask: attr.i(1),
      begin_mask: attr.i(0),
      end_mask: attr.i(0),
      ellipsis_mask: attr.i(0),
      new_axis_mask: attr.i(0),
    });
    const array = (name: string) =>
      g.node(
        'TensorArrayV3',
        [size],
        {
          dtype: attr.type('float32'),
          element_shape: attr.shape([3]),
          dynamic_size: attr.b(false),
          clear_after_read: attr.b(true),
          identical_element_shapes: attr.b(true),
        },
        name,
      );
    const rows = g.node('Range', [g.scalarInt(0), size, g.scalarInt(1)], { Tidx: attr.type('int32') });
    const input = array('elements');
    const inputFlow = g.node('TensorArrayScatterV3', [input, rows, x, `${input}:1`], F);
    const [forward, backward] = [array('forward'), array('backward')];
    const [, forwardFlow, backwardFlow] = whileLoop(
      g,
      'map',
      [g.scalarInt(0), `${forward}:1`, `${backward}:1`],
      ([i], [n]) => g.node('Less', [i, n], I),
      ([i, flowF, flowB], [n, elements, elementsFlow, handleF, handleB]) => {
        const item = g.node('TensorArrayReadV3', [elements, i, elementsFlow], { dtype: attr.type('float32') });
        const y = g.node('AddV2', [g.node('Mul', [item, g.scalar(2)], F), g.scalar(1)], F);
        const last = g.node('Sub', [g.node('Sub', [n, i], I), g.scalarInt(1)], I);
        return [
          increment(g, i),
          g.node('TensorArrayWriteV3', [handleF, i, y, flowF], F),
          g.node('TensorArrayWriteV3', [handleB, last, item, flowB], F),
        ];
      },
      [size, input, inputFlow, forward, backward],
    );
    const gather = (handle: string, flow: string, name: string) => {
      const count = g.node('TensorArraySizeV3', [handle, flow]);
      const all = g.node('Range', [g.scalarInt(0), count, g.scalarInt(1)], { Tidx: attr.type('int32') });
      return g.node('TensorArrayGatherV3', [handle, all, flow], { dtype: attr.type('float32'), element_shape: attr.shape([3]) }, name);
    };
    gather(forward, forwardFlow, 'mapped');
    gather(backward, backwardFlow, 'reversed');
    const { onnxPath } = await expectGraphModelMatches(await g.save(), { x: randomTensor([4, 3], 4) });
    const ops = await onnxOps(onnxPath);
    expect(ops.top).toContain('Loop');
    // The forward array needs no sequence; the backward one is written where the iteration number is not.
    expect(ops.all).toContain('SequenceInsert');
    expect(ops.all.filter((op) => op === 'Loop').length).toBeGreaterThanOrEqual(1);
  });

  it('a TensorList pushed in a loop and popped after it', async () => {
    const build = (reference: boolean) => {
      const g = new GraphModelBuilder(4);
      const x = g.placeholder('x', [3]);
      const empty = g.node('EmptyTensorList', [g.ints([3]), g.scalarInt(-1)], {
        element_dtype: attr.type('float32'),
        shape_type: attr.type('int32'),
      });
      const [, list] = whileLoop(
        g,
        'push',
        [g.scalarInt(0), empty],
        ([i]) => g.node('Less', [i, g.scalarInt(3)], I),
        ([i, l]) => [
          increment(g, i),
          g.node('TensorListPushBack', [l, g.node('Mul', [x, g.node('Cast', [i], { DstT: attr.type('float32') })], F)], {
            element_dtype: attr.type('float32'),
          }),
        ],
      );
      g.node('TensorListLength', [list], {}, 'count');
      if (reference) {
        // tfjs-converter's TensorListPopBack returns the element as output 0 (TensorFlow: the list, then the element), so tfjs reads the same values another way.
        g.node('TensorListGetItem', [list, g.scalarInt(2), g.ints([3])], { element_dtype: attr.type('float32') }, 'last');
        g.node('TensorListGather', [list, g.ints([0, 1]), g.ints([3])], { element_dtype: attr.type('float32') }, 'rest');
      } else {
        const popped = g.node('TensorListPopBack', [list, g.ints([3])], { element_dtype: attr.type('float32') });
        g.node('Identity', [`${popped}:1`], F, 'last');
        g.node('TensorListStack', [`${popped}:0`, g.ints([3])], { element_dtype: attr.type('float32'), num_elements: attr.i(-1) }, 'rest');
      }
      return g.save();
    };
    const [model, reference] = [await build(false), await build(true)];
    // Sequences as Loop state at the lowest and the highest opset written.
    await expectGraphModelMatches(model, { x: randomTensor([3], 5) }, { reference, opset: 17 });
    const { onnxPath, summary } = await expectGraphModelMatches(model, { x: randomTensor([3], 5) }, { reference });
    expect(summary.outputs.map((output) => output.name)).toEqual(expect.arrayContaining(['count', 'last', 'rest']));
    expect((await onnxOps(onnxPath)).all).toEqual(
      expect.arrayContaining(['SequenceInsert', 'SequenceErase', 'SequenceAt', 'ConcatFromSequence']),
    );
  });
});
