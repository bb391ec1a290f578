/**
 * The q8 pass's rewrites, one node at a time (quantize.ts decides which node gets which form and
 * why): MatMul/Gemm as onnxruntime's dynamic quantization or its QDQ form, Conv as ConvInteger or
 * its QDQ form, and any weight as int8 restored to float32 by Cast × scale. Each appends its nodes
 * to the graph; the pass puts them where the node was.
 */
import { attr, type GraphBuilder, type GraphNode, type Initializer } from '../graph/graphBuilder.ts';
import { elementTypeCode } from '../onnx/dataTypes.ts';
import { quantizeInt8, transposeMatrix } from './int8Weights.ts';

export function intAttribute(node: GraphNode, key: string, fallback: number): number {
  const value = node.attributes[key];
  return value?.kind === 'int' ? value.value : fallback;
}

function floatAttribute(node: GraphNode, key: string, fallback: number): number {
  const value = node.attributes[key];
  return value?.kind === 'float' ? value.value : fallback;
}

interface MatMulPlan {
  /** The weight as MatMul's [K, N] (Gemm's transB undone). */
  kernel: Float32Array;
  k: number;
  n: number;
  /** Gemm's alpha, folded into the weight scales. */
  alpha: number;
  /** Gemm's C and beta, added after the product. */
  bias?: { name: string; beta: number };
}

/** A MatMul/Gemm as MatMul over a [K, N] weight, with Gemm's alpha, beta and C. */
export function matMulPlan(node: GraphNode, weight: Initializer): MatMulPlan {
  if (node.opType === 'MatMul') return { kernel: weight.values as Float32Array, k: weight.dims[0], n: weight.dims[1], alpha: 1 };
  const [rows, columns] = weight.dims;
  const transposed = intAttribute(node, 'transB', 0) !== 0;
  const kernel = transposed ? transposeMatrix(weight.values as Float32Array, rows, columns) : (weight.values as Float32Array);
  const bias = node.inputs[2] ? { name: node.inputs[2], beta: floatAttribute(node, 'beta', 1) } : undefined;
  return { kernel, k: transposed ? columns : rows, n: transposed ? rows : columns, alpha: floatAttribute(node, 'alpha', 1), bias };
}

/**
 * onnxruntime's dynamic MatMul, in the node order its quantizer writes (and its
 * MatMulIntegerToFloat/DynamicQuantizeMatMul fusions look for): Mul(Cast(MatMulInteger), Mul(scales)).
 */
export function emitIntegerMatMul(
  graph: GraphBuilder,
  node: GraphNode,
  plan: MatMulPlan,
  perChannel: boolean,
  constant: (name: string) => Initializer | undefined,
): void {
  const { values, scales } = quantizeInt8(plan.kernel, [plan.k, plan.n], perChannel ? 1 : undefined);
  const perColumn = scales.length > 1 ? [plan.n] : [];
  const weight = graph.initializer('kernel_quantized', [plan.k, plan.n], 'int8', values);
  // Symmetric weights have zero point 0 in every column: one scalar, which onnxruntime's integer
  // GEMM takes on a faster path than a per-column vector (measured ~5%), with the scales still per column.
  const weightZeroPoint = graph.initializer('kernel_zero_point', [], 'int8', new Int8Array(1));
  const weightScale = graph.floatConstant(
    'kernel_scale',
    perColumn,
    scales.map((s) => s * plan.alpha),
  );
  const [quantized, scale, zeroPoint] = graph.nodeWithOutputs('DynamicQuantizeLinear', [node.inputs[0]], 3);
  const accumulated = graph.node('MatMulInteger', [quantized, weight, zeroPoint, weightZeroPoint]);
  const asFloat = graph.node('Cast', [accumulated], { to: attr.int(elementTypeCode('float32')) });
  const combinedScale = graph.node('Mul', [scale, weightScale]);
  finishWithBias(graph, node.outputs[0], plan.bias && scaledBias(graph, plan.bias, constant), 'Mul', [asFloat, combinedScale]);
}

/** The QDQ form: float MatMul between dequantized activations and dequantized int8 weights. */
export function emitQdqMatMul(
  graph: GraphBuilder,
  node: GraphNode,
  plan: MatMulPlan,
  perChannel: boolean,
  constant: (name: string) => Initializer | undefined,
): void {
  const { values, scales } = quantizeInt8(plan.kernel, [plan.k, plan.n], perChannel ? 1 : undefined);
  const perColumn = scales.length > 1 ? [plan.n] : [];
  const weight = graph.node(
    'DequantizeLinear',
    [
      graph.initializer('kernel_quantized', [plan.k, plan.n], 'int8', values),
      graph.floatConstant(
        'kernel_scale',
        perColumn,
        scales.map((s) => s * plan.alpha),
      ),
      graph.initializer('kernel_zero_point', perColumn, 'int8', new Int8Array(scales.length)),
    ],
    perColumn.length ? { axis: attr.int(1) } : {},
  );
  const activations = graph.node('DequantizeLinear', graph.nodeWithOutputs('DynamicQuantizeLinear', [node.inputs[0]], 3));
  finishWithBias(graph, node.outputs[0], plan.bias && scaledBias(graph, plan.bias, constant), 'MatMul', [activations, weight]);
}

/** ConvInteger as onnxruntime's quantizer writes it: uint8 weights (int8 + 128, its kernels' type), float scale and bias after. */
export function emitIntegerConv(
  graph: GraphBuilder,
  node: GraphNode,
  weight: Initializer,
  perChannel: boolean,
  constant: (name: string) => Initializer | undefined,
): void {
  const channels = weight.dims[0];
  const { values, scales } = quantizeInt8(weight.values as Float32Array, weight.dims, perChannel ? 0 : undefined);
  const uint8Weight = graph.initializer(
    'kernel_quantized',
    weight.dims,
    'uint8',
    Uint8Array.from(values, (q) => q + 128),
  );
  // Symmetric weights shifted to uint8 share zero point 128 in every channel: one scalar, the only
  // form onnxruntime's ConvInteger takes (per-channel scales apply after, in the Mul).
  const zeroPoints = graph.initializer('kernel_zero_point', [], 'uint8', Uint8Array.of(128));
  const [quantized, scale, zeroPoint] = graph.nodeWithOutputs('DynamicQuantizeLinear', [node.inputs[0]], 3);
  const accumulated = graph.node('ConvInteger', [quantized, uint8Weight, zeroPoint, zeroPoints], node.attributes);
  const asFloat = graph.node('Cast', [accumulated], { to: attr.int(elementTypeCode('float32')) });
  const spatial = weight.dims.slice(2).map(() => 1);
  const combinedScale = graph.node('Mul', [
    scale,
    graph.floatConstant('kernel_scale', scales.length > 1 ? [channels, ...spatial] : [], scales),
  ]);
  const bias = node.inputs[2] ? constant(node.inputs[2])! : undefined;
  const channelBias = bias && graph.floatConstant('bias', [channels, ...spatial], bias.values as Float32Array);
  finishWithBias(graph, node.outputs[0], channelBias, 'Mul', [asFloat, combinedScale]);
}

/** The QDQ form of a Conv: float Conv between dequantized activations and dequantized int8 weights. */
export function emitQdqConv(graph: GraphBuilder, node: GraphNode, weight: Initializer, perChannel: boolean): void {
  const { values, scales } = quantizeInt8(weight.values as Float32Array, weight.dims, perChannel ? 0 : undefined);
  const perChannelDims = scales.length > 1 ? [weight.dims[0]] : [];
  const dequantizedWeight = graph.node(
    'DequantizeLinear',
    [
      graph.initializer('kernel_quantized', weight.dims, 'int8', values),
      graph.floatConstant('kernel_scale', perChannelDims, scales),
      graph.initializer('kernel_zero_point', perChannelDims, 'int8', new Int8Array(scales.length)),
    ],
    perChannelDims.length ? { axis: attr.int(0) } : {},
  );
  const activations = graph.node('DequantizeLinear', graph.nodeWithOutputs('DynamicQuantizeLinear', [node.inputs[0]], 3));
  graph.nodeWithOutputName('Conv', [activations, dequantizedWeight, ...node.inputs.slice(2)], node.outputs[0], node.attributes);
}

/** Emits the product `opType(inputs)`, named `output` when there is no bias, else followed by the bias Add that takes the output's name. */
function finishWithBias(graph: GraphBuilder, output: string, bias: string | undefined, opType: string, inputs: string[]): void {
  if (!bias) graph.nodeWithOutputName(opType, inputs, output);
  else graph.nodeWithOutputName('Add', [graph.node(opType, inputs), bias], output);
}

function scaledBias(
  graph: GraphBuilder,
  bias: { name: string; beta: number },
  constant: (name: string) => Initializer | undefined,
): string {
  if (bias.beta === 1) return bias.name;
  const stored = constant(bias.name);
  if (stored?.dataType === 'float32')
    return graph.floatConstant(
      'bias_scaled',
      stored.dims,
      (stored.values as Float32Array).map((v) => v * bias.beta),
    );
  return graph.node('Mul', [bias.name, graph.scalar('beta', bias.beta)]);
}

/** int8 weights with one scale per slice of `axis` (or one in all), restored to float32 by Cast × scales (folded at load). */
export function emitInt8Weight(graph: GraphBuilder, weight: Initializer, axis: number | undefined): string {
  const { values, scales } = quantizeInt8(weight.values as Float32Array, weight.dims, axis);
  const scaleDims = axis === undefined ? [] : weight.dims.map((size, i) => (i === axis ? size : 1));
  const stored = graph.initializer(`${baseName(weight.name)}_quantized`, weight.dims, 'int8', values);
  const asFloat = graph.node('Cast', [stored], { to: attr.int(elementTypeCode('float32')) });
  return graph.node('Mul', [asFloat, graph.floatConstant(`${baseName(weight.name)}_scale`, scaleDims, scales)]);
}

function baseName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}
