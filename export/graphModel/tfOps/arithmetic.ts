/**
 * Elementwise arithmetic, comparisons and logic. Each op has its ONNX spelling and, for folding
 * constant inputs at conversion time, its value function. Integer semantics follow tfjs (the
 * reference): Div and FloorDiv of int32 floor, FloorMod (and Mod) take the divisor's sign.
 */
import { attr } from '../../backend/graph/graphBuilder.ts';
import { tensorValue, type TfjsElementType } from '../../backend/graph/tensorValue.ts';
import { isConstant, mapElementwise, scalarConstant, type TfValue } from './constant.ts';
import type { TfOpContext } from './context.ts';
import { alignElementwise, commonDtype, elementwiseNode } from './elementwise.ts';
import { knownValues, partialResult } from './partialValues.ts';
import type { TfOpHandler, TfOpTable } from './registry.ts';

type Emit = (ctx: TfOpContext, names: string[], dtype: TfjsElementType) => string;

interface ElementwiseOp {
  emit: Emit;
  /** The value for constant inputs (int32 results are truncated to integers). */
  fold: (...values: number[]) => number;
  /** The value for int32 constants when it is not the truncated float one. */
  intFold?: (...values: number[]) => number;
  /** Result dtype when it is not the inputs' (comparisons give bool). */
  dtype?: TfjsElementType;
}

const node =
  (opType: string, attributes = {}): Emit =>
  (ctx, names) =>
    ctx.graph.node(opType, names, attributes);

function floorDivide(ctx: TfOpContext, [a, b]: string[], dtype: TfjsElementType): string {
  const g = ctx.graph;
  if (dtype === 'float32') return g.node('Floor', [g.node('Div', [a, b])]);
  // Integer Div truncates toward zero in ONNX; floor division goes through float (exact below 2^24).
  return ctx.cast(g.node('Floor', [g.node('Div', [ctx.cast(a, 'float32'), ctx.cast(b, 'float32')])]), 'int32');
}

function floorModulo(ctx: TfOpContext, names: string[], dtype: TfjsElementType): string {
  const g = ctx.graph;
  if (dtype !== 'float32') return g.node('Mod', names, { fmod: attr.int(0) });
  const [a, b] = names;
  return g.node('Sub', [a, g.node('Mul', [floorDivide(ctx, names, dtype), b])]);
}

function divideNoNan(ctx: TfOpContext, [a, b]: string[], dtype: TfjsElementType): string {
  const g = ctx.graph;
  const zero = ctx.onnx(scalarConstant(dtype, 0), []);
  return g.node('Where', [g.node('Equal', [b, zero]), zero, dtype === 'float32' ? g.node('Div', [a, b]) : floorDivide(ctx, [a, b], dtype)]);
}

/** atan2 from atan(y/x) with the quadrant corrections (ONNX has no Atan2). */
function arcTangent2(ctx: TfOpContext, [y, x]: string[]): string {
  const g = ctx.graph;
  const c = (value: number) => g.scalar('c', value);
  const base = g.node('Atan', [g.node('Div', [y, x])]);
  const yNonNegative = g.node('GreaterOrEqual', [y, c(0)]);
  const left = g.node('Where', [yNonNegative, g.node('Add', [base, c(Math.PI)]), g.node('Sub', [base, c(Math.PI)])]);
  const onAxis = g.node('Where', [
    g.node('Greater', [y, c(0)]),
    c(Math.PI / 2),
    g.node('Where', [g.node('Less', [y, c(0)]), c(-Math.PI / 2), c(0)]),
  ]);
  return g.node('Where', [g.node('Greater', [x, c(0)]), base, g.node('Where', [g.node('Less', [x, c(0)]), left, onAxis])]);
}

const floorDiv = (a: number, b: number) => Math.floor(a / b);
const floorMod = (a: number, b: number) => a - Math.floor(a / b) * b;

const binaryOps: Record<string, ElementwiseOp> = {
  Add: { emit: node('Add'), fold: (a, b) => a + b },
  AddV2: { emit: node('Add'), fold: (a, b) => a + b },
  Sub: { emit: node('Sub'), fold: (a, b) => a - b },
  Mul: { emit: node('Mul'), fold: (a, b) => a * b },
  RealDiv: { emit: node('Div'), fold: (a, b) => a / b },
  // tfjs's div floors int32 operands (TensorFlow's own Div truncates); tfjs is the reference here.
  Div: {
    emit: (ctx, names, dtype) => (dtype === 'float32' ? ctx.graph.node('Div', names) : floorDivide(ctx, names, dtype)),
    fold: (a, b) => a / b,
    intFold: floorDiv,
  },
  DivNoNan: { emit: divideNoNan, fold: (a, b) => (b === 0 ? 0 : a / b), intFold: (a, b) => (b === 0 ? 0 : floorDiv(a, b)) },
  FloorDiv: { emit: floorDivide, fold: floorDiv },
  FloorMod: { emit: floorModulo, fold: floorMod },
  // tfjs-converter runs TF's Mod as tf.mod, a floored modulus (TensorFlow truncates); tfjs is the reference.
  Mod: { emit: floorModulo, fold: floorMod },
  Maximum: { emit: node('Max'), fold: Math.max },
  Minimum: { emit: node('Min'), fold: Math.min },
  SquaredDifference: {
    emit: (ctx, names) => {
      const difference = ctx.graph.node('Sub', names);
      return ctx.graph.node('Mul', [difference, difference]);
    },
    fold: (a, b) => (a - b) * (a - b),
  },
  Pow: { emit: node('Pow'), fold: Math.pow },
  Atan2: { emit: arcTangent2, fold: Math.atan2 },
  Equal: { emit: node('Equal'), fold: (a, b) => Number(a === b), dtype: 'bool' },
  NotEqual: {
    emit: (ctx, names) => ctx.graph.node('Not', [ctx.graph.node('Equal', names)]),
    fold: (a, b) => Number(a !== b),
    dtype: 'bool',
  },
  Greater: { emit: node('Greater'), fold: (a, b) => Number(a > b), dtype: 'bool' },
  GreaterEqual: { emit: node('GreaterOrEqual'), fold: (a, b) => Number(a >= b), dtype: 'bool' },
  Less: { emit: node('Less'), fold: (a, b) => Number(a < b), dtype: 'bool' },
  LessEqual: { emit: node('LessOrEqual'), fold: (a, b) => Number(a <= b), dtype: 'bool' },
  LogicalAnd: { emit: node('And'), fold: (a, b) => Number(a && b), dtype: 'bool' },
  LogicalOr: { emit: node('Or'), fold: (a, b) => Number(a || b), dtype: 'bool' },
};

const unaryOps: Record<string, ElementwiseOp> = {
  Neg: { emit: node('Neg'), fold: (a) => -a },
  Abs: { emit: node('Abs'), fold: Math.abs },
  Exp: { emit: node('Exp'), fold: Math.exp },
  Expm1: { emit: (ctx, [x]) => ctx.graph.node('Sub', [ctx.graph.node('Exp', [x]), ctx.graph.scalar('one', 1)]), fold: Math.expm1 },
  Log: { emit: node('Log'), fold: Math.log },
  Log1p: { emit: (ctx, [x]) => ctx.graph.node('Log', [ctx.graph.node('Add', [x, ctx.graph.scalar('one', 1)])]), fold: Math.log1p },
  Sqrt: { emit: node('Sqrt'), fold: Math.sqrt },
  Rsqrt: { emit: (ctx, [x]) => ctx.graph.node('Reciprocal', [ctx.graph.node('Sqrt', [x])]), fold: (a) => 1 / Math.sqrt(a) },
  Square: { emit: (ctx, [x]) => ctx.graph.node('Mul', [x, x]), fold: (a) => a * a },
  Reciprocal: { emit: node('Reciprocal'), fold: (a) => 1 / a },
  Floor: { emit: node('Floor'), fold: Math.floor },
  Ceil: { emit: node('Ceil'), fold: Math.ceil },
  // Both round half to even.
  Round: { emit: node('Round'), fold: roundHalfToEven },
  Sign: { emit: node('Sign'), fold: Math.sign },
  Sin: { emit: node('Sin'), fold: Math.sin },
  Cos: { emit: node('Cos'), fold: Math.cos },
  Tan: { emit: node('Tan'), fold: Math.tan },
  Asin: { emit: node('Asin'), fold: Math.asin },
  Acos: { emit: node('Acos'), fold: Math.acos },
  Atan: { emit: node('Atan'), fold: Math.atan },
  Sinh: { emit: node('Sinh'), fold: Math.sinh },
  Cosh: { emit: node('Cosh'), fold: Math.cosh },
  Asinh: { emit: node('Asinh'), fold: Math.asinh },
  Acosh: { emit: node('Acosh'), fold: Math.acosh },
  Atanh: { emit: node('Atanh'), fold: Math.atanh },
  Erf: { emit: node('Erf'), fold: erf },
  IsNan: { emit: node('IsNaN'), fold: (a) => Number(Number.isNaN(a)), dtype: 'bool' },
  IsInf: { emit: node('IsInf'), fold: (a) => Number(a === Infinity || a === -Infinity), dtype: 'bool' },
  IsFinite: {
    emit: (ctx, [x]) => ctx.graph.node('Not', [ctx.graph.node('Or', [ctx.graph.node('IsNaN', [x]), ctx.graph.node('IsInf', [x])])]),
    fold: (a) => Number(Number.isFinite(a)),
    dtype: 'bool',
  },
  LogicalNot: { emit: node('Not'), fold: (a) => Number(!a), dtype: 'bool' },
};

function roundHalfToEven(a: number): number {
  const floor = Math.floor(a);
  const fraction = a - floor;
  if (fraction !== 0.5) return Math.round(a);
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7), only for folding constants. */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}

function elementwiseHandler(op: ElementwiseOp, arity: number): TfOpHandler {
  return (ctx) => {
    ctx.requireInputs(arity);
    const values = ctx.inputs;
    const inputDtype = commonDtype(values);
    const dtype = op.dtype ?? inputDtype;
    if (values.every(isConstant)) {
      return mapElementwise([...values], dtype, valueFunction(op, dtype));
    }
    const { names, perm, shape } = alignElementwise(ctx, values);
    const result = tensorValue(op.emit(ctx, names, inputDtype), shape, perm, dtype);
    return partialResult(result, foldKnown(values, op, dtype));
  };
}

function valueFunction(op: ElementwiseOp, dtype: TfjsElementType): (...values: number[]) => number {
  if (dtype !== 'int32') return op.fold;
  return op.intFold ?? ((...values) => Math.trunc(op.fold(...values)));
}

/** Known elements of a small int32 result whose inputs are partly known shape vectors. */
function foldKnown(values: readonly TfValue[], op: ElementwiseOp, dtype: TfjsElementType): (number | null)[] | undefined {
  if (dtype !== 'int32') return undefined;
  const known = values.map(knownValues);
  if (known.some((k) => k === undefined) || !known.some((k, i) => !isConstant(values[i]) && k)) return undefined;
  const length = Math.max(...known.map((k) => k!.length));
  if (!known.every((k) => k!.length === length || k!.length === 1)) return undefined;
  return Array.from({ length }, (_, i) => {
    const args = known.map((k) => (k!.length === 1 ? k![0] : k![i]));
    return args.some((a) => a === null) ? null : valueFunction(op, dtype)(...(args as number[]));
  });
}

/** BiasAdd: the bias is added along the channel axis (last for NHWC, 1 for NCHW). */
function convertBiasAdd(ctx: TfOpContext): TfValue {
  ctx.requireInputs(2);
  const [x, bias] = ctx.inputs;
  if (ctx.attrs.choice('data_format', ['NHWC', 'NCHW'], 'NHWC') === 'NCHW' && x.shape.length > 2) {
    if (!isConstant(bias)) throw ctx.unsupported('a run-time bias with data_format NCHW is not supported');
    const reshaped = { ...bias, shape: [bias.shape[0], ...new Array<number>(x.shape.length - 2).fill(1)], views: new Map() };
    return elementwiseNode(ctx, 'Add', [x, reshaped], x.dtype);
  }
  return elementwiseNode(ctx, 'Add', [x, bias], x.dtype);
}

/**
 * ClipByValue(x, min, max): ONNX Clip when the bounds are scalars (Clip takes no others), else
 * Min then Max, TensorFlow's own order, broadcasting the bounds.
 */
function convertClipByValue(ctx: TfOpContext): TfValue {
  ctx.requireInputs(3);
  const [x, low, high] = ctx.inputs;
  if (ctx.inputs.every(isConstant)) return mapElementwise([...ctx.inputs], x.dtype, (v, lo, hi) => Math.max(Math.min(v, hi), lo));
  if (low.shape.length === 0 && high.shape.length === 0) {
    const { names, perm, shape } = alignElementwise(ctx, [x, low, high]);
    return tensorValue(ctx.graph.node('Clip', names), shape, perm, x.dtype);
  }
  return elementwiseNode(ctx, 'Max', [elementwiseNode(ctx, 'Min', [x, high], x.dtype), low], x.dtype);
}

/** AddN: the sum of N same-shaped inputs (ONNX Sum). */
function convertAddN(ctx: TfOpContext): TfValue {
  ctx.requireInputs(1, true);
  if (ctx.inputs.length === 1) return ctx.inputs[0];
  if (ctx.inputs.every(isConstant)) return mapElementwise([...ctx.inputs], ctx.inputs[0].dtype, (...v) => v.reduce((a, b) => a + b, 0));
  return elementwiseNode(ctx, 'Sum', ctx.inputs, commonDtype(ctx.inputs));
}

export const binaryOpNames = Object.keys(binaryOps);
export const unaryOpNames = Object.keys(unaryOps);

export const arithmeticOps: TfOpTable = {
  ...Object.fromEntries(Object.entries(binaryOps).map(([name, op]) => [name, elementwiseHandler(op, 2)])),
  ...Object.fromEntries(Object.entries(unaryOps).map(([name, op]) => [name, elementwiseHandler(op, 1)])),
  BiasAdd: convertBiasAdd,
  AddN: convertAddN,
  ClipByValue: convertClipByValue,
};
