/**
 * TF ops that tfjs-converter can run but this converter does not convert, each with the reason.
 * The README lists them beside the supported ones, and a graph using one is refused with its
 * reason; a test checks that every op in tfjs-converter's op list is either handled or here.
 * Where a newer ONNX opset than the converter writes (13–17, export/options.ts) has the op, the
 * group names it and that opset (ONNX's operator_sets.h), so it is clear what writing that opset
 * would take.
 */

export interface NotConvertedGroup {
  reason: string;
  ops: readonly string[];
  /** The ONNX operator that expresses these ops in an opset above the converter's, and the first such opset. */
  onnxForm?: { operator: string; opset: number };
}

export const notConvertedTfOps: readonly NotConvertedGroup[] = [
  {
    reason:
      'ONNX CumProd arrives in opset 26; up to opset 17 there is no cumulative product, and exp(cumsum(log x)) is not exact (and fails on zeros and negative values)',
    ops: ['Cumprod'],
    onnxForm: { operator: 'CumProd', opset: 26 },
  },
  {
    reason:
      'complex tensors: the converted graph has no complex dtype to carry them (ONNX DFT, opset 17, and its opset 20 form take and give real [..., 2] pairs instead)',
    ops: ['Complex', 'ComplexAbs', 'FFT', 'IFFT', 'IRFFT', 'Imag', 'RFFT', 'Real'],
  },
  {
    reason:
      "random numbers: ONNX has RandomNormal, RandomUniform (opset 1) and Multinomial (opset 7), but onnxruntime cannot reproduce tfjs's generator",
    ops: ['Multinomial', 'RandomStandardNormal', 'RandomUniform', 'RandomUniformInt', 'TruncatedNormal'],
  },
  {
    reason:
      'tfjs-converter passes the input through where TensorFlow rounds it to the quantization grid, so either conversion disagrees with one of them',
    ops: ['FakeQuantWithMinMaxVars'],
  },
  {
    reason: 'ONNX BitwiseAnd arrives in opset 18; the converter writes opsets 13–17',
    ops: ['BitwiseAnd'],
    onnxForm: { operator: 'BitwiseAnd', opset: 18 },
  },
  {
    reason:
      "ONNX GridSample (opset 16; N-d from opset 20) would need the projective grid built in the graph, and has neither TensorFlow's wrap fill mode nor a constant fill other than 0",
    ops: ['ImageProjectiveTransformV3'],
  },
  {
    reason:
      "hash tables are filled at load time by a separate initializer graph (a model with a modelInitializer is refused); ONNX's lookup, LabelEncoder, sits in the ai.onnx.ml domain (ML opset 1; tensor keys and values from ML opset 4), which the converter does not write",
    ops: [
      'HashTable',
      'HashTableV2',
      'InitializeTable',
      'InitializeTableV2',
      'LookupTableFind',
      'LookupTableFindV2',
      'LookupTableImport',
      'LookupTableImportV2',
      'LookupTableSize',
      'LookupTableSizeV2',
    ],
  },
  {
    reason: "ONNX StringSplit arrives in opset 20 and pads its result to a dense tensor, where TensorFlow's gives a sparse one",
    ops: ['StringSplit'],
    onnxForm: { operator: 'StringSplit', opset: 20 },
  },
  {
    reason:
      'no ONNX op (up to opset 28): ONNX has RegexFullMatch (opset 20) but no regex replace, TfIdfVectorizer (opset 9) counts n-grams but does not build them, and no string hash',
    ops: ['StaticRegexReplace', 'StringNGrams', 'StringToHashBucketFast'],
  },
  {
    reason: 'ragged and sparse tensors have no ONNX representation (up to opset 28)',
    ops: [
      'RaggedGather',
      'RaggedRange',
      'RaggedTensorToTensor',
      'SparseFillEmptyRows',
      'SparseReshape',
      'SparseSegmentMean',
      'SparseSegmentSum',
    ],
  },
  {
    reason: 'TensorFlow Decision Forests models run a custom inference kernel',
    ops: ['SimpleMLCreateModelResource', 'SimpleMLInferenceOpWithHandle', 'SimpleMLLoadModelFromPathWithHandle'],
  },
  {
    reason:
      'names only tfjs-converter uses; TensorFlow graphs have DepthwiseConv2dNative, Fill, and Conv1D as ExpandDims → Conv2D → Squeeze, which convert',
    ops: ['Conv1D', 'DepthwiseConv2d', 'Ones', 'Zeros'],
  },
];

const reasons = new Map(notConvertedTfOps.flatMap((group) => group.ops.map((op) => [op, group.reason] as const)));

export function notConvertedReason(op: string): string | undefined {
  return reasons.get(op);
}
