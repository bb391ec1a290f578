/**
 * Values crossing into a subgraph. A value remembers the ONNX names of the layouts and
 * initializers made for it (`views`); those made inside a Loop body or an If branch exist only
 * there. So a value read by a subgraph is imported as a copy that starts with the views made so
 * far (ONNX lets a subgraph read the outer graph's names: outer-scope capture), while the views
 * the subgraph adds stay with the copy.
 */
import { tensorValue } from '../../backend/graph/tensorValue.ts';
import { isConstant, type ConstantTensor, type TfValue } from '../tfOps/constant.ts';
import { knownValues, setKnownValues } from '../tfOps/partialValues.ts';
import { isList, type ListValue } from './lists.ts';

/** The same constant with no initializers made yet. */
export function copyConstant(constant: ConstantTensor): ConstantTensor {
  return { ...constant, views: new Map() };
}

/** `value` as a subgraph may use it: the outer graph's names for it, and a views map of its own. */
export function importValue(value: TfValue): TfValue {
  if (isConstant(value)) return { ...value, views: new Map(value.views) };
  if (isList(value)) {
    const copy: ListValue = { ...value, views: new Map(value.views) };
    return copy;
  }
  const copy = tensorValue(value.onnxName, value.shape, value.perm, value.dtype);
  for (const [key, name] of value.views) copy.views.set(key, name);
  const known = knownValues(value);
  return known ? setKnownValues(copy, known) : copy;
}
