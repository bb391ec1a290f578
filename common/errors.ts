/**
 * Errors meant for the user. Anything thrown as a UserError is printed by the CLI as
 * `error: <message>` with exit code 1 and no stack trace; anything else is a bug and
 * keeps its stack.
 */
export class UserError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A command-line option or API option has a value we cannot use. */
export class InvalidOptionError extends UserError {}

/** An input file is missing, unreadable, or not what its name promises. */
export class InvalidInputError extends UserError {}

/** A file or directory we must write cannot be written. */
export class OutputError extends UserError {}

/** Short, one-line text for an unknown thrown value: the runtime's, the project's one implementation. */
export { describeError } from '@tfjs-onnx/runtime/errors';
