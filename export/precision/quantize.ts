/**
 * The q8 pass: int8 weights, in the forms that measured fastest on onnxruntime-node and
 * onnxruntime-web (bench/sections/precision.ts compares them; bench/README.md has the figures).
 *
 * - MatMul and Gemm with a constant weight become onnxruntime's dynamic quantization:
 *   DynamicQuantizeLinear (the activations to uint8 with a scale computed per call) → MatMulInteger
 *   with the int8 weights → Cast → × (activation scale · weight scales) [→ + bias]. onnxruntime fuses
 *   this chain into one DynamicQuantizeMatMul kernel, an integer GEMM that beats the float one.
 * - Conv, ConvTranspose and Gather keep float compute and store their weights as int8 that a
 *   Cast and a Mul turn back into float32. onnxruntime folds those two constant nodes at load, so
 *   the model runs at float32 speed from a quarter of the bytes. ConvInteger (the integer Conv
 *   onnxruntime's dynamic quantizer emits) runs slower than float Conv on both backends, and
 *   DequantizeLinear on weights is not folded but executed on every run.
 *
 * The QLinear* forms need the output's scale before it is computed, i.e. calibration on sample
 * data: static quantization, which a converter without data cannot do.
 */
import { attr, type GraphBuilder, type GraphNode, type Initializer } from '../graph/graphBuilder.ts';
import { removeDeadNodes } from '../passes/deadNodes.ts';
import { elementTypeCode, inferElementTypes } from './elementTypes.ts';
import { quantizeInt8, transposeMatrix } from './int8Weights.ts';

export interface QuantizeSummary {
  /** MatMul/Gemm nodes now running as dynamically quantized integer matmuls. */
  integerMatMuls: number;
  /** Conv/ConvTranspose/Gather nodes whose weights are stored as int8. */
  int8WeightNodes: number;
  /** Float nodes with constant weights left as they were, by op type, with why. */
  unchanged: { opType: string; name: string; reason: string }[];
}

/** Weight scales per output column of MatMul (per channel), onnxruntime's per_channel option. */
const PER_CHANNEL = true;

/** Ops whose first/second input is a weight that is stored as int8 and dequantized at load. */
const WEIGHT_ONLY_INPUT: Readonly<Record<string, number>> = { Conv: 1, ConvTranspose: 1, Gather: 0 };

export function quantizeToInt8(graph: GraphBuilder): QuantizeSummary {
  const types = inferElementTypes(graph);
  const initializers = new Map(graph.initializers.map((initializer) => [initializer.name, initializer]));
  const constant = (name: string | undefined) => (name ? initializers.get(name) : undefined);
  const floatConstant = (name: string | undefined) => {
    const initializer = constant(name);
    return initializer?.dataType === 'float32' ? initializer : undefined;
  };
  const summary: QuantizeSummary = { integerMatMuls: 0, int8WeightNodes: 0, unchanged: [] };
  const dequantized = new Map<string, string>();
  const layerBefore = graph.currentLayer;

  for (const node of [...graph.nodes]) {
    graph.currentLayer = node.layerName;
    if (node.opType === 'MatMul' || node.opType === 'Gemm') {
      const weight = floatConstant(node.inputs[1]);
      if (!weight || types.get(node.inputs[0]) !== 'float32' || constant(node.inputs[0])) continue;
      const plan = matMulPlan(node, weight);
      if (typeof plan === 'string') {
        summary.unchanged.push({ opType: node.opType, name: node.name, reason: plan });
        continue;
      }
      replaceNode(graph, node, () => emitDynamicMatMul(graph, node, plan, constant));
      summary.integerMatMuls++;
    } else if (node.opType in WEIGHT_ONLY_INPUT) {
      const index = WEIGHT_ONLY_INPUT[node.opType];
      const weight = floatConstant(node.inputs[index]);
      if (!weight) continue;
      let restored = dequantized.get(weight.name);
      if (restored === undefined) {
        restored = emitInt8Weight(graph, weight);
        dequantized.set(weight.name, restored);
      }
      // The restoring Cast and Mul go first: they depend on initializers only.
      graph.nodes.unshift(...graph.nodes.splice(graph.nodes.length - 2));
      node.inputs[index] = restored;
      summary.int8WeightNodes++;
    }
  }
  graph.currentLayer = layerBefore;
  removeDeadNodes(graph);
  return summary;
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

/** How a MatMul/Gemm maps onto MatMulInteger, or why it stays float. */
function matMulPlan(node: GraphNode, weight: Initializer): MatMulPlan | string {
  if (weight.dims.length !== 2) return `its weight has rank ${weight.dims.length}; MatMulInteger's weight input is a matrix here`;
  const int = (key: string, fallback: number) => (node.attributes[key]?.kind === 'int' ? (node.attributes[key].value as number) : fallback);
  const float = (key: string, fallback: number) => (node.attributes[key]?.kind === 'float' ? (node.attributes[key].value as number) : fallback);
  if (node.opType === 'MatMul') return { kernel: weight.values as Float32Array, k: weight.dims[0], n: weight.dims[1], alpha: 1 };
  if (int('transA', 0) !== 0) return 'transA=1 (its activations are transposed)';
  const [rows, columns] = weight.dims;
  const transposed = int('transB', 0) !== 0;
  const kernel = transposed ? transposeMatrix(weight.values as Float32Array, rows, columns) : (weight.values as Float32Array);
  const bias = node.inputs[2] ? { name: node.inputs[2], beta: float('beta', 1) } : undefined;
  return { kernel, k: transposed ? columns : rows, n: transposed ? rows : columns, alpha: float('alpha', 1), bias };
}

/**
 * onnxruntime's dynamic MatMul, in the node order its quantizer writes (and its
 * MatMulIntegerToFloat/DynamicQuantizeMatMul fusions look for): Mul(Cast(MatMulInteger), Mul(scales)).
 */
function emitDynamicMatMul(graph: GraphBuilder, node: GraphNode, plan: MatMulPlan, constant: (name: string) => Initializer | undefined): void {
  const { values, scales } = quantizeInt8(plan.kernel, [plan.k, plan.n], PER_CHANNEL ? 1 : undefined);
  const perColumn = scales.length > 1 ? [plan.n] : [];
  const weight = graph.initializer('kernel_quantized', [plan.k, plan.n], 'int8', values);
  const weightZeroPoint = graph.initializer('kernel_zero_point', perColumn, 'int8', new Int8Array(scales.length));
  const weightScale = graph.floatConstant('kernel_scale', perColumn, scales.map((s) => s * plan.alpha));
  const [quantized, scale, zeroPoint] = graph.nodeWithOutputs('DynamicQuantizeLinear', [node.inputs[0]], 3);
  const accumulated = graph.node('MatMulInteger', [quantized, weight, zeroPoint, weightZeroPoint]);
  const asFloat = graph.node('Cast', [accumulated], { to: attr.int(elementTypeCode('float32')) });
  const combinedScale = graph.node('Mul', [scale, weightScale]);
  const output = node.outputs[0];
  if (!plan.bias) {
    graph.nodeWithOutputName('Mul', [asFloat, combinedScale], output);
    return;
  }
  const product = graph.node('Mul', [asFloat, combinedScale]);
  graph.nodeWithOutputName('Add', [product, scaledBias(graph, plan.bias, constant)], output);
}

function scaledBias(graph: GraphBuilder, bias: { name: string; beta: number }, constant: (name: string) => Initializer | undefined): string {
  if (bias.beta === 1) return bias.name;
  const stored = constant(bias.name);
  if (stored?.dataType === 'float32') return graph.floatConstant('bias_scaled', stored.dims, (stored.values as Float32Array).map((v) => v * bias.beta));
  return graph.node('Mul', [bias.name, graph.scalar('beta', bias.beta)]);
}

/** int8 weights with one scale per slice of axis 0, restored to float32 by Cast × scales (folded at load). */
function emitInt8Weight(graph: GraphBuilder, weight: Initializer): string {
  const axis = weight.dims.length > 0 ? 0 : undefined;
  const { values, scales } = quantizeInt8(weight.values as Float32Array, weight.dims, axis);
  const scaleDims = axis === undefined ? [] : [weight.dims[0], ...weight.dims.slice(1).map(() => 1)];
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
