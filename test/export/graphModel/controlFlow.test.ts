/**
 * Control flow, one small GraphModel per form, each converted, checked with the official ONNX
 * checker and compared with tfjs-converter's executeAsync on seeded inputs: TF1 while frames
 * (fixed and run-time trip counts, nested, inside a conditional), TensorArrays filled once per
 * iteration (a Loop scan output) and at other positions (an ONNX sequence), TensorLists pushed
 * and popped, Switch/Merge conditionals taking each branch, and functional While and If with
 * bodies in the library.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertModelVariantsToFiles } from '../../../export/index.ts';
import { checkOnnxModels, randomTensor, removeTemporaryDirectories, runOnnx, useCpuBackend } from '../harness.ts';
import { GraphModelBuilder, attr, convertGraphModel, expectGraphModelMatches } from './harness.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const F = { T: attr.type('float32') };
const I = { T: attr.type('int32') };

/**
 * A TF1 while loop as tf.while_loop writes it: per variable Enter → Merge ← NextIteration, the
 * condition on the Merges into LoopCond, Switch(Merge, LoopCond) whose true side feeds the body
 * (through an Identity) and whose false side leaves through Exit. `invariants` enter with
 * is_constant. Returns the Exits.
 */
function whileLoop(g: GraphModelBuilder, frame: string, initial: string[], cond: (vars: string[], invariants: string[]) => string, body: (vars: string[], invariants: string[]) => string[], invariants: string[] = []): string[] {
  const frameAttrs = (constant: boolean) => ({ frame_name: attr.s(frame), is_constant: attr.b(constant), parallel_iterations: attr.i(10) });
  const enters = initial.map((value, k) => g.node('Enter', [value], frameAttrs(false), `${frame}/Enter_${k}`));
  const constants = invariants.map((value, k) => g.node('Enter', [value], frameAttrs(true), `${frame}/Enter_invariant_${k}`));
  const merges = enters.map((enter, k) => g.node('Merge', [enter, `${frame}/NextIteration_${k}`], {}, `${frame}/Merge_${k}`));
  const loopCond = g.node('LoopCond', [cond(merges, constants)], {}, `${frame}/LoopCond`);
  const switches = merges.map((merge, k) => g.node('Switch', [merge, loopCond], {}, `${frame}/Switch_${k}`));
  const inside = switches.map((s, k) => g.node('Identity', [`${s}:1`], {}, `${frame}/Identity_${k}`));
  body(inside, constants).forEach((next, k) => g.node('NextIteration', [next], {}, `${frame}/NextIteration_${k}`));
  return switches.map((s, k) => g.node('Exit', [`${s}:0`], {}, `${frame}/Exit_${k}`));
}

/** tf.cond's Switch/Merge form: `value` switched on `predicate`, each branch computed from its side. */
function conditional(g: GraphModelBuilder, scope: string, predicate: string, value: string, whenTrue: (v: string) => string, whenFalse: (v: string) => string): string {
  const switched = g.node('Switch', [value, predicate], {}, `${scope}/Switch`);
  return g.node('Merge', [whenFalse(`${switched}:0`), whenTrue(`${switched}:1`)], {}, `${scope}/Merge`);
}

const increment = (g: GraphModelBuilder, i: string) => g.node('AddV2', [i, g.scalarInt(1)], I);

/** Every op type in the ONNX file, subgraphs (Loop bodies, If branches) included. */
async function onnxOps(onnxPath: string): Promise<{ top: string[]; all: string[] }> {
  const model = onnxProto.onnx.ModelProto.decode(await readFile(onnxPath));
  const all: string[] = [];
  const walk = (graph: onnxProto.onnx.IGraphProto | null | undefined) => {
    for (const node of graph?.node ?? []) {
      all.push(node.opType ?? '');
      for (const attribute of node.attribute ?? []) walk(attribute.g);
    }
  };
  walk(model.graph);
  return { top: (model.graph?.node ?? []).map((node) => node.opType ?? ''), all };
}

describe('control flow', () => {
  it('a while loop with a fixed trip count becomes one Loop', async () => {
    const g = new GraphModelBuilder(1);
    const x = g.placeholder('x', [null, 3]);
    const [, acc] = whileLoop(g, 'loop', [g.scalarInt(0), x], ([i]) => g.node('Less', [i, g.scalarInt(5)], I), ([i, a]) => [increment(g, i), g.node('AddV2', [g.node('Mul', [a, g.scalar(0.5)], F), g.scalar(1)], F)]);
    g.node('Identity', [acc], F, 'out');
    const { onnxPath } = await expectGraphModelMatches(await g.save(), { x: randomTensor([2, 3], 2, -4, 4) });
    expect((await onnxOps(onnxPath)).top.filter((op) => op === 'Loop')).toHaveLength(1);
  });

  it('a while loop whose trip count is an input runs that many times, zero included', async () => {
    const g = new GraphModelBuilder(2);
    const x = g.placeholder('x', [null, 3]);
    const n = g.placeholder('n', [], 'int32');
    // acc += x · i for i < n; x and n enter the frame as constants.
    const [, acc] = whileLoop(
      g,
      'loop',
      [g.scalarInt(0), g.node('ZerosLike', [x], F)],
      ([i], [, count]) => g.node('Less', [i, count], I),
      ([i, a], [input]) => [increment(g, i), g.node('AddV2', [a, g.node('Mul', [input, g.node('Cast', [i], { DstT: attr.type('float32') })], F)], F)],
      [x, n],
    );
    g.node('Identity', [acc], F, 'out');
    const modelJson = await g.save();
    for (const count of [4, 0, 1]) await expectGraphModelMatches(modelJson, { x: randomTensor([2, 3], 3), n: tf.scalar(count, 'int32') });
  });

  it('a TensorArray filled once per iteration is a Loop scan output; one filled backwards is a sequence', async () => {
    const g = new GraphModelBuilder(3);
    const x = g.placeholder('x', [null, 3]);
    const size = g.node('StridedSlice', [g.node('Shape', [x], F), g.ints([0]), g.ints([1]), g.ints([1])], { shrink_axis_mask: attr.i(1), begin_mask: attr.i(0), end_mask: attr.i(0), ellipsis_mask: attr.i(0), new_axis_mask: attr.i(0) });
    const array = (name: string) => g.node('TensorArrayV3', [size], { dtype: attr.type('float32'), element_shape: attr.shape([3]), dynamic_size: attr.b(false), clear_after_read: attr.b(true), identical_element_shapes: attr.b(true) }, name);
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
        return [increment(g, i), g.node('TensorArrayWriteV3', [handleF, i, y, flowF], F), g.node('TensorArrayWriteV3', [handleB, last, item, flowB], F)];
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
      const empty = g.node('EmptyTensorList', [g.ints([3]), g.scalarInt(-1)], { element_dtype: attr.type('float32'), shape_type: attr.type('int32') });
      const [, list] = whileLoop(g, 'push', [g.scalarInt(0), empty], ([i]) => g.node('Less', [i, g.scalarInt(3)], I), ([i, l]) => [
        increment(g, i),
        g.node('TensorListPushBack', [l, g.node('Mul', [x, g.node('Cast', [i], { DstT: attr.type('float32') })], F)], { element_dtype: attr.type('float32') }),
      ]);
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
    expect((await onnxOps(onnxPath)).all).toEqual(expect.arrayContaining(['SequenceInsert', 'SequenceErase', 'SequenceAt', 'ConcatFromSequence']));
  });

  it('a loop nested in a loop', async () => {
    const g = new GraphModelBuilder(5);
    const x = g.placeholder('x', [2, 3]);
    // for i < 2: for j < 3: acc = acc · 0.5 + x · (i + 1). Captured values go round the loops unchanged, as TF2's
    // lowered loops pass them: tfjs-converter cannot run an is_constant Enter inside a nested frame.
    const [, result] = whileLoop(
      g,
      'outer',
      [g.scalarInt(0), x, x],
      ([i]) => g.node('Less', [i, g.scalarInt(2)], I),
      ([i, acc, input]) => {
        const scale = g.node('Cast', [g.node('AddV2', [i, g.scalarInt(1)], I)], { DstT: attr.type('float32') });
        // The inner counter starts from a value of the outer frame (TF puts its constant there), so tfjs enters the inner frame once per outer round.
        const [, inner] = whileLoop(
          g,
          'outer/inner',
          [g.node('Sub', [i, i], I), acc, input, scale],
          ([j]) => g.node('Less', [j, g.scalarInt(3)], I),
          ([j, a, value, factor]) => [increment(g, j), g.node('AddV2', [g.node('Mul', [a, g.scalar(0.5)], F), g.node('Mul', [value, factor], F)], F), value, factor],
        );
        return [increment(g, i), inner, input];
      },
    );
    g.node('Identity', [result], F, 'out');
    const { onnxPath } = await expectGraphModelMatches(await g.save(), { x: randomTensor([2, 3], 6) });
    expect((await onnxOps(onnxPath)).all.filter((op) => op === 'Loop')).toHaveLength(2);
  });

  it('a Switch/Merge conditional takes each branch', async () => {
    const g = new GraphModelBuilder(6);
    const x = g.placeholder('x', [2, 3]);
    const predicate = g.node('Greater', [g.node('Sum', [x, g.ints([0, 1])], { keep_dims: attr.b(false) }), g.scalar(0)], F);
    conditional(g, 'cond', predicate, x, (v) => g.node('Mul', [v, g.scalar(2)], F), (v) => g.node('Sub', [v, g.scalar(1)], F));
    g.node('Identity', ['cond/Merge'], F, 'out');
    const modelJson = await g.save();
    const { onnxPath } = await expectGraphModelMatches(modelJson, { x: randomTensor([2, 3], 7, 0.1, 1) });
    await expectGraphModelMatches(modelJson, { x: randomTensor([2, 3], 8, -1, -0.1) });
    expect((await onnxOps(onnxPath)).top).toContain('If');
  });

  it('a conditional whose branches are constants is told apart by their control inputs (TensorFlow semantics)', async () => {
    // tfjs-converter keeps constants live on both sides and returns Merge's first input, so this one is checked against TensorFlow's meaning.
    const g = new GraphModelBuilder(7);
    const x = g.placeholder('x', [3]);
    const predicate = g.node('Greater', [g.node('Sum', [x, g.ints([0])], { keep_dims: attr.b(false) }), g.scalar(0)], F);
    const pivots = g.node('Switch', [predicate, predicate], {}, 'cond/Switch');
    const [pivotFalse, pivotTrue] = [0, 1].map((side) => g.node('Identity', [`${pivots}:${side}`], {}, `cond/switch_${side === 1 ? 't' : 'f'}`));
    const [whenFalse, whenTrue] = [-10, 10].map((value) => g.scalar(value));
    g.nodes.find((node) => node.name === whenFalse)!.input = [`^${pivotFalse}`];
    g.nodes.find((node) => node.name === whenTrue)!.input = [`^${pivotTrue}`];
    g.node('Merge', [whenFalse, whenTrue], {}, 'which');
    const { onnxPath } = await convertGraphModel(await g.save());
    expect(await checkOnnxModels([onnxPath])).toEqual(['']);
    for (const [values, expected] of [[[1, 2, 3], 10], [[-1, -2, -3], -10]] as const) {
      const { which } = await runOnnx(onnxPath, { x: tf.tensor(values) });
      expect(Array.from(which.data as Float32Array)).toEqual([expected]);
    }
  });

  it('a loop inside a conditional', async () => {
    const g = new GraphModelBuilder(8);
    const x = g.placeholder('x', [2, 3]);
    const predicate = g.node('Greater', [g.node('Sum', [x, g.ints([0, 1])], { keep_dims: attr.b(false) }), g.scalar(0)], F);
    conditional(g, 'cond', predicate, x, (v) => {
      const [, doubled] = whileLoop(g, 'cond/while', [g.scalarInt(0), v], ([i]) => g.node('Less', [i, g.scalarInt(3)], I), ([i, a]) => [increment(g, i), g.node('Mul', [a, g.scalar(2)], F)]);
      return doubled;
    }, (v) => g.node('Neg', [v], F));
    g.node('Identity', ['cond/Merge'], F, 'out');
    const modelJson = await g.save();
    const { onnxPath } = await expectGraphModelMatches(modelJson, { x: randomTensor([2, 3], 9, 0.1, 1) });
    await expectGraphModelMatches(modelJson, { x: randomTensor([2, 3], 10, -1, -0.1) });
    const ops = await onnxOps(onnxPath);
    expect(ops.top).toContain('If');
    expect(ops.all).toContain('Loop');
  });

  it('functional While (with TensorLists read and filled through it) and If', async () => {
    const listAttrs = { element_dtype: attr.type('float32') };
    const loopTypes: [string, 'int32' | 'float32'][] = [['i', 'int32'], ['acc', 'float32'], ['x', 'float32'], ['rows', 'float32'], ['mapped', 'float32']];
    /**
     * for i < 4: acc = acc · 0.5 + x; mapped[i] = exp(rows[i]), as a functional StatelessWhile or
     * as TF1 frames. tfjs-converter's functional While disposes the elements a TensorList gathers
     * (tfjs 4.22), so the functional form is compared with the frame form run by tfjs.
     */
    const build = (functional: boolean) => {
      const g = new GraphModelBuilder(9);
      const x = g.placeholder('x', [4, 3]);
      const rows = g.node('TensorListFromTensor', [x, g.ints([3])], { element_dtype: attr.type('float32'), shape_type: attr.type('int32') });
      const reserved = g.node('TensorListReserve', [g.ints([3]), g.scalarInt(4)], { element_dtype: attr.type('float32'), shape_type: attr.type('int32') });
      let accumulated: string;
      let mapped: string;
      if (functional) {
        const cond = g.defineFunction('loop_cond', loopTypes, ['bool'], (body, [i]) => [body.node('Less', [i, body.constant([4], [], 'int32')], I)]);
        const loopBody = g.defineFunction('loop_body', loopTypes, ['int32', 'float32', 'float32', 'float32', 'float32'], (body, [i, acc, input, list, filled]) => {
          const row = body.node('TensorListGetItem', [list, i, body.constant([3], [1], 'int32')], listAttrs);
          const next = body.node('AddV2', [body.node('Mul', [acc, body.constant([0.5], [])], F), input], F);
          return [body.node('AddV2', [i, body.constant([1], [], 'int32')], I), next, input, list, body.node('TensorListSetItem', [filled, i, body.node('Exp', [row], F)], listAttrs)];
        });
        const loop = g.node('StatelessWhile', [g.scalarInt(0), x, x, rows, reserved], { cond: { func: { name: cond } }, body: { func: { name: loopBody } } }, 'while');
        [accumulated, mapped] = [`${loop}:1`, `${loop}:4`];
      } else {
        [, accumulated, mapped] = whileLoop(g, 'while', [g.scalarInt(0), x, reserved], ([i]) => g.node('Less', [i, g.scalarInt(4)], I), ([i, acc, filled], [input, list]) => {
          const row = g.node('TensorListGetItem', [list, i, g.ints([3])], listAttrs);
          return [increment(g, i), g.node('AddV2', [g.node('Mul', [acc, g.scalar(0.5)], F), input], F), g.node('TensorListSetItem', [filled, i, g.node('Exp', [row], F)], listAttrs)];
        }, [x, rows]);
      }
      g.node('Identity', [accumulated], F, 'accumulated');
      g.node('TensorListStack', [mapped, g.ints([3])], { element_dtype: attr.type('float32'), num_elements: attr.i(4) }, 'mapped');
      const thenFn = g.defineFunction('then', [['v', 'float32']], ['float32'], (body, [v]) => [body.node('Mul', [v, body.constant([2], [])], F)]);
      const elseFn = g.defineFunction('else', [['v', 'float32']], ['float32'], (body, [v]) => [body.node('Neg', [v], F)]);
      const predicate = g.node('Greater', [g.node('Sum', [x, g.ints([0, 1])], { keep_dims: attr.b(false) }), g.scalar(0)], F);
      g.node('StatelessIf', [predicate, accumulated], { then_branch: { func: { name: thenFn } }, else_branch: { func: { name: elseFn } } }, 'chosen');
      g.node('Identity', ['chosen'], F, 'branch');
      return g.save();
    };
    const [functional, frames] = [await build(true), await build(false)];
    for (const [seed, low, high] of [[11, 0.1, 1], [12, -1, -0.1]]) {
      const x = randomTensor([4, 3], seed, low, high);
      await expectGraphModelMatches(frames, { x });
      const { onnxPath } = await expectGraphModelMatches(functional, { x }, { reference: frames });
      const ops = await onnxOps(onnxPath);
      expect(ops.top).toEqual(expect.arrayContaining(['Loop', 'If']));
      // The filled list is a scan output and the read one a Gather: no sequence anywhere.
      expect(ops.all.filter((op) => /Sequence/.test(op))).toEqual([]);
    }
  });

  it('fp16 and q8 variants of a loop stay valid: bodies stay float32 and read float16 values through a Cast', async () => {
    const g = new GraphModelBuilder(10);
    const x = g.placeholder('x', [null, 8]);
    // The weight is used outside the loop first and then read inside it by name: stored as float16, the body gets it through a Cast.
    const weight = g.randomConstant([8, 8], -0.5, 0.5);
    const matMul = (a: string, b: string) => g.node('MatMul', [a, b], { ...F, transpose_a: attr.b(false), transpose_b: attr.b(false) });
    const [, acc] = whileLoop(g, 'loop', [g.scalarInt(0), matMul(x, weight)], ([i]) => g.node('Less', [i, g.scalarInt(3)], I), ([i, a], [w]) => [increment(g, i), g.node('Mul', [matMul(a, w), g.scalar(0.5)], F)], [weight]);
    g.node('Identity', [acc], F, 'out');
    const modelJson = await g.save();
    const variants = await convertModelVariantsToFiles(modelJson, path.join(path.dirname(modelJson), 'variants.onnx'), ['fp32', 'fp16', 'q8']);
    expect(await checkOnnxModels(variants.map((variant) => variant.path))).toEqual(['', '', '']);
    const feeds = { x: randomTensor([2, 8], 13) };
    const [fp32, fp16, q8] = await Promise.all(variants.map((variant) => runOnnx(variant.path, feeds)));
    const body = (await onnxOps(variants[1].path)).all;
    expect(body).toContain('Cast');
    for (const [variant, bound] of [[fp16, 1e-2], [q8, 5e-2]] as const) {
      const [want, got] = [fp32.out.data as Float32Array, variant.out.data as Float32Array];
      expect(Math.max(...want.map((value, i) => Math.abs(value - got[i])))).toBeLessThan(bound * Math.max(1, ...want.map(Math.abs)));
    }
  });
});
