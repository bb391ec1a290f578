/**
 * TF1 while loops (tf.while_loop, tf.map_fn before TF2, and TF2 loops that grappler lowered):
 * each frame of Enter/Merge/Switch/NextIteration/Exit/LoopCond nodes becomes one functional While
 * node with a condition and a body function, as tf2onnx's loop rewriter rebuilds them. Per loop
 * variable k:
 *
 *   Enter_k → Merge_k ← NextIteration_k ← (body) ← Switch_k:1
 *                └→ (cond) → LoopCond → Switch_k(Merge_k, LoopCond) → :0 → Exit_k
 *
 * The condition function reads the Merges, the body function the Switches' true outputs, and the
 * body returns what feeds each NextIteration. Values entering the frame any other way (Enter with
 * is_constant, constants, outer nodes) become extra arguments the body returns unchanged, which
 * the While conversion reads from outside instead of carrying. Inner frames are rebuilt first, so
 * an outer body holds its inner loops as While nodes.
 */
import { InvalidInputError } from '../../../common/errors.ts';
import type { GraphNodeDef, TensorRef } from '../nodeDef.ts';
import { FunctionCutter, type LoweredGraph } from './lowering.ts';

const ROOT = '';

interface Frame {
  name: string;
  parent: string;
  depth: number;
}

export function lowerFrames(graph: LoweredGraph, source: string): void {
  if (!graph.nodes.some((node) => node.op === 'Enter')) return;
  const { frameOf, frames } = assignFrames(graph.nodes, source);
  for (const frame of [...frames.values()].sort((a, b) => b.depth - a.depth)) lowerFrame(graph, frame, frameOf, source);
}

function frameName(node: GraphNodeDef, source: string): string {
  const value = (node.attr.frame_name as { s?: unknown } | undefined)?.s;
  if (typeof value !== 'string') throw new InvalidInputError(`${source}: Enter node "${node.name}" has no frame_name`);
  return Buffer.from(value, 'base64').toString('utf8');
}

/** The frame each node runs in (TensorFlow's ControlFlowInfo): Enter opens one, Exit leaves it. */
function assignFrames(nodes: GraphNodeDef[], source: string): { frameOf: Map<string, string>; frames: Map<string, Frame> } {
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const frames = new Map<string, { name: string; parent: string }>();
  const frameOf = new Map<string, string>();
  // What a node's frame follows from: the NextIteration → Merge back edge is left out, so this is acyclic.
  const sources = (node: GraphNodeDef): TensorRef[] =>
    node.op === 'Merge' ? node.inputs.filter((ref) => byName.get(ref.node)?.op !== 'NextIteration').slice(0, 1) : node.inputs;
  const decide = (node: GraphNodeDef): string => {
    const inputs = sources(node).map((ref) => frameOf.get(ref.node)!);
    const inner = inputs.find((frame) => frame !== ROOT) ?? ROOT;
    if (node.op === 'Enter') {
      // An Enter of a constant tells nothing about where the loop sits; another Enter of it will.
      const name = frameName(node, source);
      const known = frames.get(name);
      if (known && inner !== ROOT && known.parent !== ROOT && known.parent !== inner)
        throw new InvalidInputError(`${source}: loop frame "${name}" is entered from two different frames`);
      if (!known || known.parent === ROOT) frames.set(name, { name, parent: inner });
      return name;
    }
    if (node.op === 'Exit') {
      if (inner === ROOT) throw new InvalidInputError(`${source}: Exit node "${node.name}" is not inside a loop`);
      return frames.get(inner)!.parent;
    }
    return inner;
  };
  // The second pass sees every frame's parent from the start (the first may meet an Exit before all its Enters).
  for (let pass = 0; pass < 2; pass++) {
    frameOf.clear();
    for (const start of nodes) {
      const stack: { node: GraphNodeDef; expanded: boolean }[] = [{ node: start, expanded: false }];
      while (stack.length > 0) {
        const { node, expanded } = stack.pop()!;
        if (frameOf.has(node.name)) continue;
        if (expanded) {
          frameOf.set(node.name, decide(node));
          continue;
        }
        stack.push({ node, expanded: true });
        for (const ref of sources(node)) if (!frameOf.has(ref.node)) stack.push({ node: byName.get(ref.node)!, expanded: false });
      }
    }
  }
  const depth = (frame: string): number => (frame === ROOT ? 0 : 1 + depth(frames.get(frame)!.parent));
  return { frameOf, frames: new Map([...frames].map(([name, frame]) => [name, { ...frame, depth: depth(name) }])) };
}

interface LoopVariable {
  enter: GraphNodeDef;
  merge: GraphNodeDef;
  next: GraphNodeDef;
  switch: GraphNodeDef;
  exit?: GraphNodeDef;
}

function loopVariables(
  graph: LoweredGraph,
  frame: Frame,
  frameOf: Map<string, string>,
  source: string,
): { variables: LoopVariable[]; loopCond: GraphNodeDef } {
  const inFrame = graph.nodes.filter((node) => frameOf.get(node.name) === frame.name);
  const byName = new Map(graph.nodes.map((node) => [node.name, node]));
  const enters = new Set(inFrame.filter((node) => node.op === 'Enter' && frameName(node, source) === frame.name).map((node) => node.name));
  const variables = inFrame
    .filter((node) => node.op === 'Merge' && node.inputs.some((ref) => enters.has(ref.node)))
    .map((merge): LoopVariable => {
      const enter = byName.get(merge.inputs.find((ref) => enters.has(ref.node))!.node)!;
      const next = merge.inputs.map((ref) => byName.get(ref.node)!).find((node) => node.op === 'NextIteration');
      const switchNode = inFrame.find((node) => node.op === 'Switch' && node.inputs[0]?.node === merge.name);
      if (!next || !switchNode || merge.inputs.length !== 2)
        throw new InvalidInputError(
          `${source}: loop variable "${merge.name}" of frame "${frame.name}" is not a Merge of Enter and NextIteration feeding a Switch`,
        );
      const exit = graph.nodes.find((node) => node.op === 'Exit' && node.inputs[0]?.node === switchNode.name && node.inputs[0].index === 0);
      return { enter, merge, next, switch: switchNode, exit };
    });
  const conds = new Set(variables.map((variable) => variable.switch.inputs[1]?.node));
  const loopCond = byName.get([...conds][0] ?? '');
  if (variables.length === 0 || conds.size !== 1 || loopCond?.op !== 'LoopCond')
    throw new InvalidInputError(`${source}: loop frame "${frame.name}" has no single LoopCond deciding its Switches`);
  return { variables, loopCond };
}

function lowerFrame(graph: LoweredGraph, frame: Frame, frameOf: Map<string, string>, source: string): void {
  const { variables, loopCond } = loopVariables(graph, frame, frameOf, source);
  const byName = new Map(graph.nodes.map((node) => [node.name, node]));
  const whileName = graph.uniqueName(`${frame.name}/while`);
  const cutter = new FunctionCutter(byName, variables.length, (base) => graph.uniqueName(`${whileName}/${base}`));
  const mergeIndex = new Map(variables.map((variable, k) => [variable.merge.name, k]));
  const switchIndex = new Map(variables.map((variable, k) => [variable.switch.name, k]));
  const classify = (ref: TensorRef) => {
    const node = byName.get(ref.node)!;
    if (mergeIndex.has(node.name) && ref.index === 0) return { variable: mergeIndex.get(node.name)! };
    if (switchIndex.has(node.name)) {
      if (ref.index !== 1)
        throw new InvalidInputError(`${source}: node "${node.name}" of loop "${frame.name}" is read on its exit side inside the loop`);
      return { variable: switchIndex.get(node.name)! };
    }
    if (node.op === 'Enter' && frameName(node, source) === frame.name) return { capture: node.inputs[0] };
    if (node.op === 'Const' || frameOf.get(node.name) === frame.name) return 'include' as const;
    return { capture: ref };
  };
  const cond = cutter.cut(graph.uniqueFunctionName(`${whileName}/cond`), [loopCond.inputs[0]], classify);
  const body = cutter.cut(
    graph.uniqueFunctionName(`${whileName}/body`),
    variables.map((variable) => variable.next.inputs[0]),
    classify,
  );
  // The body hands every captured value back unchanged.
  const finished = cutter.finish([cond, body], (fn) => (fn === body ? cutter.captureArgs() : []));
  for (const fn of finished) graph.functions.set(fn.name, fn);
  const whileNode: GraphNodeDef = {
    name: whileName,
    op: 'While',
    inputs: [...variables.map((variable) => variable.enter.inputs[0]), ...cutter.captures()],
    attr: { cond: { func: { name: cond.name } }, body: { func: { name: body.name } } },
  };
  const exits = new Map(variables.flatMap((variable, k) => (variable.exit ? [[variable.exit.name, k] as const] : [])));
  graph.nodes = graph.nodes.flatMap((node): GraphNodeDef[] => {
    const exit = exits.get(node.name);
    if (exit !== undefined) return [{ name: node.name, op: 'Identity', inputs: [{ node: whileName, index: exit }], attr: {} }];
    return frameOf.get(node.name) === frame.name ? [] : [node];
  });
  graph.nodes.push(whileNode);
  frameOf.set(whileName, frame.parent);
}
