/**
 * One node of a TensorFlow GraphDef as the converter reads it: its name, op, data inputs (as
 * tensor references) and raw attributes. The graph (graphDef.ts) and the function library's bodies
 * (controlFlow/functionLibrary.ts) are both lists of these.
 */
import { InvalidInputError } from '../../common/errors.ts';

/** A reference to one output of a node: `name` is output 0, `name:2` output 2. */
export interface TensorRef {
  node: string;
  index: number;
}

export interface GraphNodeDef {
  name: string;
  op: string;
  /** Data inputs in order. */
  inputs: TensorRef[];
  /**
   * Nodes named by control inputs (`^name`): they only order side effects, except that they tell
   * which branch of a Switch/Merge conditional a constant belongs to (controlFlow/conditionals.ts).
   */
  controlInputs?: string[];
  attr: Record<string, unknown>;
}

export function parseTensorRef(text: string): TensorRef {
  const match = /^(.*?)(?::(\d+))?$/.exec(text)!;
  return { node: match[1], index: match[2] === undefined ? 0 : Number(match[2]) };
}

export function formatTensorRef(ref: TensorRef): string {
  return ref.index === 0 ? ref.node : `${ref.node}:${ref.index}`;
}

/** One NodeDef's structure; `parseRef` reads a data input (a function body spells them differently). */
export function parseNodeDef(raw: unknown, where: string, source: string, parseRef: (text: string) => TensorRef): GraphNodeDef {
  if (typeof raw !== 'object' || raw === null) throw new InvalidInputError(`${source}: ${where} is not an object`);
  const { name, op, input, attr } = raw as { name?: unknown; op?: unknown; input?: unknown; attr?: unknown };
  if (typeof name !== 'string' || name === '') throw new InvalidInputError(`${source}: ${where} has no name`);
  if (typeof op !== 'string' || op === '') throw new InvalidInputError(`${source}: node "${name}" has no op`);
  if (input !== undefined && (!Array.isArray(input) || !input.every((entry) => typeof entry === 'string'))) {
    throw new InvalidInputError(`${source}: node "${name}" has an input list that is not a list of names`);
  }
  if (attr !== undefined && (typeof attr !== 'object' || attr === null))
    throw new InvalidInputError(`${source}: node "${name}" has attr that is not an object`);
  const entries = (input as string[] | undefined) ?? [];
  const inputs = entries.filter((entry) => !entry.startsWith('^')).map(parseRef);
  const controlInputs = entries.filter((entry) => entry.startsWith('^')).map((entry) => entry.slice(1));
  return {
    name,
    op,
    inputs,
    ...(controlInputs.length > 0 ? { controlInputs } : {}),
    attr: (attr as Record<string, unknown> | undefined) ?? {},
  };
}
