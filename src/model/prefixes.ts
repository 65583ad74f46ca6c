// A model's parameters under one name each, as a PyTorch module's state_dict() names them: one
// prefix per layer (`layers.{i}.` by default, e.g. ['rnn.', 'fc.'] for a module's attributes), or one
// per layer that has parameters (parameter-free layers such as Dropout have nothing in a module).
import { describe, LSTMError } from '../errors.js';
import { addPrefix, type Layer, selectPrefix } from '../layers/layer.js';
import type { StateDict } from '../tensor.js';

/** One prefix per layer (null: a parameter-free layer the caller gave no prefix). */
export function layerPrefixes(layers: readonly Layer[], prefixes: string[] | undefined): (string | null)[] {
  if (prefixes === undefined) return layers.map((_, i) => `layers.${i}.`);
  const withParams = layers.filter((l) => l._blocks() !== null);
  if (
    !Array.isArray(prefixes) ||
    (prefixes.length !== layers.length && prefixes.length !== withParams.length) ||
    prefixes.some((p) => typeof p !== 'string')
  ) {
    throw new LSTMError('INVALID_ARGUMENT', 'one prefix per layer, or one per layer with parameters', {
      argument: 'prefixes',
      expected: `${layers.length} strings, or ${withParams.length} (for ${withParams.map((l) => l.kind).join(', ')})`,
      actual: describe(prefixes),
    });
  }
  if (prefixes.length === layers.length) return prefixes;
  let k = 0;
  return layers.map((l) => (l._blocks() !== null ? prefixes[k++]! : null));
}

export function modelStateDict(layers: readonly Layer[], prefixes: string[] | undefined): StateDict {
  const all = layerPrefixes(layers, prefixes),
    out: StateDict = {};
  for (const [i, l] of layers.entries()) if (all[i] !== null) Object.assign(out, addPrefix(l.stateDict(), all[i]));
  return out;
}

/** Every layer from one dict; every layer is checked before any is written, and a failure puts back
 *  what was there. */
export function loadModelStateDict(layers: readonly Layer[], dict: StateDict, prefixes: string[] | undefined): void {
  const all = layerPrefixes(layers, prefixes),
    given = all.filter((p): p is string => p !== null);
  const parts = layers.map((_, i) => (all[i] === null ? {} : selectPrefix(dict, { prefix: all[i]! })));
  for (const k of Object.keys(dict)) {
    if (!given.some((p) => k.startsWith(p))) {
      throw new LSTMError('STATE_DICT_UNEXPECTED', 'tensor under no layer prefix', {
        argument: k,
        expected: `a name starting with ${given.join(' | ')}`,
        actual: k,
      });
    }
  }
  // validate every layer before writing any (loadStateDict validates fully before it writes)
  const saved = layers.map((l) => l.stateDict());
  try {
    for (const [i, l] of layers.entries()) {
      try {
        l.loadStateDict(parts[i]!);
      } catch (e) {
        // name the tensor as the caller's dict does ('rnn.bias_hh_l0', not 'bias_hh_l0')
        if (e instanceof LSTMError && e.code.startsWith('STATE_DICT') && all[i]) {
          throw new LSTMError(e.code, `layers[${i}] (${l.kind}) does not fit`, {
            argument: `${all[i]}${e.argument}`,
            ...(e.expected !== undefined ? { expected: e.expected } : {}),
            ...(e.actual !== undefined ? { actual: e.actual } : {}),
          });
        }
        throw e;
      }
    }
  } catch (e) {
    for (const [i, l] of layers.entries()) l.loadStateDict(saved[i]!);
    throw e;
  }
}
