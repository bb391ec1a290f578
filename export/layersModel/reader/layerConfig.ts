/**
 * Typed access to one layer's (camelCased) config. Every read validates the value and, when it
 * is wrong, says which layer, which class and which option, so converters can trust what they get.
 */
import { InvalidInputError } from '../../../common/errors.ts';
import { UnconvertibleModelError } from '../../errors.ts';

export class LayerConfig {
  constructor(
    readonly layerName: string,
    readonly className: string,
    private readonly values: Record<string, unknown>,
  ) {}

  /** `layer "conv1" (Conv2D)`: how messages refer to this layer. */
  get label(): string {
    return `layer "${this.layerName}" (${this.className})`;
  }

  has(key: string): boolean {
    return this.values[key] !== undefined && this.values[key] !== null;
  }

  raw(key: string): unknown {
    return this.values[key];
  }

  number(key: string, fallback?: number): number {
    const value = this.values[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw this.invalid(key, 'a finite number');
    return value;
  }

  optionalNumber(key: string): number | undefined {
    return this.has(key) ? this.number(key) : undefined;
  }

  int(key: string, fallback?: number): number {
    const value = this.number(key, fallback);
    if (!Number.isInteger(value)) throw this.invalid(key, 'an integer');
    return value;
  }

  bool(key: string, fallback: boolean): boolean {
    const value = this.values[key] ?? fallback;
    if (typeof value !== 'boolean') throw this.invalid(key, 'true or false');
    return value;
  }

  /** A string option restricted to what the converter implements; anything else is unsupported, not corrupt. */
  choice<T extends string>(key: string, supported: readonly T[], fallback: T): T {
    const value = this.values[key] ?? fallback;
    if (typeof value !== 'string') throw this.invalid(key, `one of ${supported.join(', ')}`);
    if (!(supported as readonly string[]).includes(value)) this.unsupported(key, value, supported);
    return value as T;
  }

  /** `kernel_size: 3` or `[3, 3]`, as a tuple of `length` positive integers. */
  intTuple(key: string, length: number, fallback?: number | number[]): number[] {
    const value = this.values[key] ?? fallback;
    const list = typeof value === 'number' ? Array<number>(length).fill(value) : value;
    if (!Array.isArray(list) || list.length !== length || !list.every((v) => Number.isInteger(v))) {
      throw this.invalid(key, `an integer or a list of ${length} integers`);
    }
    return list as number[];
  }

  /** An axis or list of axes (Keras allows both for e.g. LayerNormalization). */
  axes(key: string, fallback: number | number[]): number[] {
    const value = this.values[key] ?? fallback;
    const list = typeof value === 'number' ? [value] : value;
    if (!Array.isArray(list) || list.length === 0 || !list.every((v) => Number.isInteger(v))) {
      throw this.invalid(key, 'an integer axis or a list of axes');
    }
    return list as number[];
  }

  intList(key: string): number[] {
    const value = this.values[key];
    if (!Array.isArray(value) || !value.every((v) => Number.isInteger(v))) throw this.invalid(key, 'a list of integers');
    return value as number[];
  }

  /** A shape that may contain unknown (null) sizes, e.g. `batch_input_shape`. */
  shape(key: string, options: { allowMinusOne?: boolean } = {}): (number | null)[] {
    const value = this.values[key];
    const smallest = options.allowMinusOne ? -1 : 0;
    if (!Array.isArray(value) || !value.every((v) => v === null || (Number.isInteger(v) && v >= smallest))) {
      throw this.invalid(key, 'a list of sizes (integers or null)');
    }
    return value as (number | null)[];
  }

  invalid(key: string, expected: string): InvalidInputError {
    return new InvalidInputError(`${this.label}: option ${key}=${JSON.stringify(this.values[key])} is invalid; expected ${expected}`);
  }

  /** Throws: the option is valid Keras but has no ONNX translation here. */
  unsupported(key: string, value: unknown, supported?: readonly unknown[], why?: string): never {
    const list = supported ? `; supported: ${supported.map((v) => JSON.stringify(v)).join(', ')}` : '';
    throw new UnconvertibleModelError(
      `${this.label}: option ${key}=${JSON.stringify(value)} is not supported by the ONNX converter${why ? ` (${why})` : ''}${list}`,
    );
  }
}
