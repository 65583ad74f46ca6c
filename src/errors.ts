// Every failure the library reports is an LSTMError with a stable `code`, the
// argument it concerns, what was expected and what came. Callers branch on `code`.

/**
 * The stable codes of {@link LSTMError}; branch on these, not on messages:
 * - `NOT_INITIALIZED`: a layer, model or session was created before {@link init} resolved; or
 *   `toOnnx()` was called without the `wasm-lstm/onnx` entry imported.
 * - `BUILD_UNAVAILABLE`: `init({ build })` named a build this engine cannot run, or a kernel file or
 *   URL could not be read.
 * - `INVALID_ARGUMENT`: a size, option, seed, length or value of the wrong kind or range.
 * - `SHAPE_MISMATCH`: an array or tensor whose length does not match its shape or the layer.
 * - `STATE_DICT_MISSING` / `STATE_DICT_UNEXPECTED` / `STATE_DICT_SHAPE`: `loadStateDict` (or a model
 *   file): a tensor absent, one the layer does not have, or one of the wrong shape or values.
 * - `NO_FORWARD`: `backward()` before any `forward()`.
 * - `DISPOSED`: any use after `dispose()`.
 * - `OUT_OF_MEMORY`: the request would not fit in wasm32 memory (4 GiB).
 * - `SAFETENSORS_INVALID`: a truncated, corrupt or lying safetensors or model file.
 * - `UNSUPPORTED_DTYPE`: a safetensors dtype this library does not read.
 * - `UNSUPPORTED_LAYER`: a Keras / tfjs layer, option or model shape this library cannot run or write.
 * - `ONNX_INVALID`: a truncated, corrupt or inconsistent ONNX file.
 * - `UNSUPPORTED_OP`: an ONNX operator, attribute or model feature this library does not run or write.
 * - `NOT_TRAINABLE`: backward, gradients or training on a layer with int8 weights (inference only).
 * - `NON_FINITE`: training met a NaN or infinite loss or gradient; no update was applied.
 */
export type LSTMErrorCode =
  | 'NOT_INITIALIZED' // a layer was built before init() resolved
  | 'BUILD_UNAVAILABLE' // init({ build }) asked for a build this runtime cannot run
  | 'INVALID_ARGUMENT' // a size, option or value of the wrong kind or range
  | 'SHAPE_MISMATCH' // an array whose length does not match the declared shape
  | 'STATE_DICT_MISSING' // loadStateDict: a tensor the layer needs is absent
  | 'STATE_DICT_UNEXPECTED' // loadStateDict: a tensor the layer does not have
  | 'STATE_DICT_SHAPE' // loadStateDict: a tensor with the wrong shape or length
  | 'NO_FORWARD' // backward() before any forward()
  | 'DISPOSED' // any use after dispose()
  | 'OUT_OF_MEMORY' // the request would exceed what wasm32 memory can hold
  | 'SAFETENSORS_INVALID' // a truncated, corrupt or lying safetensors file (or model file)
  | 'UNSUPPORTED_DTYPE' // a safetensors dtype we do not read
  | 'UNSUPPORTED_LAYER' // a Keras/tfjs layer, option or model shape this library cannot run or write
  | 'ONNX_INVALID' // a truncated, corrupt or inconsistent ONNX file
  | 'UNSUPPORTED_OP' // an ONNX operator, attribute or model feature this library does not run or write
  | 'NOT_TRAINABLE' // backward, gradients or fit on a layer with int8 weights (inference only)
  | 'NON_FINITE'; // training met a NaN or infinite loss or gradient (no update was applied)

/**
 * Every failure this library reports. Its `message` reads `[CODE] argument: reason; expected …; got …`,
 * and each part is also a field, so callers branch on {@link LSTMError.code} and show the rest.
 *
 * @example
 * ```ts
 * try {
 *   lstm.forward(x, { batch: 3 });
 * } catch (e) {
 *   if (e instanceof LSTMError && e.code === 'SHAPE_MISMATCH') console.log(e.argument, e.expected, e.actual);
 *   else throw e;
 * }
 * ```
 */
export class LSTMError extends Error {
  /** What kind of failure: stable across versions (see {@link LSTMErrorCode}). */
  readonly code: LSTMErrorCode;
  /** The argument, option, field or tensor it concerns (e.g. `'x'`, `'hiddenSize'`, `'bias_hh_l0'`). */
  readonly argument: string | undefined;
  /** What was expected, in words (e.g. `'Float32Array of length 60 [batch=2, steps=10, inputSize=3]'`). */
  readonly expected: string | undefined;
  /** What came instead, in words. */
  readonly actual: string | undefined;
  /** The message without the code, argument, expected and actual around it. */
  readonly reason: string;

  /**
   * @param code - The error's {@link LSTMErrorCode}.
   * @param message - The reason, without the code or details (kept as {@link LSTMError.reason}).
   * @param detail - The argument concerned, what was expected and what came.
   */
  constructor(
    code: LSTMErrorCode,
    message: string,
    detail: { argument?: string; expected?: string; actual?: string } = {},
  ) {
    const parts = [message];
    if (detail.expected !== undefined) parts.push(`expected ${detail.expected}`);
    if (detail.actual !== undefined) parts.push(`got ${detail.actual}`);
    super(`[${code}]${detail.argument ? ` ${detail.argument}:` : ''} ${parts.join('; ')}`);
    this.name = 'LSTMError';
    this.code = code;
    this.argument = detail.argument;
    this.expected = detail.expected;
    this.actual = detail.actual;
    this.reason = message;
  }
}

/** A short printable description of any value, for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (ArrayBuffer.isView(value))
    return `${value.constructor.name}(${(value as unknown as { length?: number }).length ?? value.byteLength})`;
  if (Array.isArray(value)) return `Array(${value.length})`;
  return typeof value;
}

/**
 * Options objects take only the keys they document: a misspelt option (`bidirectonal: true`) is an
 * INVALID_ARGUMENT naming it, not a silent default, as model files already refuse unknown keys. Keys
 * whose value is undefined are let through (a spread of optional fields).
 */
export function checkOptionKeys(options: unknown, allowed: readonly string[]): void {
  if (options === null || typeof options !== 'object') return;
  // for-in, not Object.keys: forward() and backward() check their options on every call, allocation-free
  for (const key in options) {
    if (!Object.hasOwn(options, key)) continue;
    if ((options as Record<string, unknown>)[key] === undefined || allowed.includes(key)) continue;
    throw new LSTMError('INVALID_ARGUMENT', 'unknown option', {
      argument: key,
      expected: allowed.length ? `one of ${allowed.join(', ')}` : 'no options',
      actual: JSON.stringify(key),
    });
  }
}

/** A boolean, or `fallback` when absent; throws INVALID_ARGUMENT naming `argument`. */
export function checkBool(argument: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new LSTMError('INVALID_ARGUMENT', 'must be a boolean', {
      argument,
      expected: 'true or false',
      actual: describe(value),
    });
  }
  return value;
}

/** A positive integer no larger than `max`; throws INVALID_ARGUMENT naming `argument`. */
export function checkSize(argument: string, value: unknown, max = 1 << 24, min = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new LSTMError('INVALID_ARGUMENT', 'must be an integer in range', {
      argument,
      expected: `an integer in [${min}, ${max}]`,
      actual: describe(value),
    });
  }
  return value;
}

/** An options argument: an object, or absent ({}). */
export function checkOptions<T extends object>(
  value: T | undefined,
  argument = 'options',
  keys?: readonly string[],
): T {
  if (value === undefined) return {} as T;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new LSTMError('INVALID_ARGUMENT', 'options must be an object', {
      argument,
      expected: 'an object (or nothing)',
      actual: describe(value),
    });
  }
  if (keys) checkOptionKeys(value, keys);
  return value;
}

/** Seeds are u32 (the state of mulberry32): an integer in [0, 2^32 − 1], or `fallback` when absent. */
export function checkSeed(argument: string, value: unknown, fallback = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new LSTMError('INVALID_ARGUMENT', 'a seed must be an integer in [0, 2^32)', {
      argument,
      expected: 'an integer in [0, 4294967295]',
      actual: describe(value),
    });
  }
  return value;
}

/** A Float32Array of exactly `length` elements, described by `shape` in the message. */
export function checkFloat32(argument: string, value: unknown, length: number, shape: string): Float32Array {
  if (!(value instanceof Float32Array)) {
    throw new LSTMError('INVALID_ARGUMENT', 'must be a Float32Array', {
      argument,
      expected: `Float32Array of length ${length} ${shape}`,
      actual: describe(value),
    });
  }
  if (value.length !== length) {
    throw new LSTMError('SHAPE_MISMATCH', 'wrong length', {
      argument,
      expected: `length ${length} ${shape}`,
      actual: `length ${value.length}`,
    });
  }
  return value;
}
