// What every CLI command shares: the usage text, flag parsing helpers, and how failures end the
// process. Bad flags and bad input (an LSTMError, an unreadable file) print one line and exit 2;
// only a bug prints a stack trace.
import { LSTMError } from '../errors.js';

export const USAGE = `usage:
  wasm-lstm train <adding|copy|sine|dogcat|text> [--epochs N] [--hidden H] [--batch B] [--lr X]
                  [--seed S] [--steps T] [--samples N] [--save FILE] [--json] [--threads N|auto]
                  text: --text FILE [--generate N] [--temperature X]
  wasm-lstm predict --model FILE [--task adding|copy|sine|dogcat|text] [--samples N] [--seed S] [--json]
                  [--threads N|auto]
                  text: [--prompt STR] [--generate N] [--temperature X]
  wasm-lstm gradflow [--cell rnn|lstm|gru] [--steps T] [--hidden H] [--samples N] [--seed S] [--json]
  wasm-lstm bench [--quick] [--json] [--only W1,W2,…] [--builds simd,scalar] [--no-relaxed] [--threads N]`;

/** A mistake in the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** Bad input that is not a flag mistake (a file of the wrong kind, a model of another task): one
 *  line, exit code 2. */
export class InputError extends Error {}

export const TASKS = ['adding', 'copy', 'sine', 'dogcat', 'text'] as const;
export type TaskName = (typeof TASKS)[number];

export function isTask(v: unknown): v is TaskName {
  return typeof v === 'string' && (TASKS as readonly string[]).includes(v);
}

export function int(name: string, v: string | undefined, fallback: number, min = 1, max = 2 ** 31 - 1): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  return n;
}

/** --threads: a whole number of threads (1–64) or 'auto', as init() takes them; absent: one thread. */
export function threadsFlag(v: string | undefined): number | 'auto' | undefined {
  if (v === undefined || v === 'auto') return v;
  return int('threads', v, 1, 1, 64);
}

export function num(name: string, v: string | undefined, fallback: number, allowZero = false): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || (!allowZero && n === 0))
    throw new UsageError(
      `--${name} must be a ${allowZero ? 'number ≥ 0' : 'positive number'}, got ${JSON.stringify(v)}`,
    );
  return n;
}

/** `path` is a file we can read; else a one-line InputError naming the flag. */
export async function checkFile(flag: string, path: string): Promise<void> {
  const { stat } = await import('node:fs/promises');
  const st = await stat(path).catch((e: Error) => {
    throw new InputError(`--${flag} ${path}: ${e.message}`);
  });
  if (!st.isFile()) throw new InputError(`--${flag} ${path}: not a file`);
}

/** Node's file-system errors carry a code such as ENOENT, EISDIR or EACCES. */
function isFileError(e: unknown): e is Error & { code: string } {
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof Error && typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

/** The exit code for a failure, after printing it: 2 for bad input (one line), else rethrown. */
export function reportFailure(e: unknown): number {
  const err = e as Error & { code?: string };
  if (e instanceof UsageError || (typeof err?.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS'))) {
    console.error(`wasm-lstm: ${err.message}\n${USAGE}`);
    return 2;
  }
  if (e instanceof InputError || e instanceof LSTMError || isFileError(e)) {
    const path = (err as { path?: unknown }).path;
    const where = typeof path === 'string' && !err.message.includes(path) ? ` (${path})` : '';
    console.error(`wasm-lstm: ${err.message}${where}`);
    return 2;
  }
  throw e;
}
