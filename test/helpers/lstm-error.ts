// Assertions shared by the reliability tests: a call fails with a typed LSTMError (code, argument),
// and the live bytes of the wasm arena (the leak check).
import { expect } from 'vitest';
import { LSTMError, type LSTMErrorCode } from '../../src/index.js';
import { currentRuntime } from '../../src/runtime.js';

/** Runs `fn`, expects an LSTMError with `code` (and `argument`, when given, named in the message). */
export function expectError(fn: () => unknown, code: LSTMErrorCode, argument?: string | RegExp): LSTMError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a throw').toBeInstanceOf(LSTMError);
  const err = caught as LSTMError;
  expect(err.code, err.message).toBe(code);
  if (typeof argument === 'string') {
    expect(err.argument, err.message).toBe(argument);
    expect(err.message).toContain(argument);
  } else if (argument) expect(err.argument, err.message).toMatch(argument);
  return err;
}

/** The same for a promise. */
export async function expectRejection(
  p: Promise<unknown>,
  code: LSTMErrorCode,
  argument?: string | RegExp,
): Promise<LSTMError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  return expectError(
    () => {
      if (caught !== undefined) throw caught;
    },
    code,
    argument,
  );
}

/** Bytes of wasm memory handed out and not freed. */
export const liveBytes = (): number => currentRuntime().arena.liveBytes;
