/**
 * Control flow in one form before conversion: TF1 loop frames (frames.ts) and Switch/Merge
 * conditionals (conditionals.ts) become functional While and If nodes with library-style
 * functions, the form TF2's functional ops already have, so whileLoop.ts and ifElse.ts convert
 * both alike. Conditionals inside the functions (a tf.cond in a loop body) are rebuilt there.
 */
import type { GraphDef } from '../graphDef.ts';
import { lowerConditionals } from './conditionals.ts';
import { lowerFrames } from './frames.ts';
import { loweredGraph } from './lowering.ts';

const CONDITIONAL_OPS = new Set(['Switch', 'Merge']);

export function lowerControlFlow(graphDef: GraphDef, source: string): GraphDef {
  const functions = new Map(graphDef.functions);
  const main = loweredGraph([...graphDef.nodes], functions);
  lowerFrames(main, source);
  lowerConditionals(main, source);
  for (const fn of [...functions.values()]) {
    if (!fn.nodes.some((node) => CONDITIONAL_OPS.has(node.op))) continue;
    const view = { ...main, nodes: [...fn.nodes] };
    lowerConditionals(view, source);
    functions.set(fn.name, { ...fn, nodes: view.nodes });
  }
  return { nodes: main.nodes, functions };
}
