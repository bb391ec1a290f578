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
 *
 * This module is the pass: which nodes are quantized, in which form, and what is left and why; the
 * rewrite of each node is quantizedOps.ts.
 */
import type { GraphBuilder, GraphNode, Initializer } from '../graph/graphBuilder.ts';
import { removeDeadNodes } from '../passes/deadNodes.ts';
import { inferElementTypes } from './elementTypes.ts';
import {
  emitInt8Weight,
  emitIntegerConv,
  emitIntegerMatMul,
  emitQdqConv,
  emitQdqMatMul,
  intAttribute,
  matMulPlan,
} from './quantizedOps.ts';

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

/** Swaps `node` for the nodes `emit` appends, at the node's place in the order. */
function replaceNode(graph: GraphBuilder, node: GraphNode, emit: () => void): void {
  const start = graph.nodes.length;
  emit();
  const created = graph.nodes.splice(start);
  graph.nodes.splice(graph.nodes.indexOf(node), 1, ...created);
}
