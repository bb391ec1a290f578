/**
 * TF ops that tfjs-converter can run but this converter does not convert, each with the reason.
 * The README lists them beside the supported ones, and a graph using one is refused with its
 * reason; a test checks that every op in tfjs-converter's op list is either handled or here.
 */

export interface NotConvertedGroup {
  reason: string;
  ops: readonly string[];
}

export const notConvertedTfOps: readonly NotConvertedGroup[] = [
  { reason: 'ONNX (up to opset 17) has no cumulative product, and exp(cumsum(log x)) is not exact', ops: ['Cumprod'] },
  { reason: 'complex tensors: the converted graph has no complex dtype (and ONNX DFT starts at opset 17)', ops: ['Complex', 'ComplexAbs', 'FFT', 'IFFT', 'IRFFT', 'Imag', 'RFFT', 'Real'] },
  { reason: 'random numbers: onnxruntime cannot reproduce tfjs\'s generator', ops: ['Multinomial', 'RandomStandardNormal', 'RandomUniform', 'RandomUniformInt', 'TruncatedNormal'] },
  { reason: 'tfjs-converter passes the input through where TensorFlow rounds it to the quantization grid, so either conversion disagrees with one of them', ops: ['FakeQuantWithMinMaxVars'] },
  { reason: 'ONNX BitwiseAnd needs opset 18; the converter writes opsets 13–17', ops: ['BitwiseAnd'] },
  { reason: 'ONNX GridSample (opset 16) would need the projective grid built in the graph and has only some of TensorFlow\'s fill modes', ops: ['ImageProjectiveTransformV3'] },
  { reason: 'hash tables, string processing and ragged or sparse tensors have no standard ONNX ops (up to opset 17)', ops: [
    'HashTable', 'HashTableV2', 'InitializeTable', 'InitializeTableV2', 'LookupTableFind', 'LookupTableFindV2', 'LookupTableImport', 'LookupTableImportV2', 'LookupTableSize', 'LookupTableSizeV2',
    'StaticRegexReplace', 'StringNGrams', 'StringSplit', 'StringToHashBucketFast',
    'RaggedGather', 'RaggedRange', 'RaggedTensorToTensor', 'SparseFillEmptyRows', 'SparseReshape', 'SparseSegmentMean', 'SparseSegmentSum',
  ] },
  { reason: 'TensorFlow Decision Forests models run a custom inference kernel', ops: ['SimpleMLCreateModelResource', 'SimpleMLInferenceOpWithHandle', 'SimpleMLLoadModelFromPathWithHandle'] },
  { reason: 'names only tfjs-converter uses; TensorFlow graphs have DepthwiseConv2dNative, Fill, and Conv1D as ExpandDims → Conv2D → Squeeze, which convert', ops: ['Conv1D', 'DepthwiseConv2d', 'Ones', 'Zeros'] },
];

const reasons = new Map(notConvertedTfOps.flatMap((group) => group.ops.map((op) => [op, group.reason] as const)));

export function notConvertedReason(op: string): string | undefined {
  return reasons.get(op);
}
