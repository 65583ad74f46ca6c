// State-dict key prefixes: a PyTorch module that wraps layers names their tensors
// 'rnn.weight_ih_l0', 'fc.weight', …; a layer reads and writes its own names under a prefix.
import { LSTMError, describe } from '../errors.js';
import type { StateDict } from '../tensor.js';

function checkPrefix(prefix: unknown, argument = 'prefix'): string {
  if (prefix === undefined) return '';
  if (typeof prefix !== 'string')
    throw new LSTMError('INVALID_ARGUMENT', 'a prefix must be a string', {
      argument,
      expected: "a string such as 'rnn.'",
      actual: describe(prefix),
    });
  return prefix;
}

/** The entries of `dict` under `prefix`, with the prefix stripped (all of them for ''). */
export function selectPrefix(dict: StateDict, prefix: unknown, argument?: string): StateDict {
  const p = checkPrefix(prefix, argument);
  if (p === '' || dict === null || typeof dict !== 'object') return dict;
  const out: StateDict = {};
  for (const [k, t] of Object.entries(dict)) if (k.startsWith(p)) out[k.slice(p.length)] = t;
  return out;
}

/** `dict` with every key prefixed. */
export function addPrefix(dict: StateDict, prefix: unknown, argument?: string): StateDict {
  const p = checkPrefix(prefix, argument);
  if (p === '') return dict;
  const out: StateDict = {};
  for (const [k, t] of Object.entries(dict)) out[p + k] = t;
  return out;
}

/** Re-throws a state-dict error with the full (prefixed) key as its argument. */
export function withPrefixInErrors<T>(prefix: string | undefined, fn: () => T): T {
  if (!prefix) return fn();
  try {
    return fn();
  } catch (e) {
    if (e instanceof LSTMError && e.code.startsWith('STATE_DICT') && e.argument !== undefined)
      throw new LSTMError(e.code, e.message.replace(/^\[[A-Z_]+\]( [^:]+:)? /, '').split('; ')[0]!, {
        argument: prefix + e.argument,
        expected: e.expected,
        actual: e.actual,
      });
    throw e;
  }
}
