/**
 * GraphDef rewrites done before conversion, where a TF idiom has a direct ONNX form. TensorFlow
 * writes an atrous (dilated) convolution as SpaceToBatchND → Conv2D/DepthwiseConv2dNative (VALID,
 * stride 1) → BatchToSpaceND; that is one convolution with dilations = block_shape and padding =
 * paddings − crops, as tf2onnx also rewrites it. The rewritten node keeps BatchToSpaceND's name, so
 * its readers are unchanged; the other two nodes (read by nothing else) are dropped.
 */
import type { ConstantTensor } from './tfOps/constant.ts';
import { numbers } from './tfOps/constant.ts';
import type { GraphDef } from './graphDef.ts';
import type { GraphNodeDef } from './nodeDef.ts';

const CONVOLUTIONS = new Set(['Conv2D', 'DepthwiseConv2dNative']);

export function fuseDilatedConvolutions(graphDef: GraphDef, constantOf: (name: string) => ConstantTensor | undefined): GraphDef {
  const byName = new Map(graphDef.nodes.map((node) => [node.name, node]));
  const readers = new Map<string, number>();
  for (const node of graphDef.nodes) for (const ref of node.inputs) readers.set(ref.node, (readers.get(ref.node) ?? 0) + 1);
  const ints = (node: GraphNodeDef, index: number) => {
    const ref = node.inputs[index];
    const constant = ref && byName.get(ref.node)?.op === 'Const' ? constantOf(ref.node) : undefined;
    return constant && constant.dtype === 'int32' ? numbers(constant) : undefined;
  };
  const fused = new Set<string>();
  const nodes = graphDef.nodes.map((node) => {
    if (node.op !== 'BatchToSpaceND' || node.inputs.length !== 3) return node;
    const conv = byName.get(node.inputs[0].node);
    if (!conv || !CONVOLUTIONS.has(conv.op) || readers.get(conv.name) !== 1 || node.inputs[0].index !== 0) return node;
    const spaced = byName.get(conv.inputs[0]?.node ?? '');
    if (spaced?.op !== 'SpaceToBatchND' || readers.get(spaced.name) !== 1 || conv.inputs[0].index !== 0) return node;
    const blocks = ints(node, 1);
    const crops = ints(node, 2);
    const spacedBlocks = ints(spaced, 1);
    const paddings = ints(spaced, 2);
    if (!blocks || !crops || !spacedBlocks || !paddings || blocks.length !== 2 || blocks.join() !== spacedBlocks.join()) return node;
    if (!isPlainWindow(conv)) return node;
    const pads = [paddings[0] - crops[0], paddings[2] - crops[2], paddings[1] - crops[1], paddings[3] - crops[3]];
    if (pads.some((pad) => pad < 0)) return node;
    const [top, left, bottom, right] = pads;
    fused.add(conv.name).add(spaced.name);
    return {
      name: node.name,
      op: conv.op,
      inputs: [spaced.inputs[0], conv.inputs[1]],
      attr: {
        ...conv.attr,
        padding: { s: Buffer.from('EXPLICIT').toString('base64') },
        explicit_paddings: { list: { i: ['0', '0', String(top), String(bottom), String(left), String(right), '0', '0'] } },
        dilations: { list: { i: ['1', String(blocks[0]), String(blocks[1]), '1'] } },
      },
    };
  });
  return { ...graphDef, nodes: nodes.filter((node) => !fused.has(node.name)) };
}

/** NHWC, VALID, stride 1, no dilation: the convolution SpaceToBatchND wraps for an atrous one. */
function isPlainWindow(conv: GraphNodeDef): boolean {
  const text = (name: string) => {
    const value = (conv.attr[name] as { s?: string } | undefined)?.s;
    return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
  };
  const list = (name: string) =>
    ((conv.attr[name] as { list?: { i?: (string | number)[] } } | undefined)?.list?.i ?? ['1', '1', '1', '1']).map(Number);
  return (
    (text('data_format') ?? 'NHWC') === 'NHWC' &&
    text('padding') === 'VALID' &&
    list('strides').every((s) => s === 1) &&
    list('dilations').every((d) => d === 1)
  );
}
