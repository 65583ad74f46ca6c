// Character-level language modelling on a text the user gives: windows of `steps` characters,
// target = the same window shifted by one (many-to-many next-character prediction).
import { LSTMError } from '../errors.js';
import type { Tensor } from '../tensor.js';

export interface CharData {
  x: Tensor;
  y: Tensor;
  vocab: string[];
  encode(s: string): number[];
  decode(ids: number[]): string;
}

export function charData(text: string, steps = 64, stride = steps): CharData {
  const chars = Array.from(text);
  const vocab = [...new Set(chars)].sort();
  const index = new Map(vocab.map((c, i) => [c, i]));
  const ids = chars.map((c) => index.get(c)!);
  const n = Math.max(0, Math.floor((ids.length - 1 - steps) / stride) + 1);
  const x = new Float32Array(n * steps),
    y = new Float32Array(n * steps);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < steps; t++) {
      x[i * steps + t] = ids[i * stride + t]!;
      y[i * steps + t] = ids[i * stride + t + 1]!;
    }
  }
  return {
    x: { data: x, shape: [n, steps] },
    y: { data: y, shape: [n, steps] },
    vocab,
    encode: (s) =>
      Array.from(s, (c) => {
        const i = index.get(c);
        if (i === undefined)
          throw new LSTMError('INVALID_ARGUMENT', 'character not in the vocabulary', {
            argument: 's',
            expected: `characters of ${JSON.stringify(vocab.join(''))}`,
            actual: JSON.stringify(c),
          });
        return i;
      }),
    decode: (list) => list.map((i) => vocab[i] ?? '').join(''),
  };
}
