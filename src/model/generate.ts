// Sampling a continuation of a prompt one token at a time, through every layer's stream (the
// recurrent layers' carried state: no recomputation of the prefix).
import { checkOptions, checkSeed, describe, LSTMError } from '../errors.js';
import type { Layer, LayerStream } from '../layers/layer.js';
import { mulberry32 } from '../random.js';
import type { Tensor } from '../tensor.js';

/** Options of {@link Sequential.generate}. */
export interface GenerateOptions {
  /** Token ids to start from (at least one), each in [0, vocabulary size). */
  prompt: number[];
  /** Tokens to sample after the prompt; an integer ≥ 0. */
  steps: number;
  /** Sampling temperature (≥ 0); lower is greedier, 0 always picks the most likely token. Default 1. */
  temperature?: number;
  /** Seed of the sampling; an integer in [0, 2^32 − 1], default 1 (same seed, same tokens). */
  seed?: number;
}

/** A layer without its own stream is stepped by its forward (it keeps no state between steps). */
function statelessStream(l: Layer): LayerStream {
  return { step: (x: Tensor) => l.forwardTensor(x, { training: false }), dispose: () => {} };
}

/** Index of a sample from probabilities `p` raised to 1/temperature, computed in log space; the
 *  most likely token when temperature is 0 or so small that every other weight underflows. */
function sample(p: Float32Array, temperature: number, u: number): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i]! > p[best]!) best = i;
  if (temperature === 0) return best;
  const logits = Array.from(p, (v) => Math.log(Math.max(v, 1e-38)) / temperature),
    top = logits[best]!;
  if (!Number.isFinite(top)) return best; // temperature so small that log p / T overflows
  const w = logits.map((l) => Math.exp(l - top)); // the most likely token weighs 1: nothing underflows to all-zero
  let total = 0;
  for (const v of w) total += v;
  let r = u * total;
  for (let i = 0; i < w.length; i++) {
    r -= w[i]!;
    if (r < 0) return i;
  }
  return best;
}

export function generate(layers: Layer[], vocab: number, options: GenerateOptions): number[] {
  const { prompt, steps } = checkOptions(options, 'options', [
      'prompt',
      'steps',
      'temperature',
      'seed',
    ]) as Partial<GenerateOptions>,
    temperature = options?.temperature ?? 1;
  if (!Array.isArray(prompt) || prompt.length === 0) {
    throw new LSTMError('INVALID_ARGUMENT', 'prompt must be a non-empty array of token ids', {
      argument: 'prompt',
      expected: 'number[]',
      actual: describe(prompt),
    });
  }
  if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 0) {
    throw new LSTMError('INVALID_ARGUMENT', 'steps must be an integer ≥ 0', {
      argument: 'steps',
      expected: 'an integer ≥ 0',
      actual: describe(steps),
    });
  }
  if (typeof temperature !== 'number' || !(temperature >= 0) || temperature === Infinity) {
    throw new LSTMError('INVALID_ARGUMENT', 'temperature must be ≥ 0', {
      argument: 'temperature',
      expected: 'a finite number ≥ 0 (0: the most likely token)',
      actual: describe(temperature),
    });
  }
  for (const tok of prompt) {
    if (!Number.isInteger(tok) || tok < 0 || tok >= vocab) {
      throw new LSTMError('INVALID_ARGUMENT', 'token id out of range', {
        argument: 'prompt',
        expected: `integers in [0, ${vocab})`,
        actual: describe(tok),
      });
    }
  }
  const rng = mulberry32(checkSeed('seed', options.seed)),
    tokens = layers[0]?.inputIsTokens === true;
  const streams: LayerStream[] = [];
  try {
    for (const l of layers) streams.push(l.stream ? l.stream(1) : statelessStream(l));
    const feed = (token: number): Float32Array => {
      let t: Tensor = { data: new Float32Array([token]), shape: [1, 1] };
      if (!tokens) {
        const oneHot = new Float32Array(vocab);
        oneHot[token] = 1;
        t = { data: oneHot, shape: [1, 1, vocab] };
      }
      for (const s of streams) t = s.step(t);
      return t.data;
    };
    let probs: Float32Array = new Float32Array(0);
    for (const tok of prompt) probs = feed(tok);
    const out: number[] = [];
    for (let s = 0; s < steps; s++) {
      const pick = sample(probs, temperature, rng());
      out.push(pick);
      probs = feed(pick);
    }
    return out;
  } finally {
    for (const s of streams) s.dispose();
  }
}
