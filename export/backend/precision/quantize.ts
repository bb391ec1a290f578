/**
 * The q8 pass: int8 weights, in the forms that measured fastest on onnxruntime-node and
 * onnxruntime-web (bench/sections/precision/measure.ts compares them side by side;
 * bench/cpuTime.ts does the same in CPU time, which holds on a busy machine).
 *
 * - MatMul and Gemm with a constant weight become onnxruntime's dynamic quantization:
 *   DynamicQuantizeLinear (the activations to uint8 with a scale computed per call) → MatMulInteger
 *   with int8 weights (scales per output column, one zero point) → Cast → × (activation scale ·
 *   weight scales) [→ + bias]. onnxruntime fuses the chain into one DynamicQuantizeMatMul kernel:
 *   ~1.6–2× fp32's images/s at batch 32 and 256 on both backends; at batch 1 the per-call
 *   quantization of the activations costs about what the integer GEMM saves (slower on wasm).
 * - Conv, ConvTranspose and Gather keep float compute over int8 weights that a Cast and a Mul turn
 *   back into float32. onnxruntime folds those constant nodes at load, so the model runs at fp32's
 *   speed from a quarter of the bytes. ConvInteger (what onnxruntime's dynamic quantizer writes
 *   for Conv) ran at 0.6–0.7× fp32 on onnxruntime-node (1.2× on onnxruntime-web at batch ≥ 32);
 *   the form kept here is never slower than fp32 on either. The QDQ forms are slowest:
 *   DequantizeLinear on weights is executed on every run, never folded.
 *
 * The QLinear* forms need the output's scale before it is computed, i.e. calibration on sample
 * data: static quantization, which a converter without data cannot do.
 */
import { attr, type GraphBuilder, type GraphNode, type Initializer } from '../graph/graphBuilder.ts';
import { removeDeadNodes } from '../passes/deadNodes.ts';
import { elementTypeCode } from '../onnx/dataTypes.ts';
import { inferElementTypes } from './elementTypes.ts';
import { quantizeInt8, transposeMatrix } from './int8Weights.ts';

export interface QuantizeSummary {
  /** MatMul/Gemm nodes with int8 weights (in the form `forms.matMul`). */
  quantizedMatMuls: number;
  /** Conv/ConvTranspose/Gather nodes with int8 weights. */
  quantizedWeightNodes: number;
  /** Nodes with constant float weights left as they were, with why. */
  unchanged: { opType: string; name: string; reason: string }[];
}

/**
 * The forms the pass can write. The defaults are the measured fastest; the others exist so the
 * benchmark can measure them side by side (bench/sections/precision/measure.ts).
 * - integer: DynamicQuantizeLinear + MatMulInteger / ConvInteger (onnxruntime's QOperator format)
 * - qdq: DynamicQuantizeLinear → DequantizeLinear on the activations, DequantizeLinear on the weights,
 *   float MatMul/Conv (the QDQ format, which onnxruntime turns into integer kernels where it can)
 * - int8-weights: int8 weights restored by Cast × scale, which onnxruntime folds at load; float compute
 */
export type QuantizedForm = 'integer' | 'qdq' | 'int8-weights';
export interface QuantizeForms {
  matMul: QuantizedForm;
  conv: QuantizedForm;
  /** One weight scale per output channel rather than per tensor. */
  perChannel: boolean;
}

export const DEFAULT_QUANTIZE_FORMS: QuantizeForms = { matMul: 'integer', conv: 'int8-weights', perChannel: true };

/** Ops whose weight input (by index) is quantized; only MatMul/Gemm and Conv have integer and QDQ forms. */
const WEIGHT_INPUT: Readonly<Record<string, number>> = { MatMul: 1, Gemm: 1, Conv: 1, ConvTranspose: 1, Gather: 0 };

export function quantizeToInt8(graph: GraphBuilder, forms: QuantizeForms = DEFAULT_QUANTIZE_FORMS): QuantizeSummary {
  const types = inferElementTypes(graph);
  const initializers = new Map(graph.initializers.map((initializer) => [initializer.name, initializer]));
  const constant = (name: string | undefined) => (name ? initializers.get(name) : undefined);
  const summary: QuantizeSummary = { quantizedMatMuls: 0, quantizedWeightNodes: 0, unchanged: [] };
  const restoredWeights = new Map<string, string>();
  const layerBefore = graph.currentLayer;

  for (const node of [...graph.nodes]) {
    if (!(node.opType in WEIGHT_INPUT)) continue;
    const index = WEIGHT_INPUT[node.opType];
    const weight = constant(node.inputs[index]);
    if (weight?.dataType !== 'float32') continue;
    graph.currentLayer = node.layerName;
    const isMatMul = node.opType === 'MatMul' || node.opType === 'Gemm';
    const form = isMatMul ? forms.matMul : node.opType === 'Conv' ? forms.conv : 'int8-weights';
    if (form !== 'int8-weights' || isMatMul) {
      const reason =
        activationProblem(node, types, constant) ?? (isMatMul ? matMulProblem(node, weight) : convProblem(node, weight, constant, form));
      if (reason) {
        summary.unchanged.push({ opType: node.opType, name: node.name, reason });
        continue;
      }
    }
    if (form === 'int8-weights') {
      let restored = restoredWeights.get(weight.name);
      if (restored === undefined) {
        // The restoring Cast and Mul depend on initializers only: they go first in the graph.
        const start = graph.nodes.length;
        restored = emitInt8Weight(graph, weight, weightAxis(node, weight, forms.perChannel));
        graph.nodes.unshift(...graph.nodes.splice(start));
        restoredWeights.set(weight.name, restored);
      }
      node.inputs[index] = restored;
    } else if (isMatMul) {
      const plan = matMulPlan(node, weight);
      replaceNode(graph, node, () =>
        (form === 'integer' ? emitIntegerMatMul : emitQdqMatMul)(graph, node, plan, forms.perChannel, constant),
      );
    } else {
      replaceNode(graph, node, () => (form === 'integer' ? emitIntegerConv : emitQdqConv)(graph, node, weight, forms.perChannel, constant));
    }
    if (isMatMul) summary.quantizedMatMuls++;
    else summary.quantizedWeightNodes++;
  }
  graph.currentLayer = layerBefore;
  removeDeadNodes(graph);
  return summary;
}

/** Dynamic quantization needs float activations computed at run time as the first input. */
function activationProblem(
  node: GraphNode,
  types: Map<string, string>,
  constant: (name: string) => Initializer | undefined,
): string | undefined {
  if (types.get(node.inputs[0]) !== 'float32') return 'its activations are not float32';
  if (constant(node.inputs[0])) return 'its first input is a constant, not activations';
  return undefined;
}

function matMulProblem(node: GraphNode, weight: Initializer): string | undefined {
  if (weight.dims.length !== 2) return `its weight has rank ${weight.dims.length}, not a matrix`;
  if (node.opType === 'Gemm' && intAttribute(node, 'transA', 0) !== 0) return 'transA=1 (its activations are transposed)';
  return undefined;
}

function convProblem(
  node: GraphNode,
  weight: Initializer,
  constant: (name: string) => Initializer | undefined,
  form: QuantizedForm,
): string | undefined {
  if (form === 'integer' && node.inputs[2] && constant(node.inputs[2])?.dataType !== 'float32') return 'its bias is not a float constant';
  return weight.dims.length < 3 ? `its weight has rank ${weight.dims.length}` : undefined;
}

/** The axis that holds output channels: a Conv's first, a MatMul's last, a transposed Gemm's first; Gather's rows. */
function weightAxis(node: GraphNode, weight: Initializer, perChannel: boolean): number | undefined {
  if (!perChannel || weight.dims.length === 0) return undefined;
  if (node.opType === 'MatMul') return weight.dims.length - 1;
  if (node.opType === 'Gemm') return intAttribute(node, 'transB', 0) !== 0 ? 0 : 1;
  return 0;
}

function intAttribute(node: GraphNode, key: string, fallback: number): number {
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
function matMulPlan(node: GraphNode, weight: Initializer): MatMulPlan {
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
function emitIntegerMatMul(
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
  finishWithBias(graph, node.outputs[0], plan.bias && scaledBias(graph, plan.bias, constant), (output) =>
    output ? graph.nodeWithOutputName('Mul', [asFloat, combinedScale], output) : graph.node('Mul', [asFloat, combinedScale]),
  );
}

/** The QDQ form: float MatMul between dequantized activations and dequantized int8 weights. */
function emitQdqMatMul(
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
  finishWithBias(graph, node.outputs[0], plan.bias && scaledBias(graph, plan.bias, constant), (output) =>
    output ? graph.nodeWithOutputName('MatMul', [activations, weight], output) : graph.node('MatMul', [activations, weight]),
  );
}

/** ConvInteger as onnxruntime's quantizer writes it: uint8 weights (int8 + 128, its kernels' type), float scale and bias after. */
function emitIntegerConv(
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
  finishWithBias(graph, node.outputs[0], channelBias, (output) =>
    output ? graph.nodeWithOutputName('Mul', [asFloat, combinedScale], output) : graph.node('Mul', [asFloat, combinedScale]),
  );
}

/** The QDQ form of a Conv: float Conv between dequantized activations and dequantized int8 weights. */
function emitQdqConv(graph: GraphBuilder, node: GraphNode, weight: Initializer, perChannel: boolean): void {
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

/** Emits the product (named `output` when there is no bias) and the bias Add that then takes the output's name. */
function finishWithBias(graph: GraphBuilder, output: string, bias: string | undefined, product: (output?: string) => string | void): void {
  if (!bias) {
    product(output);
    return;
  }
  graph.nodeWithOutputName('Add', [product() as string, bias], output);
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
function emitInt8Weight(graph: GraphBuilder, weight: Initializer, axis: number | undefined): string {
  const { values, scales } = quantizeInt8(weight.values as Float32Array, weight.dims, axis);
  const scaleDims = axis === undefined ? [] : weight.dims.map((size, i) => (i === axis ? size : 1));
  const stored = graph.initializer(`${baseName(weight.name)}_quantized`, weight.dims, 'int8', values);
  const asFloat = graph.node('Cast', [stored], { to: attr.int(elementTypeCode('float32')) });
  return graph.node('Mul', [asFloat, graph.floatConstant(`${baseName(weight.name)}_scale`, scaleDims, scales)]);
}

function baseName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/** Swaps `node` for the nodes `emit` appends, at the node's place in the order. */
function replaceNode(graph: GraphBuilder, node: GraphNode, emit: () => void): void {
  const start = graph.nodes.length;
  emit();
  const created = graph.nodes.splice(start);
  graph.nodes.splice(graph.nodes.indexOf(node), 1, ...created);
}
