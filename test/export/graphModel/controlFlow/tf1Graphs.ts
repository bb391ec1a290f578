/**
 * Control-flow graphs as TensorFlow 1 writes them, for the tests: a tf.while_loop frame and a
 * tf.cond Switch/Merge pair built into a GraphModelBuilder, and the op types of a converted file
 * with its Loop bodies and If branches.
 */
import { readFile } from 'node:fs/promises';
import onnxProto from 'onnx-proto';
import { type GraphModelBuilder, attr } from '../harness.ts';

export const F = { T: attr.type('float32') };
export const I = { T: attr.type('int32') };

/**
 * A TF1 while loop as tf.while_loop writes it: per variable Enter → Merge ← NextIteration, the
 * condition on the Merges into LoopCond, Switch(Merge, LoopCond) whose true side feeds the body
 * (through an Identity) and whose false side leaves through Exit. `invariants` enter with
 * is_constant. Returns the Exits.
 */
export function whileLoop(
  g: GraphModelBuilder,
  frame: string,
  initial: string[],
  cond: (vars: string[], invariants: string[]) => string,
  body: (vars: string[], invariants: string[]) => string[],
  invariants: string[] = [],
): string[] {
  const frameAttrs = (constant: boolean) => ({ frame_name: attr.s(frame), is_constant: attr.b(constant), parallel_iterations: attr.i(10) });
  const enters = initial.map((value, k) => g.node('Enter', [value], frameAttrs(false), `${frame}/Enter_${k}`));
  const constants = invariants.map((value, k) => g.node('Enter', [value], frameAttrs(true), `${frame}/Enter_invariant_${k}`));
  const merges = enters.map((enter, k) => g.node('Merge', [enter, `${frame}/NextIteration_${k}`], {}, `${frame}/Merge_${k}`));
  const loopCond = g.node('LoopCond', [cond(merges, constants)], {}, `${frame}/LoopCond`);
  const switches = merges.map((merge, k) => g.node('Switch', [merge, loopCond], {}, `${frame}/Switch_${k}`));
  const inside = switches.map((s, k) => g.node('Identity', [`${s}:1`], {}, `${frame}/Identity_${k}`));
  body(inside, constants).forEach((next, k) => {
    g.node('NextIteration', [next], {}, `${frame}/NextIteration_${k}`);
  });
  return switches.map((s, k) => g.node('Exit', [`${s}:0`], {}, `${frame}/Exit_${k}`));
}

/** tf.cond's Switch/Merge form: `value` switched on `predicate`, each branch computed from its side. */
export function conditional(
  g: GraphModelBuilder,
  scope: string,
  predicate: string,
  value: string,
  whenTrue: (v: string) => string,
  whenFalse: (v: string) => string,
): string {
  const switched = g.node('Switch', [value, predicate], {}, `${scope}/Switch`);
  return g.node('Merge', [whenFalse(`${switched}:0`), whenTrue(`${switched}:1`)], {}, `${scope}/Merge`);
}

export const increment = (g: GraphModelBuilder, i: string) => g.node('AddV2', [i, g.scalarInt(1)], I);

/** Every op type in the ONNX file, subgraphs (Loop bodies, If branches) included. */
export async function onnxOps(onnxPath: string): Promise<{ top: string[]; all: string[] }> {
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
