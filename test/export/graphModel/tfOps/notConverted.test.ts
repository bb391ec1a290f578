/**
 * The not-converted list names, where one exists, the newer ONNX opset that has an op: the claim
 * must stay true, so once the converter writes that opset the op needs a handler instead.
 */
import { describe, expect, it } from 'vitest';
import { notConvertedReason, notConvertedTfOps } from '../../../../export/graphModel/tfOps/notConverted.ts';
import { MAX_OPSET } from '../../../../export/options.ts';

describe('ops not converted', () => {
  const withOnnxForm = notConvertedTfOps.filter((group) => group.onnxForm);

  it('name BitwiseAnd (opset 18), StringSplit (opset 20) and Cumprod (CumProd, opset 26) with the opset that has them', () => {
    expect(Object.fromEntries(withOnnxForm.flatMap((group) => group.ops.map((op) => [op, group.onnxForm])))).toEqual({
      BitwiseAnd: { operator: 'BitwiseAnd', opset: 18 },
      StringSplit: { operator: 'StringSplit', opset: 20 },
      Cumprod: { operator: 'CumProd', opset: 26 },
    });
  });

  it('each such opset is above the ones the converter writes, and the reason a user reads says which', () => {
    for (const group of withOnnxForm) {
      const { operator, opset } = group.onnxForm!;
      expect(opset, `${operator}: the converter writes opset ${MAX_OPSET} now, so convert ${group.ops.join(', ')}`).toBeGreaterThan(
        MAX_OPSET,
      );
      for (const op of group.ops) expect(notConvertedReason(op)).toContain(`ONNX ${operator} arrives in opset ${opset}`);
    }
  });
});
