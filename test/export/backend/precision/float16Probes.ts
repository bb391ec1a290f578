/**
 * One single-op model per op of the float16 lists (export/backend/precision/float16Kernels.ts), with float16
 * input, weights and output, for asking onnxruntime which element type each kernel really runs on.
 */
import { Float16Array } from '@petamoriken/float16';
import { GraphBuilder, attr } from '../../../../export/backend/graph/graphBuilder.ts';
import { encodeModel } from '../../../../export/backend/onnx/encodeModel.ts';

interface Probe {
  /** Input shape (default [2, 4]). */
  shape?: number[];
  opset?: number;
  build: (g: GraphBuilder, x: string) => string;
}

const FLOAT16_CODE = 10;

function half(g: GraphBuilder, name: string, dims: number[], fill: (i: number) => number): string {
  const size = dims.reduce((a, b) => a * b, 1);
  return g.initializer(name, dims, 'float16', new Uint16Array(new Float16Array(Array.from({ length: size }, (_, i) => fill(i))).buffer));
}

const unary = (op: string, attributes = {}): Probe => ({ build: (g, x) => g.node(op, [x], attributes) });
const binary = (op: string): Probe => ({ build: (g, x) => g.node(op, [x, half(g, 'c', [4], (i) => 0.5 + i)]) });
const image = (build: Probe['build']): Probe => ({ shape: [1, 2, 4, 4], build });

export const FLOAT16_PROBES: Record<string, Probe> = {
  Identity: unary('Identity'),
  Reshape: { build: (g, x) => g.node('Reshape', [x, g.int64Constant('shape', [4, 2])]) },
  Flatten: unary('Flatten'),
  Transpose: unary('Transpose', { perm: attr.ints([1, 0]) }),
  Squeeze: { build: (g, x) => g.node('Squeeze', [g.node('Unsqueeze', [x, g.int64Constant('axes', [0])]), g.int64Constant('axes', [0])]) },
  Unsqueeze: { build: (g, x) => g.node('Squeeze', [g.node('Unsqueeze', [x, g.int64Constant('axes', [0])]), g.int64Constant('axes', [0])]) },
  Concat: {
    build: (g, x) =>
      g.node('Slice', [
        g.node('Concat', [x, x], { axis: attr.int(1) }),
        g.int64Constant('s', [0]),
        g.int64Constant('e', [4]),
        g.int64Constant('a', [1]),
      ]),
  },
  Split: { build: (g, x) => g.node('Concat', g.nodeWithOutputs('Split', [x], 2, { axis: attr.int(1) }), { axis: attr.int(1) }) },
  Slice: {
    build: (g, x) =>
      g.node(
        'Concat',
        [
          g.node('Slice', [x, g.int64Constant('s', [0]), g.int64Constant('e', [2]), g.int64Constant('a', [1])]),
          g.node('Slice', [x, g.int64Constant('s', [2]), g.int64Constant('e', [4]), g.int64Constant('a', [1])]),
        ],
        { axis: attr.int(1) },
      ),
  },
  Gather: { build: (g, x) => g.node('Gather', [x, g.int64Constant('indices', [3, 2, 1, 0])], { axis: attr.int(1) }) },
  Expand: { build: (g, x) => g.node('Expand', [x, g.int64Constant('shape', [2, 4])]) },
  Cast: { build: (g, x) => g.node('Cast', [g.node('Cast', [x], { to: attr.int(6) })], { to: attr.int(FLOAT16_CODE) }) },
  Where: {
    build: (g, x) =>
      g.node('Where', [g.initializer('condition', [4], 'bool', Uint8Array.of(1, 0, 1, 0)), x, half(g, 'other', [4], () => 1)]),
  },
  Min: binary('Min'),
  Max: binary('Max'),
  Clip: { build: (g, x) => g.node('Clip', [x, half(g, 'low', [], () => 0), half(g, 'high', [], () => 0.5)]) },
  LayerNormalization: {
    opset: 17,
    build: (g, x) =>
      g.node('LayerNormalization', [x, half(g, 'scale', [4], () => 1), half(g, 'bias', [4], () => 0.1)], { axis: attr.int(-1) }),
  },
  Add: binary('Add'),
  Sub: binary('Sub'),
  Mul: binary('Mul'),
  Div: binary('Div'),
  Pow: binary('Pow'),
  Sum: binary('Sum'),
  Mean: binary('Mean'),
  PRelu: binary('PRelu'),
  Sqrt: unary('Sqrt'),
  Abs: unary('Abs'),
  Neg: unary('Neg'),
  Exp: unary('Exp'),
  Log: unary('Log'),
  Erf: unary('Erf'),
  Relu: unary('Relu'),
  LeakyRelu: unary('LeakyRelu', { alpha: attr.float(0.1) }),
  Elu: unary('Elu'),
  Selu: unary('Selu'),
  ThresholdedRelu: unary('ThresholdedRelu'),
  Sigmoid: unary('Sigmoid'),
  HardSigmoid: unary('HardSigmoid'),
  Tanh: unary('Tanh'),
  Softplus: unary('Softplus'),
  Softsign: unary('Softsign'),
  Softmax: unary('Softmax', { axis: attr.int(-1) }),
  LogSoftmax: unary('LogSoftmax', { axis: attr.int(-1) }),
  MatMul: { build: (g, x) => g.node('MatMul', [x, half(g, 'w', [4, 3], (i) => i / 10)]) },
  Gemm: { build: (g, x) => g.node('Gemm', [x, half(g, 'w', [4, 3], (i) => i / 10), half(g, 'b', [3], (i) => i)]) },
  Conv: image((g, x) =>
    g.node('Conv', [x, half(g, 'w', [3, 2, 3, 3], (i) => i / 50), half(g, 'b', [3], (i) => i)], { pads: attr.ints([1, 1, 1, 1]) }),
  ),
  ConvTranspose: image((g, x) => g.node('ConvTranspose', [x, half(g, 'w', [2, 3, 3, 3], (i) => i / 50)])),
  BatchNormalization: image((g, x) =>
    g.node('BatchNormalization', [
      x,
      half(g, 's', [2], () => 1),
      half(g, 'b', [2], () => 0.1),
      half(g, 'm', [2], () => 0.2),
      half(g, 'v', [2], () => 1.5),
    ]),
  ),
  MaxPool: image((g, x) => g.node('MaxPool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) })),
  AveragePool: image((g, x) => g.node('AveragePool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) })),
  GlobalAveragePool: image((g, x) => g.node('GlobalAveragePool', [x])),
  GlobalMaxPool: image((g, x) => g.node('GlobalMaxPool', [x])),
  ReduceMean: unary('ReduceMean', { axes: attr.ints([1]) }),
  ReduceMax: unary('ReduceMax', { axes: attr.ints([1]) }),
  ReduceSum: { build: (g, x) => g.node('ReduceSum', [x, g.int64Constant('axes', [1])]) },
  Resize: image((g, x) => g.node('Resize', [x, '', g.floatConstant('scales', [4], [1, 1, 2, 2])], { mode: attr.string('nearest') })),
  Pad: { build: (g, x) => g.node('Pad', [x, g.int64Constant('pads', [0, 1, 0, 1])]) },
  Tile: { build: (g, x) => g.node('Tile', [x, g.int64Constant('repeats', [1, 2])]) },
  DepthToSpace: { shape: [1, 4, 2, 2], build: (g, x) => g.node('DepthToSpace', [x], { blocksize: attr.int(2) }) },
  Less: { build: (g, x) => g.node('Where', [g.node('Less', [x, half(g, 'zero', [], () => 0)]), x, half(g, 'other', [4], () => 1)]) },
};

/** The probe of `op` as ONNX bytes, with the input's shape and float16 data to feed. */
export function float16ProbeModel(op: string): { bytes: Uint8Array; shape: number[]; data: Uint16Array } {
  const probe = FLOAT16_PROBES[op];
  if (!probe) throw new Error(`no float16 probe for ${op}: add one to test/export/backend/precision/float16Probes.ts`);
  const shape = probe.shape ?? [2, 4];
  const g = new GraphBuilder();
  g.inputs.push({ name: 'x', elementType: 'float16', shape });
  const output = probe.build(g, 'x');
  g.outputs.push({ name: output, elementType: 'float16', shape: shape.map(() => null) });
  const bytes = encodeModel(g, {
    opset: probe.opset ?? 13,
    graphName: op,
    producerName: 'probe',
    producerVersion: '0',
    docString: '',
    metadata: {},
  });
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Uint16Array(new Float16Array(Array.from({ length: size }, (_, i) => ((i % 7) - 3) / 4)).buffer);
  return { bytes, shape, data };
}
