/**
 * The TensorFlow GraphDef inside a GraphModel's model.json (`modelTopology.node`), read once at
 * the edge into typed nodes. Attributes keep the JSON protobuf encoding tensorflowjs_converter
 * writes (`{"i": "3"}`, `{"s": base64}`, `{"list": {"i": [...]}}`, `{"type": "DT_FLOAT"}`), and
 * are decoded by the accessor a handler calls, so a bad attribute is reported with its node.
 */
import { InvalidInputError } from '../../common/errors.ts';
import type { TfjsElementType } from '../backend/graph/tensorValue.ts';
import { parseFunctionLibrary, type FunctionGraph } from './controlFlow/functionLibrary.ts';
import { formatTensorRef, parseNodeDef, parseTensorRef, type GraphNodeDef } from './nodeDef.ts';

export interface GraphDef {
  nodes: GraphNodeDef[];
  /** The library's functions by name: bodies of While and If (functional control flow). */
  functions: Map<string, FunctionGraph>;
}

/** Validates the node list's structure (names, ops, input references); attributes are checked when read. */
export function parseGraphDef(topology: unknown, source: string): GraphDef {
  if (typeof topology !== 'object' || topology === null || !Array.isArray((topology as { node?: unknown }).node)) {
    throw new InvalidInputError(`${source}: a graph-model's modelTopology must hold a GraphDef with a node list`);
  }
  const rawNodes = (topology as { node: unknown[] }).node;
  const names = new Set<string>();
  const nodes = rawNodes.map((raw, i): GraphNodeDef => {
    const node = parseNodeDef(raw, `modelTopology.node[${i}]`, source, parseTensorRef);
    if (names.has(node.name)) throw new InvalidInputError(`${source}: two nodes are named "${node.name}"`);
    names.add(node.name);
    return node;
  });
  for (const node of nodes) {
    for (const ref of [...node.inputs, ...(node.controlInputs ?? []).map((name) => ({ node: name, index: 0 }))]) {
      if (!names.has(ref.node))
        throw new InvalidInputError(`${source}: node "${node.name}" reads "${formatTensorRef(ref)}", which no node produces`);
    }
  }
  return { nodes, functions: parseFunctionLibrary((topology as { library?: unknown }).library, source) };
}

/** TF DataType names → the dtype tfjs gives such a tensor (tfjs has no int64, uint8 or float64 tensors). */
const TF_DTYPES: Record<string, TfjsElementType> = {
  DT_FLOAT: 'float32',
  DT_HALF: 'float32',
  DT_BFLOAT16: 'float32',
  DT_DOUBLE: 'float32',
  DT_INT32: 'int32',
  DT_INT64: 'int32',
  DT_INT16: 'int32',
  DT_INT8: 'int32',
  DT_UINT8: 'int32',
  DT_UINT16: 'int32',
  DT_UINT32: 'int32',
  DT_BOOL: 'bool',
  DT_STRING: 'string',
};

/** Typed access to one node's attributes; every failure names the node and the attribute. */
export class NodeAttributes {
  constructor(
    readonly node: GraphNodeDef,
    private readonly source: string,
  ) {}

  get label(): string {
    return `node "${this.node.name}" (${this.node.op})`;
  }

  has(name: string): boolean {
    return this.node.attr[name] !== undefined;
  }

  private value(name: string): Record<string, unknown> | undefined {
    const value = this.node.attr[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || value === null) throw this.invalid(name, 'an AttrValue object');
    return value as Record<string, unknown>;
  }

  invalid(name: string, expected: string): InvalidInputError {
    return new InvalidInputError(
      `${this.source}: ${this.label}: attribute ${name} must be ${expected}, got ${JSON.stringify(this.node.attr[name])}`,
    );
  }

  int(name: string, fallback?: number): number {
    const parsed = this.numberField(name, 'i', 'an integer', fallback);
    if (!Number.isInteger(parsed)) throw this.invalid(name, 'an integer');
    return parsed;
  }

  float(name: string, fallback?: number): number {
    const parsed = this.numberField(name, 'f', 'a number', fallback);
    if (Number.isNaN(parsed) && this.value(name)?.f !== 'NaN') throw this.invalid(name, 'a number');
    return parsed;
  }

  /** A scalar number attribute (`i` is a string in JSON, `f` a number). */
  private numberField(name: string, field: 'i' | 'f', expected: string, fallback: number | undefined): number {
    const value = this.value(name);
    if (value === undefined) {
      if (fallback !== undefined) return fallback;
      throw this.invalid(name, expected);
    }
    if (value[field] === undefined) {
      // Protobuf's JSON form leaves out zero values, so `{}` is 0.
      if (Object.keys(value).length === 0) return 0;
      throw this.invalid(name, expected);
    }
    return Number(value[field]);
  }

  bool(name: string, fallback = false): boolean {
    const value = this.value(name);
    if (value === undefined || value.b === undefined) return fallback;
    if (typeof value.b !== 'boolean') throw this.invalid(name, 'true or false');
    return value.b;
  }

  string(name: string, fallback?: string): string {
    const value = this.value(name);
    if (value === undefined || value.s === undefined) {
      if (fallback !== undefined) return fallback;
      throw this.invalid(name, 'a string');
    }
    if (typeof value.s !== 'string') throw this.invalid(name, 'a base64 string');
    return decodeBase64(value.s);
  }

  ints(name: string, fallback?: number[]): number[] {
    const list = this.list(name);
    if (list === undefined) {
      if (fallback !== undefined) return fallback;
      throw this.invalid(name, 'a list of integers');
    }
    const values = (list.i ?? []) as unknown[];
    if (!Array.isArray(values)) throw this.invalid(name, 'a list of integers');
    return values.map((entry) => {
      const parsed = Number(entry);
      if (!Number.isInteger(parsed)) throw this.invalid(name, 'a list of integers');
      return parsed;
    });
  }

  strings(name: string, fallback: string[] = []): string[] {
    const list = this.list(name);
    if (list === undefined) return fallback;
    const values = (list.s ?? []) as unknown[];
    if (!Array.isArray(values) || !values.every((entry) => typeof entry === 'string')) throw this.invalid(name, 'a list of base64 strings');
    return (values as string[]).map(decodeBase64);
  }

  private list(name: string): Record<string, unknown> | undefined {
    const value = this.value(name);
    if (value === undefined) return undefined;
    if (value.list === undefined) return {};
    if (typeof value.list !== 'object' || value.list === null) throw this.invalid(name, 'a list');
    return value.list as Record<string, unknown>;
  }

  /** A DataType attribute as the tfjs dtype it becomes. */
  dtype(name: string, fallback?: TfjsElementType): TfjsElementType {
    const value = this.value(name);
    if (value === undefined || value.type === undefined) {
      if (fallback !== undefined) return fallback;
      throw this.invalid(name, 'a DataType');
    }
    return tfDtype(String(value.type), () => this.invalid(name, `a DataType tfjs supports (${Object.keys(TF_DTYPES).join(', ')})`));
  }

  /** A TensorShapeProto attribute: sizes, -1 (or absent) for unknown; undefined for unknown rank. */
  shape(name: string): (number | null)[] | undefined {
    const value = this.value(name);
    const shape = value?.shape as { dim?: { size?: unknown }[]; unknownRank?: boolean } | undefined;
    if (shape === undefined || shape.unknownRank) return undefined;
    return (shape.dim ?? []).map((dim) => {
      const size = dim.size === undefined ? -1 : Number(dim.size);
      if (!Number.isInteger(size)) throw this.invalid(name, 'a shape');
      return size < 0 ? null : size;
    });
  }

  /** A function attribute (`{"func": {"name": ...}}`): the name of a library function. */
  func(name: string): string {
    const value = this.value(name);
    const func = value?.func as { name?: unknown } | undefined;
    if (typeof func?.name !== 'string' || func.name === '') throw this.invalid(name, 'a function name');
    return func.name;
  }

  /** An attribute that must be one of a few strings. */
  choice<T extends string>(name: string, choices: readonly T[], fallback?: T): T {
    const value = this.string(name, fallback);
    if (!(choices as readonly string[]).includes(value)) throw this.invalid(name, `one of ${choices.join(', ')}`);
    return value as T;
  }
}

export function tfDtype(type: string, fail: () => Error): TfjsElementType {
  const dtype = TF_DTYPES[type];
  if (dtype === undefined) throw fail();
  return dtype;
}

function decodeBase64(text: string): string {
  return Buffer.from(text, 'base64').toString('utf8');
}
