/**
 * TF1 conditionals (tf.cond, and TF2 conditionals grappler lowered): Switch(value, pred) sends a
 * value down its true (:1) or false (:0) output, the branches compute on them, and Merge takes
 * whichever branch ran. Each group of Merges of one tf.cond (same predicate, same name scope)
 * becomes one functional If node, as tf2onnx's cond rewriter does: walking back from each Merge
 * input to the Switches tells its branch (by the Switch output it reaches, or for a branch of
 * constants by the control input TF gives them on the branch's pivot), and the nodes passed on
 * the way form that branch's function. Inner conditionals are rebuilt first.
 */
import { InvalidInputError } from '../../../common/errors.ts';
import { formatTensorRef, type GraphNodeDef, type TensorRef } from '../nodeDef.ts';
import { scopeOf } from '../convertNodes.ts';
import { FunctionCutter, type LoweredGraph, type Region } from './lowering.ts';

interface Branch {
  /** The Merge input this branch gives. */
  output: TensorRef;
  /** 1 for the true branch, 0 for the false one; undefined if the walk found no Switch. */
  side: number | undefined;
}

interface Conditional {
  merges: GraphNodeDef[];
  predicate: TensorRef;
  /** Per Merge: [false branch, true branch] outputs. */
  outputs: [TensorRef, TensorRef][];
}

export function lowerConditionals(graph: LoweredGraph, source: string): void {
  if (!graph.nodes.some((node) => node.op === 'Merge' || node.op === 'Switch')) return;
  for (;;) {
    const byName = new Map(graph.nodes.map((node) => [node.name, node]));
    const ready = graph.nodes
      .filter((node) => node.op === 'Merge')
      .map((merge) => analyseMerge(merge, byName, source))
      .filter((found) => found !== undefined);
    if (ready.length === 0) break;
    for (const conditional of groupMerges(ready)) lowerConditional(graph, conditional, byName);
  }
  const left = graph.nodes.find((node) => node.op === 'Merge');
  if (left)
    throw new InvalidInputError(
      `${source}: Merge node "${left.name}" is not part of a loop or of a conditional whose branches could be told apart`,
    );
  graph.nodes = withoutUnreadSwitches(graph.nodes, source);
}

/** Resolves a predicate reference through Identities, so Switches on the same value compare equal. */
function predicateOf(switchNode: GraphNodeDef, byName: ReadonlyMap<string, GraphNodeDef>): string {
  let current = switchNode.inputs[1];
  for (let node = byName.get(current.node); node?.op === 'Identity'; node = byName.get(current.node)) current = node.inputs[0];
  return formatTensorRef(current);
}

/** The branches of one Merge, or undefined while an inner conditional is still to be rebuilt. */
function analyseMerge(
  merge: GraphNodeDef,
  byName: ReadonlyMap<string, GraphNodeDef>,
  source: string,
): (Conditional & { scope: string }) | undefined {
  if (merge.inputs.length !== 2)
    throw new InvalidInputError(`${source}: Merge node "${merge.name}" has ${merge.inputs.length} inputs; a conditional's Merge has two`);
  const walks = merge.inputs.map((ref) => walkBranch(ref, byName));
  if (walks.some((walk) => walk.innerMerge)) return undefined;
  const predicates = new Set(walks.flatMap((walk) => [...walk.switches.keys()]));
  const shared = [...predicates].filter((p) => walks.every((walk) => walk.switches.has(p)));
  const predicate = shared.length === 1 ? shared[0] : predicates.size === 1 ? [...predicates][0] : undefined;
  if (predicate === undefined)
    throw new InvalidInputError(`${source}: Merge node "${merge.name}": cannot tell which Switch decides between its inputs`);
  const branches: Branch[] = merge.inputs.map((output, i) => {
    const sides = walks[i].switches.get(predicate);
    if (sides && sides.size > 1)
      throw new InvalidInputError(`${source}: Merge node "${merge.name}": its input ${i} depends on both sides of a Switch`);
    return { output, side: sides ? [...sides][0] : undefined };
  });
  const [a, b] = branches;
  const sideA = a.side ?? (b.side === undefined ? undefined : 1 - b.side);
  const sideB = b.side ?? (sideA === undefined ? undefined : 1 - sideA);
  if (sideA === undefined || sideA === sideB)
    throw new InvalidInputError(`${source}: Merge node "${merge.name}": cannot tell its true branch from its false one`);
  const switchNode = walks.flatMap((walk) => walk.switchNodes).find((node) => predicateOf(node, byName) === predicate)!;
  const outputs: [TensorRef, TensorRef] = sideA === 0 ? [a.output, b.output] : [b.output, a.output];
  return { merges: [merge], predicate: switchNode.inputs[1], outputs: [outputs], scope: `${scopeOf(merge.name)}|${predicate}` };
}

interface Walk {
  /** Predicate → the Switch outputs (0, 1) reached. */
  switches: Map<string, Set<number>>;
  switchNodes: GraphNodeDef[];
  innerMerge: boolean;
}

/** Everything a Merge input depends on, up to the Switches (data and control inputs both followed). */
function walkBranch(start: TensorRef, byName: ReadonlyMap<string, GraphNodeDef>): Walk {
  const walk: Walk = { switches: new Map(), switchNodes: [], innerMerge: false };
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length > 0) {
    const ref = stack.pop()!;
    const node = byName.get(ref.node);
    if (!node) continue;
    if (node.op === 'Switch') {
      const predicate = predicateOf(node, byName);
      if (!walk.switches.has(predicate)) walk.switches.set(predicate, new Set());
      walk.switches.get(predicate)!.add(ref.index);
      walk.switchNodes.push(node);
      continue;
    }
    if (seen.has(node.name)) continue;
    seen.add(node.name);
    if (node.op === 'Merge') walk.innerMerge = true;
    stack.push(...node.inputs, ...(node.controlInputs ?? []).map((name) => ({ node: name, index: 0 })));
  }
  return walk;
}

function groupMerges(found: (Conditional & { scope: string })[]): Conditional[] {
  const groups = new Map<string, Conditional>();
  for (const { scope, ...conditional } of found) {
    const group = groups.get(scope);
    if (!group) groups.set(scope, conditional);
    else {
      group.merges.push(...conditional.merges);
      group.outputs.push(...conditional.outputs);
    }
  }
  return [...groups.values()];
}

function lowerConditional(graph: LoweredGraph, conditional: Conditional, byName: ReadonlyMap<string, GraphNodeDef>): void {
  const predicate = formatTensorRef(conditional.predicate);
  const dependsOnSwitch = new Map<string, boolean>();
  /** Whether a node's value depends on this conditional's Switches (else it is computed outside and captured). */
  const inBranch = (name: string): boolean => {
    const known = dependsOnSwitch.get(name);
    if (known !== undefined) return known;
    dependsOnSwitch.set(name, false);
    const node = byName.get(name);
    const result =
      node !== undefined &&
      node.op !== 'Switch' &&
      [...node.inputs.map((ref) => ref.node), ...(node.controlInputs ?? [])].some((input) => {
        const switchNode = byName.get(input);
        return (switchNode?.op === 'Switch' && predicateOf(switchNode, byName) === predicate) || inBranch(input);
      });
    dependsOnSwitch.set(name, result);
    return result;
  };
  const classify = (ref: TensorRef): Region => {
    const node = byName.get(ref.node)!;
    if (node.op === 'Switch' && predicateOf(node, byName) === predicate) return { capture: node.inputs[0] };
    return inBranch(node.name) ? 'include' : { capture: ref };
  };
  const name = graph.uniqueName(`${scopeOf(conditional.merges[0].name)}/If`);
  const cutter = new FunctionCutter(byName, 0, (base) => graph.uniqueName(`${name}/${base}`));
  const elseFn = cutter.cut(
    graph.uniqueFunctionName(`${name}/else`),
    conditional.outputs.map(([whenFalse]) => whenFalse),
    classify,
  );
  const thenFn = cutter.cut(
    graph.uniqueFunctionName(`${name}/then`),
    conditional.outputs.map(([, whenTrue]) => whenTrue),
    classify,
  );
  for (const fn of cutter.finish([thenFn, elseFn])) graph.functions.set(fn.name, fn);
  const ifNode: GraphNodeDef = {
    name,
    op: 'If',
    inputs: [conditional.predicate, ...cutter.captures()],
    attr: { then_branch: { func: { name: thenFn.name } }, else_branch: { func: { name: elseFn.name } } },
  };
  // The branches' nodes now live in the functions; the Merges read the If.
  const merges = new Map(conditional.merges.map((merge, k) => [merge.name, k]));
  const removed = branchRemains(
    graph.nodes,
    cutter.included,
    new Set(merges.keys()),
    (node) => node.op === 'Switch' && predicateOf(node, byName) === predicate,
  );
  graph.nodes = graph.nodes.flatMap((node): GraphNodeDef[] => {
    const k = merges.get(node.name);
    if (k !== undefined) return [{ name: node.name, op: 'Identity', inputs: [{ node: name, index: k }], attr: {} }];
    return removed.has(node.name) ? [] : [node];
  });
  graph.nodes.push(ifNode);
}

/**
 * What goes with a rebuilt conditional: the nodes moved into its branches, nodes that read them or
 * its Switches without reaching a Merge (dead ends of a branch, such as a loop counter's Exit, and
 * the branch pivots), and then its Switches once nothing reads them.
 */
function branchRemains(
  nodes: GraphNodeDef[],
  moved: Set<string>,
  merges: Set<string>,
  isOwnSwitch: (node: GraphNodeDef) => boolean,
): Set<string> {
  const removed = new Set(moved);
  const switches = new Set(nodes.filter(isOwnSwitch).map((node) => node.name));
  for (let changed = true; changed; ) {
    changed = false;
    for (const node of nodes) {
      if (removed.has(node.name) || merges.has(node.name) || switches.has(node.name)) continue;
      if (node.inputs.some((ref) => removed.has(ref.node) || switches.has(ref.node))) {
        removed.add(node.name);
        changed = true;
      }
    }
  }
  const stillRead = new Set(
    nodes
      .filter((node) => !removed.has(node.name) && !merges.has(node.name))
      .flatMap((node) => [...node.inputs.map((ref) => ref.node), ...(node.controlInputs ?? [])]),
  );
  for (const name of switches) if (!stillRead.has(name)) removed.add(name);
  return removed;
}

/** Switches no node reads any more (their conditionals are If nodes now) are dropped; any other is refused. */
function withoutUnreadSwitches(nodes: GraphNodeDef[], source: string): GraphNodeDef[] {
  const read = new Set(nodes.flatMap((node) => node.inputs.map((ref) => ref.node)));
  const left = nodes.find((node) => node.op === 'Switch' && read.has(node.name));
  if (left) throw new InvalidInputError(`${source}: Switch node "${left.name}" is not part of a loop or of a conditional with a Merge`);
  return nodes.filter((node) => node.op !== 'Switch');
}
