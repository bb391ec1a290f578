/** The TF-op registry: every family's table merged (README's op list is generated from it). */
import { LOWERED_CONTROL_FLOW_OPS, controlFlowOps, listOps } from '../controlFlow/index.ts';
import { activationOps } from './activations.ts';
import { arithmeticOps } from './arithmetic.ts';
import { convolutionOps } from './convolution.ts';
import { detectionOps } from './detection.ts';
import { fillingOps } from './filling.ts';
import { gatheringOps } from './gathering.ts';
import { identityOps } from './identity.ts';
import { imageOps } from './image.ts';
import { joiningOps } from './joining.ts';
import { matrixOps } from './matrix.ts';
import { normalizationOps } from './normalization.ts';
import { paddingOps } from './padding.ts';
import { poolingOps } from './pooling.ts';
import { reductionOps } from './reductions.ts';
import type { TfOpHandler, TfOpTable } from './registry.ts';
import { reshapingOps } from './reshaping.ts';
import { scatterOps } from './scatter.ts';
import { setOps } from './sets.ts';
import { shapeOps } from './shapes.ts';
import { slicingOps } from './slicing.ts';

export type { TfOpHandler, TfOpTable } from './registry.ts';

/** Families in the order the README lists them, with the heading it uses. */
export const tfOpFamilies: readonly { title: string; ops: TfOpTable; lowered?: readonly string[] }[] = [
  { title: 'identities and casts', ops: identityOps },
  { title: 'shapes', ops: shapeOps },
  { title: 'filled tensors and ranges', ops: fillingOps },
  { title: 'reshaping, transposing, tiling', ops: reshapingOps },
  { title: 'padding', ops: paddingOps },
  { title: 'joining and splitting', ops: joiningOps },
  { title: 'slicing and reversing', ops: slicingOps },
  { title: 'gathering and selecting', ops: gatheringOps },
  { title: 'scattering, one-hot', ops: scatterOps },
  { title: 'arithmetic, comparison, logic', ops: arithmeticOps },
  { title: 'activations', ops: activationOps },
  { title: 'convolution', ops: convolutionOps },
  { title: 'matrices', ops: matrixOps },
  { title: 'normalization', ops: normalizationOps },
  { title: 'pooling', ops: poolingOps },
  { title: 'reductions, cumulative sums', ops: reductionOps },
  { title: 'sets, counts, sorted search', ops: setOps },
  { title: 'image', ops: imageOps },
  { title: 'detection', ops: detectionOps },
  // The TF1 frame and conditional ops are rewritten into While and If before conversion.
  { title: 'control flow', ops: controlFlowOps, lowered: LOWERED_CONTROL_FLOW_OPS },
  { title: 'TensorLists, TensorArrays', ops: listOps },
];

const handlers = new Map<string, TfOpHandler>(tfOpFamilies.flatMap((family) => Object.entries(family.ops)));

/** Ops the graph reader handles itself: graph inputs and constants. */
export const GRAPH_SOURCE_OPS = ['Placeholder', 'Const'] as const;

export function tfOpHandler(op: string): TfOpHandler | undefined {
  return handlers.get(op);
}

export function supportedTfOps(): string[] {
  return [...GRAPH_SOURCE_OPS, ...LOWERED_CONTROL_FLOW_OPS, ...handlers.keys()].sort();
}
