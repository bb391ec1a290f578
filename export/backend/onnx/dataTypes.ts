/**
 * ONNX element types by their TensorProto.DataType codes, as the official onnx.proto numbers
 * them (read from onnx-proto, never written out by hand): for initializers, value infos and
 * Cast's `to`.
 */
import onnxProto from 'onnx-proto';
import type { ElementType } from '../graph/graphBuilder.ts';

const { DataType } = onnxProto.onnx.TensorProto;

export const elementTypeCodes: Readonly<Record<ElementType, number>> = {
  float32: DataType.FLOAT,
  float16: DataType.FLOAT16,
  float64: DataType.DOUBLE,
  int8: DataType.INT8,
  uint8: DataType.UINT8,
  int16: DataType.INT16,
  uint16: DataType.UINT16,
  int32: DataType.INT32,
  int64: DataType.INT64,
  bool: DataType.BOOL,
  string: DataType.STRING,
};

const elementTypesByCode = new Map(Object.entries(elementTypeCodes).map(([name, code]) => [code, name as ElementType]));

/** The ONNX TensorProto.DataType code of an element type. */
export function elementTypeCode(type: ElementType): number {
  return elementTypeCodes[type];
}

/** The element type a TensorProto.DataType code stands for (undefined for types the converter never writes). */
export function elementTypeOfCode(code: number): ElementType | undefined {
  return elementTypesByCode.get(code);
}
