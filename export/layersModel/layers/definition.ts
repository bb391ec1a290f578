/**
 * How a built-in layer is declared, in tfjs-layers' manner (each layer's args declared once): the
 * options its config may hold, each with its type, default and the values the converter refuses
 * (and why), plus the function that converts one call of the layer given those options already
 * read. The converter core reads a layer's options at the edge, before its converter runs, so a
 * converter works with typed values and never reads its config by string key; the support check
 * (which options name activations) and the README's list of unsupported options read the same
 * declarations.
 */
import { readActivation } from '../activations.ts';
import type { DataFormat, LayerContext } from '../layerContext.ts';
import type { LayerConfig } from '../reader/layerConfig.ts';
import type { TensorValue } from '../../backend/graph/tensorValue.ts';

/** A value Keras allows for an option that the converter refuses, and why (for the README). */
export interface RefusedValue {
  /** The refused values, as a phrase after the option's name: `set to true`, `other than 1`. */
  values: string;
  reason: string;
}

export interface OptionDeclaration<T> {
  /** Reads and validates the option (`key` camelCased, as the reader stores configs). */
  read(config: LayerConfig, key: string): T;
  /** Set on options that name an activation function. */
  readonly activation?: boolean;
  readonly refused?: RefusedValue;
}

export type OptionDeclarations = Readonly<Record<string, OptionDeclaration<unknown>>>;

/** The typed options a declaration reads into. */
export type LayerArgs<O extends OptionDeclarations> = { readonly [K in keyof O]: O[K] extends OptionDeclaration<infer T> ? T : never };

export interface LayerDefinition<O extends OptionDeclarations = OptionDeclarations> {
  readonly options: O;
  convert(ctx: LayerContext, args: LayerArgs<O>): TensorValue | TensorValue[];
}

export type LayerDefinitionTable = Readonly<Record<string, LayerDefinition>>;

/** A layer's declaration: its options and its converter, which receives them typed. */
export function defineLayer<O extends OptionDeclarations>(
  options: O,
  convert: (ctx: LayerContext, args: LayerArgs<O>) => TensorValue | TensorValue[],
): LayerDefinition {
  return { options, convert: convert as LayerDefinition['convert'] };
}

/** Reads every declared option of a config, in declaration order; the first bad one throws, naming layer and option. */
export function readLayerArgs<O extends OptionDeclarations>(options: O, config: LayerConfig): LayerArgs<O> {
  const args: Record<string, unknown> = {};
  for (const [key, declaration] of Object.entries(options)) args[key] = declaration.read(config, key);
  return args as LayerArgs<O>;
}

const optional =
  <T>(read: (config: LayerConfig, key: string) => T) =>
  (config: LayerConfig, key: string): T | undefined =>
    config.has(key) ? read(config, key) : undefined;

/** The option types Keras configs use, each read through LayerConfig's validating accessors. */
export const option = {
  int: (fallback?: number): OptionDeclaration<number> => ({ read: (c, k) => c.int(k, fallback) }),
  optionalInt: (): OptionDeclaration<number | undefined> => ({ read: optional((c, k) => c.int(k)) }),
  number: (fallback?: number): OptionDeclaration<number> => ({ read: (c, k) => c.number(k, fallback) }),
  optionalNumber: (): OptionDeclaration<number | undefined> => ({ read: (c, k) => c.optionalNumber(k) }),
  bool: (fallback: boolean): OptionDeclaration<boolean> => ({ read: (c, k) => c.bool(k, fallback) }),
  /** A boolean whose default depends on who wrote the model: undefined when the config omits it. */
  optionalBool: (): OptionDeclaration<boolean | undefined> => ({ read: optional((c, k) => c.bool(k, false)) }),
  /** One of `supported`; other strings are valid Keras the converter refuses (listing what it takes). */
  choice: <T extends string>(supported: readonly T[], fallback: T, refused?: RefusedValue): OptionDeclaration<T> => ({
    read: (c, k) => c.choice(k, supported, fallback),
    refused,
  }),
  /** `3` or `[3, 3]`, as `length` integers. */
  intTuple: (length: number, fallback?: number | number[]): OptionDeclaration<number[]> => ({
    read: (c, k) => c.intTuple(k, length, fallback),
  }),
  optionalIntTuple: (length: number): OptionDeclaration<number[] | undefined> => ({ read: optional((c, k) => c.intTuple(k, length)) }),
  /** An axis or a list of axes. */
  axes: (fallback: number | number[]): OptionDeclaration<number[]> => ({ read: (c, k) => c.axes(k, fallback) }),
  optionalAxes: (): OptionDeclaration<number[] | undefined> => ({ read: optional((c, k) => c.axes(k, [])) }),
  intList: (): OptionDeclaration<number[]> => ({ read: (c, k) => c.intList(k) }),
  /** Sizes, null (or with allowMinusOne, -1) for one left open. */
  shape: (options: { allowMinusOne?: boolean } = {}): OptionDeclaration<(number | null)[]> => ({ read: (c, k) => c.shape(k, options) }),
  /** channels_last (default) or channels_first. */
  dataFormat: (): OptionDeclaration<DataFormat> => ({
    read: (c, k) => c.choice(k, ['channelsLast', 'channelsFirst'] as const, 'channelsLast'),
  }),
  /** An activation function's name (Keras 3 may write it as an object). */
  activation: (fallback = 'linear'): OptionDeclaration<string> => ({ read: (c, k) => readActivation(c, k, fallback), activation: true }),
  /** An activation whose default depends on who wrote the model: undefined when the config omits it. */
  optionalActivation: (): OptionDeclaration<string | undefined> => ({ read: optional((c, k) => readActivation(c, k)), activation: true }),
  /** An option with a spelling of its own (several forms, nested configs): `read` parses and validates it. */
  custom: <T>(read: (config: LayerConfig, key: string) => T, refused?: RefusedValue): OptionDeclaration<T> => ({ read, refused }),
  /**
   * `base`, refusing the values `accepts` rejects: the error names the value and lists
   * `supported`; `refused` says in the README what is refused and why (`why` also in the error).
   */
  refusing: <T>(
    base: OptionDeclaration<T>,
    accepts: (value: T) => boolean,
    refused: RefusedValue & { supported?: readonly unknown[]; why?: string },
  ): OptionDeclaration<T> => ({
    read: (c, k) => {
      const value = base.read(c, k);
      if (!accepts(value)) c.unsupported(k, value, refused.supported, refused.why);
      return value;
    },
    refused,
  }),
  /** Refused whenever the config sets it (an option with no ONNX translation). */
  absent: (refused: RefusedValue): OptionDeclaration<undefined> => ({
    read: (c, k) => {
      if (c.has(k)) c.unsupported(k, c.raw(k), [null]);
      return undefined;
    },
    refused,
  }),
};

/** An `axis` option (default the last) that may name one axis only; several are refused for `why`. */
export function singleAxis(why: string): OptionDeclaration<number[]> {
  return option.refusing(option.axes(-1), (axes) => axes.length === 1, { values: 'naming several axes', reason: why, why });
}
