/** Functional While and If (TF2), with their bodies in the model's function library. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomTensor, removeTemporaryDirectories, useCpuBackend } from '../../harness.ts';
import { attr, expectGraphModelMatches, GraphModelBuilder } from '../harness.ts';
import { F, I, increment, onnxOps, whileLoop } from './tf1Graphs.ts';

beforeAll(useCpuBackend);
afterAll(removeTemporaryDirectories);

const listAttrs = { element_dtype: attr.type('float32') };
const loopTypes: [string, 'int32' | 'float32'][] = [
  ['i', 'int32'],
  ['acc', 'float32'],
  ['x', 'float32'],
  ['rows', 'float32'],
  ['mapped', 'float32'],
];

/** The loop as a functional StatelessWhile, its condition and body in the function library: its accumulated and mapped outputs. */
function functionalLoop(g: GraphModelBuilder, x: string, rows: string, reserved: string): [string, string] {
  const cond = g.defineFunction('loop_cond', loopTypes, ['bool'], (body, [i]) => [
    body.node('Less', [i, body.constant([4], [], 'int32')], I),
  ]);
  const loopBody = g.defineFunction(
    'loop_body',
    loopTypes,
    ['int32', 'float32', 'float32', 'float32', 'float32'],
    (body, [i, acc, input, list, filled]) => {
      const row = body.node('TensorListGetItem', [list, i, body.constant([3], [1], 'int32')], listAttrs);
      const next = body.node('AddV2', [body.node('Mul', [acc, body.constant([0.5], [])], F), input], F);
      return [
        body.node('AddV2', [i, body.constant([1], [], 'int32')], I),
        next,
        input,
        list,
        body.node('TensorListSetItem', [filled, i, body.node('Exp', [row], F)], listAttrs),
      ];
    },
  );
  const loop = g.node(
    'StatelessWhile',
    [g.scalarInt(0), x, x, rows, reserved],
    { cond: { func: { name: cond } }, body: { func: { name: loopBody } } },
    'while',
  );
  return [`${loop}:1`, `${loop}:4`];
}

/** The same loop as TF1 frames: its accumulated and mapped outputs. */
function frameLoop(g: GraphModelBuilder, x: string, rows: string, reserved: string): [string, string] {
  const [, accumulated, mapped] = whileLoop(
    g,
    'while',
    [g.scalarInt(0), x, reserved],
    ([i]) => g.node('Less', [i, g.scalarInt(4)], I),
    ([i, acc, filled], [input, list]) => {
      const row = g.node('TensorListGetItem', [list, i, g.ints([3])], listAttrs);
      return [
        increment(g, i),
        g.node('AddV2', [g.node('Mul', [acc, g.scalar(0.5)], F), input], F),
        g.node('TensorListSetItem', [filled, i, g.node('Exp', [row], F)], listAttrs),
      ];
    },
    [x, rows],
  );
  return [accumulated!, mapped!];
}

/**
 * for i < 4: acc = acc · 0.5 + x; mapped[i] = exp(rows[i]), as a functional StatelessWhile or
 * as TF1 frames; then a StatelessIf on the sign of x's sum doubles or negates acc. tfjs-converter's
 * functional While disposes the elements a TensorList gathers (tfjs 4.22), so the functional form
 * is compared with the frame form run by tfjs.
 */
function build(functional: boolean) {
  const g = new GraphModelBuilder(9);
  const x = g.placeholder('x', [4, 3]);
  const rows = g.node('TensorListFromTensor', [x, g.ints([3])], {
    element_dtype: attr.type('float32'),
    shape_type: attr.type('int32'),
  });
  const reserved = g.node('TensorListReserve', [g.ints([3]), g.scalarInt(4)], {
    element_dtype: attr.type('float32'),
    shape_type: attr.type('int32'),
  });
  const [accumulated, mapped] = (functional ? functionalLoop : frameLoop)(g, x, rows, reserved);
  g.node('Identity', [accumulated], F, 'accumulated');
  g.node('TensorListStack', [mapped, g.ints([3])], { element_dtype: attr.type('float32'), num_elements: attr.i(4) }, 'mapped');
  const thenFn = g.defineFunction('then', [['v', 'float32']], ['float32'], (body, [v]) => [
    body.node('Mul', [v, body.constant([2], [])], F),
  ]);
  const elseFn = g.defineFunction('else', [['v', 'float32']], ['float32'], (body, [v]) => [body.node('Neg', [v], F)]);
  const predicate = g.node('Greater', [g.node('Sum', [x, g.ints([0, 1])], { keep_dims: attr.b(false) }), g.scalar(0)], F);
  g.node(
    'StatelessIf',
    [predicate, accumulated],
    { then_branch: { func: { name: thenFn } }, else_branch: { func: { name: elseFn } } },
    'chosen',
  );
  g.node('Identity', ['chosen'], F, 'branch');
  return g.save();
}

describe('control flow: functional While and If', () => {
  it('functional While (with TensorLists read and filled through it) and If', async () => {
    const [functional, frames] = [await build(true), await build(false)];
    for (const [seed, low, high] of [
      [11, 0.1, 1],
      [12, -1, -0.1],
    ]) {
      const x = randomTensor([4, 3], seed, low, high);
      await expectGraphModelMatches(frames, { x });
      const { onnxPath } = await expectGraphModelMatches(functional, { x }, { reference: frames });
      const ops = await onnxOps(onnxPath);
      expect(ops.top).toEqual(expect.arrayContaining(['Loop', 'If']));
      // The filled list is a scan output and the read one a Gather: no sequence anywhere.
      expect(ops.all.filter((op) => /Sequence/.test(op))).toEqual([]);
    }
  });
});
