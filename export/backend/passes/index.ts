/** Graph clean-up passes, run to a fixed point after conversion, inside subgraphs first. */
import type { GraphBuilder } from '../graph/graphBuilder.ts';
import { subgraphsOf } from '../graph/subgraphs.ts';
import { removeDeadNodes } from './deadNodes.ts';
import { mergeDuplicateInitializers } from './duplicateInitializers.ts';
import { removeIdentities } from './identities.ts';
import { foldTransposesIntoWeights } from './flattenTransposes.ts';
import { mergeConsecutiveTransposes } from './transposes.ts';
import { reshapeUnitAxisTransposes } from './unitAxisTransposes.ts';

const passes = [
  mergeConsecutiveTransposes,
  foldTransposesIntoWeights,
  reshapeUnitAxisTransposes,
  removeIdentities,
  removeDeadNodes,
  mergeDuplicateInitializers,
];

export function optimizeGraph(graph: GraphBuilder): void {
  // A subgraph's clean-up can only drop reads of outer values, which the outer passes then see.
  for (const node of graph.nodes) for (const subgraph of subgraphsOf(node)) optimizeGraph(subgraph);
  for (let round = 0; round < 10; round++) {
    let changed = false;
    for (const pass of passes) changed = pass(graph) || changed;
    if (!changed) return;
  }
}
