/**
 * Wrappers: TimeDistributed applies a layer to every step, Bidirectional runs a recurrent layer
 * both ways. Both hand the layer they hold back to the converter core, so they wrap any layer the
 * converter knows (a nested model or a plugin's layer included).
 */
import { InvalidInputError } from '../../../common/errors.ts';
import { attr } from '../../backend/graph/graphBuilder.ts';
import type { LayerContext } from '../layerContext.ts';
import { physicalAxis } from '../../backend/graph/layout.ts';
import type { TensorValue } from '../../backend/graph/tensorValue.ts';
import type { LayerSpec } from '../reader/modelTopology.ts';
import { reverseSteps } from './recurrent/steps.ts';
import { defineLayer, option, type LayerDefinitionTable } from './definition.ts';

type WrappedLayers = LayerSpec['wrapped'];

function wrappedLayer(ctx: LayerContext, key: 'layer' | 'backwardLayer', spec: LayerSpec | undefined): LayerSpec {
  if (!spec) throw ctx.config.invalid(key, 'the config of the wrapped layer');
  return spec;
}

/**
 * TimeDistributed(layer): [batch, steps, ...] is folded to [batch·steps, ...], the layer runs once
 * on all steps, and the result is unfolded to [batch, steps, ...]. Sizes come from the tensors at
 * run time, so unknown batch or step counts work.
 */
function convertTimeDistributed(ctx: LayerContext, wrapped: WrappedLayers): TensorValue[] {
  const inner = wrappedLayer(ctx, 'layer', wrapped?.layer);
  const x = ctx.input();
  if (x.shape.length < 3)
    throw new InvalidInputError(`${ctx.config.label} needs an input of rank 3 or more, got ${JSON.stringify(x.shape)}`);
  const g = ctx.graph;
  const input = ctx.logical(x);
  const inputShape = g.node('Shape', [input]);
  const sampleShape = g.node('Slice', [inputShape, g.int64Constant('starts', [2]), g.int64Constant('ends', [x.shape.length])]);
  const folded = g.node('Reshape', [input, g.node('Concat', [g.int64Constant('all_steps', [-1]), sampleShape], { axis: attr.int(0) })]);
  const foldedValue = ctx.result(folded, [null, ...x.shape.slice(2)], x.dtype);
  const { outputs } = ctx.convertWrapped(inner, [foldedValue]);
  const leading = g.node('Slice', [inputShape, g.int64Constant('starts', [0]), g.int64Constant('ends', [2])]);
  return outputs.map((y) => {
    const flat = ctx.logical(y);
    const rest = g.node('Slice', [g.node('Shape', [flat]), g.int64Constant('starts', [1]), g.int64Constant('ends', [y.shape.length])]);
    const unfolded = g.node('Reshape', [flat, g.node('Concat', [leading, rest], { axis: attr.int(0) })]);
    return ctx.result(unfolded, [x.shape[0], x.shape[1], ...y.shape.slice(1)], y.dtype);
  });
}

const MERGE_MODES = ['concat', 'sum', 'mul', 'ave'] as const;
type MergeMode = (typeof MERGE_MODES)[number];

/** merge_mode: one of MERGE_MODES, or null for the two directions as separate outputs. */
const mergeModeOption = option.custom((config, key): MergeMode | null =>
  config.raw(key) === null ? null : config.choice(key, MERGE_MODES, 'concat'),
);

/**
 * Bidirectional(layer): the forward layer, and a copy running backwards (or the given
 * backward_layer), on the same input; the backward sequence is put back in time order, then the
 * two are merged (merge_mode) or returned as two outputs (null). With return_state the states
 * follow: forward's, then backward's. Keras (not tfjs) zeroes the outputs at masked steps here.
 */
function convertBidirectional(ctx: LayerContext, wrapped: WrappedLayers, mergeMode: MergeMode | null): TensorValue[] {
  const forwardSpec = wrappedLayer(ctx, 'layer', wrapped?.layer);
  const backwardSpec = wrapped?.backwardLayer ?? {
    ...forwardSpec,
    config: { ...forwardSpec.config, goBackwards: !(forwardSpec.config.goBackwards ?? false) },
  };
  const returnSequences = forwardSpec.config.returnSequences === true;
  const returnState = forwardSpec.config.returnState === true;
  const zeroOutputForMask = ctx.producer.framework === 'keras' && returnSequences;
  const withMaskRule = (spec: LayerSpec): LayerSpec => ({ ...spec, config: { ...spec.config, zeroOutputForMask } });

  const [x, ...initialStates] = ctx.inputs;
  const half = initialStates.length / 2;
  if (!Number.isInteger(half))
    throw new InvalidInputError(`${ctx.config.label} needs as many initial states for its backward layer as for its forward layer`);
  const masks = [ctx.inputMasks[0]];
  const forward = ctx.convertWrapped(withMaskRule(forwardSpec), [x, ...initialStates.slice(0, half)], {
    masks,
    weights: ctx.weights.scope((segment) => segment.startsWith('forward_')),
  }).outputs;
  const backward = ctx.convertWrapped(withMaskRule(backwardSpec), [x, ...initialStates.slice(half)], {
    masks,
    weights: ctx.weights.scope((segment) => segment.startsWith('backward_')),
  }).outputs;

  const y = forward[0];
  const yBackward = returnSequences ? reverseSteps(ctx, backward[0]) : backward[0];
  const states = returnState ? [...forward.slice(1), ...backward.slice(1)] : [];
  const outputMask = returnSequences ? ctx.inputMasks[0] : undefined;
  if (mergeMode === null) {
    ctx.outputMasks = [outputMask, outputMask];
    return [y, yBackward, ...states];
  }
  ctx.outputMasks = [outputMask];
  return [mergeDirections(ctx, mergeMode, y, yBackward), ...states];
}

/** Merges in the forward output's stored layout (time-major after a recurrent op), so no transpose is added. */
function mergeDirections(ctx: LayerContext, mode: MergeMode, y: TensorValue, yBackward: TensorValue): TensorValue {
  const g = ctx.graph;
  const perm = y.perm;
  const [a, b] = [ctx.inLayout(y, perm), ctx.inLayout(yBackward, perm)];
  const rank = y.shape.length;
  switch (mode) {
    case 'concat': {
      const last = y.shape[rank - 1];
      const shape = [...y.shape.slice(0, -1), last === null ? null : 2 * last];
      return ctx.resultWithPerm(g.node('Concat', [a, b], { axis: attr.int(physicalAxis(perm, rank - 1)) }), shape, perm);
    }
    case 'sum':
      return ctx.resultWithPerm(g.node('Add', [a, b]), y.shape, perm);
    case 'mul':
      return ctx.resultWithPerm(g.node('Mul', [a, b]), y.shape, perm);
    case 'ave':
      return ctx.resultWithPerm(g.node('Mul', [g.scalar('half', 0.5), g.node('Add', [a, b])]), y.shape, perm);
  }
}

export const wrapperLayers: LayerDefinitionTable = {
  TimeDistributed: defineLayer({}, (ctx) => convertTimeDistributed(ctx, ctx.wrapped)),
  Bidirectional: defineLayer({ mergeMode: mergeModeOption }, (ctx, { mergeMode }) => convertBidirectional(ctx, ctx.wrapped, mergeMode)),
};
