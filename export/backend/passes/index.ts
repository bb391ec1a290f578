/** Graph clean-up passes, run to a fixed point after conversion. */
import type { GraphBuilder } from '../graph/graphBuilder.ts';
import { removeDeadNodes } from './deadNodes.ts';
import { mergeDuplicateInitializers } from './duplicateInitializers.ts';
import { removeIdentities } from './identities.ts';
import { foldTransposesIntoWeights } from './flattenTransposes.ts';
import { mergeConsecutiveTransposes } from './transposes.ts';
import { reshapeUnitAxisTransposes } from './unitAxisTransposes.ts';

const passes = [mergeConsecutiveTransposes, foldTransposesIntoWeights, reshapeUnitAxisTransposes, removeIdentities, removeDeadNodes, mergeDuplicateInitializers];

export function optimizeGraph(graph: GraphBuilder): void {
  for (let round = 0; round < 10; round++) {
    let changed = false;
    for (const pass of passes) changed = pass(graph) || changed;
    if (!changed) return;
  }
}
