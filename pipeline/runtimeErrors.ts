/**
 * The runtime package's errors (TfjsOnnxRuntimeError and its subclasses: the model cannot be loaded,
 * is not a classifier, an input does not fit, an image cannot be decoded) are the user's to fix.
 * Commands that call the runtime report them as InvalidInputErrors naming the file, so they read
 * as one line instead of the CLI's "unexpected error".
 */
import { TfjsOnnxRuntimeError } from '@tfjs-onnx/runtime/errors';
import { InvalidInputError } from '../common/errors.ts';

/** Runs a runtime call for `subject` (a model or image path), turning runtime errors into InvalidInputErrors naming it. */
export async function runtimeCall<T>(subject: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof TfjsOnnxRuntimeError)) throw error;
    const message = error.message.includes(subject) ? error.message : `${subject}: ${error.message}`;
    throw new InvalidInputError(message, { cause: error });
  }
}
