import { expect } from 'vitest';

/** Runs `fn`, expecting it to reject with `type` whose message matches `message`. */
export async function expectError(fn: () => Promise<unknown>, type: new (...args: never[]) => Error, message: RegExp): Promise<Error> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected an error').toBeInstanceOf(type);
  expect((caught as Error).message).toMatch(message);
  return caught as Error;
}
