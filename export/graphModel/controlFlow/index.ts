/**
 * Control flow: the handler tables (While/If, TensorList, TensorArray), the ops lower.ts rewrites
 * away before conversion, and the rule that only list handlers may read a list.
 */
import { UnconvertibleModelError } from '../../errors.ts';
import type { NodeAttributes } from '../graphDef.ts';
import type { TfValue } from '../tfOps/constant.ts';
import type { TfOpTable } from '../tfOps/registry.ts';
import { convertIf } from './ifElse.ts';
import { isList } from './lists.ts';
import { tensorArrayOps } from './tensorArrayOps.ts';
import { tensorListOps } from './tensorListOps.ts';
import { convertWhile } from './whileLoop.ts';

export const controlFlowOps: TfOpTable = {
  While: convertWhile,
  StatelessWhile: convertWhile,
  If: convertIf,
  StatelessIf: convertIf,
};

export const listOps: TfOpTable = { ...tensorListOps, ...tensorArrayOps };

/** TF1 control-flow ops: lower.ts turns their frames and conditionals into While and If before conversion. */
export const LOWERED_CONTROL_FLOW_OPS = ['Enter', 'Exit', 'LoopCond', 'Merge', 'NextIteration', 'Switch'] as const;

/** Ops that take a list without looking inside: they hand it on. */
const PASS_THROUGH = new Set(['Identity', 'IdentityN', 'StopGradient', 'Snapshot', 'NoOp', ...Object.keys(controlFlowOps)]);

/** Any other op reading a list would take the sequence or handle for a tensor: refused, naming both. */
export function rejectListInputs(attrs: NodeAttributes, inputs: readonly TfValue[]): void {
  const op = attrs.node.op;
  if (PASS_THROUGH.has(op) || op in listOps) return;
  const index = inputs.findIndex(isList);
  if (index >= 0)
    throw new UnconvertibleModelError(`${attrs.label}: its input ${index} is a TensorList or TensorArray, which ${op} cannot read`);
}
