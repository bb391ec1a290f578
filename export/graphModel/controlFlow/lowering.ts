/**
 * The graph being rewritten by lower.ts, and the cutting of a region of it into a function: from
 * the region's results back to its edges, each value reached is either part of the region (its
 * node is copied into the function) or an argument (a loop variable, or a value captured from
 * outside, which the caller passes in). Several functions cut together (a loop's condition and
 * body, a conditional's branches) share one argument list, as While and If require.
 */
import { formatTensorRef, type GraphNodeDef, type TensorRef } from '../nodeDef.ts';
import { ARG_OP, type FunctionGraph } from './functionLibrary.ts';

export interface LoweredGraph {
  nodes: GraphNodeDef[];
  functions: Map<string, FunctionGraph>;
  /** A node name used nowhere yet (in the graph or any function). */
  uniqueName(base: string): string;
  uniqueFunctionName(base: string): string;
}

/** Where a value reached while cutting belongs. */
export type Region = 'include' | { variable: number } | { capture: TensorRef };

interface CutFunction {
  name: string;
  nodes: GraphNodeDef[];
  outputs: TensorRef[];
}

export class FunctionCutter {
  private readonly captured: TensorRef[] = [];
  private readonly captureIndex = new Map<string, number>();
  private readonly argNames: string[] = [];
  /** Names of the nodes copied into the functions cut so far. */
  readonly included = new Set<string>();

  constructor(
    private readonly nodes: ReadonlyMap<string, GraphNodeDef>,
    private readonly variableCount: number,
    private readonly newName: (base: string) => string,
  ) {}

  /** Copies the region `roots` depend on into a function (arguments are added at finish). */
  cut(name: string, roots: readonly TensorRef[], classify: (ref: TensorRef) => Region): CutFunction {
    const included = new Map<string, GraphNodeDef>();
    const rewrite = (ref: TensorRef): TensorRef => {
      const region = classify(ref);
      return region === 'include' ? ref : { node: this.argName(region), index: 0 };
    };
    const stack = [...roots];
    while (stack.length > 0) {
      const ref = stack.pop()!;
      if (included.has(ref.node) || classify(ref) !== 'include') continue;
      const node = this.nodes.get(ref.node)!;
      included.set(node.name, node);
      this.included.add(node.name);
      stack.push(...node.inputs);
    }
    const nodes = [...included.values()].map((node) => ({ ...node, inputs: node.inputs.map(rewrite) }));
    return { name, nodes, outputs: roots.map(rewrite) };
  }

  /** The outer values captured so far, in argument order (after the loop variables). */
  captures(): TensorRef[] {
    return [...this.captured];
  }

  /** References to the captured values' arguments inside a function. */
  captureArgs(): TensorRef[] {
    return this.captured.map((_, c) => ({ node: this.argAt(this.variableCount + c), index: 0 }));
  }

  /** The functions with the full argument list, and any extra results each returns. */
  finish(cut: readonly CutFunction[], extraOutputs: (fn: CutFunction) => TensorRef[] = () => []): FunctionGraph[] {
    const count = this.variableCount + this.captured.length;
    const args = Array.from({ length: count }, (_, i) => this.argAt(i));
    const argNodes = args.map((name, i): GraphNodeDef => ({ name, op: ARG_OP, inputs: [], attr: { index: { i: String(i) } } }));
    return cut.map((fn) => ({ name: fn.name, args, nodes: [...argNodes, ...fn.nodes], outputs: [...fn.outputs, ...extraOutputs(fn)] }));
  }

  private argName(region: Exclude<Region, 'include'>): string {
    if ('variable' in region) return this.argAt(region.variable);
    const key = formatTensorRef(region.capture);
    let index = this.captureIndex.get(key);
    if (index === undefined) {
      index = this.captured.length;
      this.captured.push(region.capture);
      this.captureIndex.set(key, index);
    }
    return this.argAt(this.variableCount + index);
  }

  private argAt(index: number): string {
    while (this.argNames.length <= index) this.argNames.push(this.newName(`arg_${this.argNames.length}`));
    return this.argNames[index];
  }
}

export function loweredGraph(nodes: GraphNodeDef[], functions: Map<string, FunctionGraph>): LoweredGraph {
  const used = new Set([...nodes, ...[...functions.values()].flatMap((fn) => fn.nodes)].map((node) => node.name));
  const unique = (taken: (name: string) => boolean, base: string) => {
    let name = base;
    for (let i = 1; taken(name); i++) name = `${base}_${i}`;
    return name;
  };
  return {
    nodes,
    functions,
    uniqueName: (base) => {
      const name = unique((candidate) => used.has(candidate), base);
      used.add(name);
      return name;
    },
    uniqueFunctionName: (base) => unique((candidate) => functions.has(candidate), base),
  };
}
