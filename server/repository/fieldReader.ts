/**
 * Typed reading of the protobuf text format's generic field tree (pbtxt.ts) — strings, enum names,
 * bounded integers, nested messages — for a model configuration, whether it came from
 * config.pbtxt or from JSON, with each problem naming the file and line or the field.
 */
import { InvalidInputError } from '../../common/errors.ts';
import { TextMessage, type TextField, type TextScalar } from './pbtxt.ts';

/** Typed access to the generic tree, each problem reported with the file and line (config.pbtxt) or the field (JSON). */
export class FieldReader {
  constructor(
    private readonly file: string,
    /** JSON form: enums are strings, and 64-bit integers may be decimal strings. */
    private readonly json: boolean,
  ) {}

  error(message: TextMessage, field: string, problem: string): InvalidInputError {
    const found = message.get(field)[0];
    return found ? this.errorAt(found, problem) : new InvalidInputError(`${this.file}: ${problem}`);
  }

  errorAt(field: TextField, problem: string): InvalidInputError {
    return new InvalidInputError(`${this.file}${field.line > 0 ? `: line ${field.line}` : ''}: ${problem}`);
  }

  private single(message: TextMessage, field: string): TextField | undefined {
    const fields = message.get(field);
    if (fields.length > 1) throw this.errorAt(fields[1], `'${field}' is given more than once`);
    return fields[0];
  }

  private scalar(field: TextField, name: string): TextScalar {
    if (field.value instanceof TextMessage)
      throw this.errorAt(field, `'${name}' is a value, not a ${this.json ? 'JSON object' : '{ } block'}`);
    return field.value;
  }

  optionalString(message: TextMessage, name: string): string | undefined {
    const field = this.single(message, name);
    if (!field) return undefined;
    const value = this.scalar(field, name);
    if (value.kind !== 'string') throw this.errorAt(field, `'${name}' must be a quoted string`);
    return value.value;
  }

  requiredString(message: TextMessage, name: string): string {
    const value = this.optionalString(message, name);
    if (value === undefined) throw new InvalidInputError(`${this.file}: a tensor has no '${name}'`);
    return value;
  }

  requiredIdentifier(message: TextMessage, name: string): string {
    const field = this.single(message, name);
    if (!field) throw new InvalidInputError(`${this.file}: a tensor has no '${name}'`);
    const value = this.scalar(field, name);
    // In JSON an enum value is a string.
    if (value.kind !== 'identifier' && !(this.json && value.kind === 'string'))
      throw this.errorAt(field, `'${name}' must be a name such as TYPE_FP32`);
    return value.value as string;
  }

  optionalIdentifier(message: TextMessage, name: string): string | undefined {
    const field = this.single(message, name);
    if (!field) return undefined;
    const value = this.scalar(field, name);
    // In JSON an enum value is a string.
    if (value.kind !== 'identifier' && !(this.json && value.kind === 'string'))
      throw this.errorAt(field, `'${name}' must be a name such as KIND_GPU`);
    return value.value as string;
  }

  optionalInteger(message: TextMessage, name: string, min: number, max: number): number | undefined {
    const field = this.single(message, name);
    return field ? this.integer(field, name, min, max) : undefined;
  }

  integers(message: TextMessage, name: string, min: number, max: number): number[] {
    return message.get(name).map((field) => this.integer(field, name, min, max));
  }

  private integer(field: TextField, name: string, min: number, max: number): number {
    const value = this.scalar(field, name);
    // protobuf's JSON mapping writes 64-bit integers as decimal strings; its parser reads both forms.
    const number =
      value.kind === 'number'
        ? value.value
        : this.json && value.kind === 'string' && /^-?\d+$/.test(value.value)
          ? Number(value.value)
          : undefined;
    if (number === undefined || !Number.isSafeInteger(number) || number < min || number > max) {
      const shown = value.kind === 'number' ? value.text : value.kind === 'string' ? JSON.stringify(value.value) : value.value;
      throw this.errorAt(field, `'${name}' is ${shown}; expected a whole number from ${min} to ${max}`);
    }
    return number;
  }

  optionalMessage(message: TextMessage, name: string): TextMessage | undefined {
    const field = this.single(message, name);
    if (!field) return undefined;
    if (!(field.value instanceof TextMessage)) throw this.errorAt(field, `'${name}' must be a ${this.json ? 'JSON object' : '{ } block'}`);
    return field.value;
  }

  messages(message: TextMessage, name: string): TextMessage[] {
    return message.get(name).map((field) => {
      if (!(field.value instanceof TextMessage))
        throw this.errorAt(field, `'${name}' must be a ${this.json ? 'JSON object' : '{ } block'}`);
      return field.value;
    });
  }
}
