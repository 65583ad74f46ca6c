// Property-based tests of the layers' public API (issue 10): generated shapes, options, lengths,
// initial states and state dicts, valid and not. Every call either succeeds with results equal to
// the float64 reference, or throws an LSTMError after which the layer is unchanged (its weights)
// and no wasm memory was kept (the arena's live bytes are as before the call).
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Dense,
  Dropout,
  Embedding,
  GRU,
  init,
  type Layer,
  LSTM,
  LSTMError,
  type Recurrent,
  SimpleRNN,
  type StateDict,
} from '../src/index.js';
import { liveBytes } from './helpers/lstm-error.js';
import { check, Outcomes } from './helpers/property.js';
import { recurrentRef } from './helpers/reference-model.js';
import type { CellKind } from './reference/cells64.js';

const FILE = 'test/property-layers.test.ts';
const KINDS: CellKind[] = ['lstm', 'lstm_peephole', 'lstm_cifg', 'gru', 'rnn_tanh', 'rnn_relu'];

function recurrent(
  kind: CellKind,
  o: { inputSize: number; hiddenSize: number; numLayers: number; bidirectional: boolean; seed: number },
): Recurrent {
  if (kind === 'gru') return new GRU(o);
  if (kind === 'rnn_tanh') return new SimpleRNN(o);
  if (kind === 'rnn_relu') return new SimpleRNN({ ...o, nonlinearity: 'relu' });
  return new LSTM({ ...o, peephole: kind === 'lstm_peephole', coupledInputForget: kind === 'lstm_cifg' });
}

/** Values a caller might pass by mistake. */
const junk = fc.oneof(
  fc.constantFrom(undefined, null, true, 0, -1, 2.5, NaN, Infinity, 2 ** 31, 2 ** 40, '3', '', [], {}),
  fc.string({ maxLength: 3 }),
  fc.array(fc.integer({ min: -2, max: 9 }), { maxLength: 3 }),
);
const floats = (n: number) => fc.float32Array({ minLength: n, maxLength: n, min: -2, max: 2, noNaN: true });

/** `value` or, one time in `p`, something else (junk or an array of the wrong length). */
function usually<T>(value: fc.Arbitrary<T>, wrong: fc.Arbitrary<unknown>, weight = 4): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: value, weight }, { arbitrary: wrong, weight: 1 });
}

/** The same weights (the whole state dict, value for value). */
function sameWeights(a: StateDict, b: StateDict): boolean {
  const ka = Object.keys(a);
  return (
    ka.length === Object.keys(b).length &&
    ka.every(
      (k) => b[k] && a[k]!.data.length === b[k]!.data.length && a[k]!.data.every((v, i) => Object.is(v, b[k]!.data[i])),
    )
  );
}

/** Runs `call`; on an LSTMError checks nothing changed. Returns the result, or undefined after a throw. */
function attempt<T>(layer: Layer, call: () => T, outcomes: Outcomes): T | undefined {
  const weights = layer.stateDict(),
    live = liveBytes();
  try {
    const r = call();
    outcomes.ok++;
    return r;
  } catch (e) {
    if (!(e instanceof LSTMError)) throw e;
    outcomes.threw++;
    expect(liveBytes(), e.message).toBe(live);
    expect(sameWeights(layer.stateDict(), weights), e.message).toBe(true);
    return undefined;
  }
}

const close = (got: ArrayLike<number>, want: ArrayLike<number>, mask?: (i: number) => boolean) => {
  for (let i = 0; i < want.length; i++) {
    if (mask && !mask(i)) continue;
    const tol = 2e-5 * Math.max(1, Math.abs(want[i]!));
    if (!(Math.abs(got[i]! - want[i]!) <= tol)) return `index ${i}: ${got[i]} vs ${want[i]}`;
  }
  return null;
};

describe('properties: layers', () => {
  beforeAll(async () => {
    await init();
  });

  it('recurrent forward: generated shapes, options, lengths and states', () => {
    const outcomes = new Outcomes();
    const arb = fc
      .record({
        kind: fc.constantFrom(...KINDS),
        I: fc.integer({ min: 1, max: 4 }),
        H: fc.integer({ min: 1, max: 6 }),
        L: fc.integer({ min: 1, max: 2 }),
        bidirectional: fc.boolean(),
        seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        B: fc.integer({ min: 1, max: 3 }),
        T: fc.integer({ min: 1, max: 5 }),
      })
      .chain((s) => {
        const D = s.bidirectional ? 2 : 1,
          rows = s.L * D * s.B * s.H;
        return fc.record({
          s: fc.constant(s),
          x: usually(floats(s.B * s.T * s.I), fc.oneof(floats(s.B * s.T * s.I + 1), junk)),
          batch: usually(fc.constant(s.B), junk, 8),
          steps: fc.oneof(
            { arbitrary: fc.constant(s.T), weight: 4 },
            { arbitrary: fc.constant(undefined), weight: 2 },
            { arbitrary: junk, weight: 1 },
          ),
          lengths: fc.oneof(
            { arbitrary: fc.constant(undefined), weight: 3 },
            { arbitrary: fc.array(fc.integer({ min: 0, max: s.T }), { minLength: s.B, maxLength: s.B }), weight: 3 },
            {
              arbitrary: fc.array(fc.oneof(fc.integer({ min: 0, max: s.T }), junk), { minLength: s.B, maxLength: s.B }),
              weight: 1,
            },
            { arbitrary: junk, weight: 1 },
          ),
          h0: fc.oneof(
            { arbitrary: fc.constant(undefined), weight: 3 },
            { arbitrary: floats(rows), weight: 3 },
            floats(rows + 1),
            junk,
          ),
          c0: fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, { arbitrary: floats(rows), weight: 2 }, junk),
        });
      });
    check(
      FILE,
      1,
      3000,
      fc.property(arb, ({ s, x, batch, steps, lengths, h0, c0 }) => {
        const layer = recurrent(s.kind, {
          inputSize: s.I,
          hiddenSize: s.H,
          numLayers: s.L,
          bidirectional: s.bidirectional,
          seed: s.seed,
        });
        try {
          const options = { batch, steps, lengths, h0, c0 } as never;
          const r = attempt(layer, () => layer.forward(x as Float32Array, options), outcomes);
          if (!r) return;
          // it succeeded: then every argument was valid, and the results are the reference's
          const D = s.bidirectional ? 2 : 1,
            DH = D * s.H,
            B = (batch as number | undefined) ?? 1,
            T = (steps as number | undefined) ?? (x as Float32Array).length / (B * s.I);
          const ref = recurrentRef(
            { kind: s.kind, I: s.I, H: s.H, L: s.L, D },
            layer.stateDict(),
            x as Float32Array,
            B,
            T,
            h0 as Float32Array | undefined,
            c0 as Float32Array | undefined,
            lengths as number[] | undefined,
          );
          expect(close(r.output, ref.output, (i) => ref.valid[Math.floor(i / DH)] === 1)).toBeNull();
          expect(close(r.h, ref.h)).toBeNull();
          if (ref.c) expect(close(r.c!, ref.c)).toBeNull();
        } finally {
          layer.dispose();
        }
      }),
    );
    outcomes.report('recurrent forward');
  });

  it('constructors: generated options build a layer whose config rebuilds it, or throw LSTMError', () => {
    const outcomes = new Outcomes();
    const size = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 6 }), weight: 6 }, junk);
    const flag = fc.oneof({ arbitrary: fc.option(fc.boolean(), { nil: undefined }), weight: 6 }, junk);
    const rate = fc.oneof(fc.constantFrom(undefined, 0, 0.3), junk);
    const recurrentOptions = fc.record(
      {
        inputSize: size,
        hiddenSize: size,
        numLayers: fc.oneof(fc.constantFrom(undefined, 1, 2), junk),
        bidirectional: flag,
        seed: fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), junk),
        returnSequences: flag,
        stateful: flag,
        goBackwards: flag,
        recurrentDropout: rate,
        forgetBias: fc.oneof(fc.constantFrom(undefined, 1, -0.5), junk),
        cellClip: fc.oneof(fc.constantFrom(undefined, 3), junk),
        mergeMode: fc.oneof(fc.constantFrom(undefined, 'concat', 'sum', 'mul', 'ave'), junk),
        recurrentActivation: fc.oneof(
          fc.constantFrom(undefined, 'sigmoid', 'hardSigmoid', { name: 'hardSigmoid', alpha: 0.25, beta: 0.5 }),
          fc.record({ name: fc.constant('hardSigmoid'), alpha: junk, beta: junk }),
          junk,
        ),
        peephole: flag,
        coupledInputForget: flag,
        resetAfter: flag,
        nonlinearity: fc.oneof(fc.constantFrom(undefined, 'tanh', 'relu'), junk),
      },
      { requiredKeys: [] },
    );
    const make: Record<string, (o: never) => Layer> = {
      LSTM: (o) => new LSTM(o),
      GRU: (o) => new GRU(o),
      SimpleRNN: (o) => new SimpleRNN(o),
      Dense: (o) => new Dense(o),
      Embedding: (o) => new Embedding(o),
      Dropout: (o) => new Dropout(o),
    };
    const arb = fc.oneof(
      fc.record({
        cls: fc.constantFrom('LSTM', 'GRU', 'SimpleRNN'),
        options: fc.oneof({ arbitrary: recurrentOptions, weight: 9 }, junk),
      }),
      fc.record({
        cls: fc.constant('Dense'),
        options: fc.record(
          {
            inputSize: size,
            outputSize: size,
            activation: fc.oneof(fc.constantFrom('linear', 'relu', 'softmax'), junk),
            seed: fc.oneof(fc.nat(), junk),
          },
          { requiredKeys: [] },
        ),
      }),
      fc.record({
        cls: fc.constant('Embedding'),
        options: fc.record(
          { numEmbeddings: size, embeddingDim: size, seed: fc.oneof(fc.nat(), junk) },
          { requiredKeys: [] },
        ),
      }),
      fc.record({
        cls: fc.constant('Dropout'),
        options: fc.record({ rate, seed: fc.oneof(fc.nat(), junk) }, { requiredKeys: [] }),
      }),
    );
    check(
      FILE,
      2,
      2500,
      fc.property(arb, ({ cls, options }) => {
        const live = liveBytes();
        let layer: Layer;
        try {
          layer = make[cls]!(options as never);
        } catch (e) {
          if (!(e instanceof LSTMError)) throw e;
          outcomes.threw++;
          expect(liveBytes(), e.message).toBe(live);
          return;
        }
        outcomes.ok++;
        // the saved config is JSON and rebuilds the same layer
        const config = JSON.parse(JSON.stringify(layer.config()));
        const again = make[cls]!(config as never);
        expect(again.config()).toEqual(layer.config());
        expect(sameWeights(again.stateDict(), layer.stateDict())).toBe(true);
        again.dispose();
        layer.dispose();
        expect(liveBytes()).toBe(live);
      }),
    );
    outcomes.report('constructors');
  });

  it('loadStateDict: generated state dicts load exactly, or throw LSTMError and change nothing', () => {
    const outcomes = new Outcomes();
    const layers: Layer[] = [
      new LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true, peephole: true }),
      new GRU({ inputSize: 3, hiddenSize: 2 }),
      new SimpleRNN({ inputSize: 1, hiddenSize: 2, bidirectional: true }),
      new Dense({ inputSize: 3, outputSize: 5 }),
      new Embedding({ numEmbeddings: 4, embeddingDim: 2 }),
      new Dropout({ rate: 0.5 }),
    ];
    const data = fc.oneof(
      fc.constantFrom(null, undefined, 'x', 5),
      fc.array(fc.oneof(fc.double({ noNaN: true, min: -3, max: 3 }), junk), { maxLength: 4 }),
      fc.constantFrom(new BigInt64Array(2), new Uint8Array(3), new Float64Array(1), new DataView(new ArrayBuffer(4))),
    );
    type Mutation =
      | { op: 'delete'; i: number }
      | { op: 'add'; name: string }
      | { op: 'shape'; i: number; shape: unknown }
      | { op: 'data'; i: number; data: unknown }
      | { op: 'values'; i: number; seed: number; typed: string };
    const mutation: fc.Arbitrary<Mutation> = fc.oneof(
      fc.record({ op: fc.constant('delete' as const), i: fc.nat() }),
      fc.record({
        op: fc.constant('add' as const),
        name: fc.oneof(fc.constantFrom('bias', 'weight_ih_l9', '__proto__', 'toString'), fc.string({ maxLength: 6 })),
      }),
      fc.record({
        op: fc.constant('shape' as const),
        i: fc.nat(),
        shape: fc.oneof(junk, fc.array(fc.oneof(fc.integer({ min: 0, max: 6 }), junk), { maxLength: 3 })),
      }),
      fc.record({ op: fc.constant('data' as const), i: fc.nat(), data }),
      fc.record({
        op: fc.constant('values' as const),
        i: fc.nat(),
        seed: fc.nat(),
        typed: fc.constantFrom('Float32Array', 'Float64Array', 'Array', 'Int16Array'),
      }),
    );
    const arb = fc.record({
      layer: fc.nat({ max: layers.length - 1 }),
      mutations: fc.array(mutation, { maxLength: 3 }),
      prefix: fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, fc.constantFrom('rnn.', ''), junk),
      whole: fc.oneof({ arbitrary: fc.constant(undefined), weight: 20 }, junk),
    });
    check(
      FILE,
      3,
      2500,
      fc.property(arb, ({ layer: li, mutations, prefix, whole }) => {
        const layer = layers[li]!,
          original = layer.stateDict(),
          dict: Record<string, { shape: unknown; data: unknown }> = { ...original };
        for (const m of mutations) {
          const names = Object.keys(dict),
            name = names.length ? names[(m as { i?: number }).i! % names.length]! : undefined;
          if (m.op === 'delete' && name) delete dict[name];
          else if (m.op === 'add')
            Object.defineProperty(dict, m.name, {
              value: { shape: [1], data: new Float32Array(1) },
              enumerable: true,
              configurable: true,
              writable: true,
            });
          else if (m.op === 'shape' && name) dict[name] = { ...dict[name]!, shape: m.shape };
          else if (m.op === 'data' && name) dict[name] = { ...dict[name]!, data: m.data };
          else if (m.op === 'values' && name) {
            const n = Object.hasOwn(original, name) ? original[name]!.data.length : 1,
              v = Array.from({ length: n }, (_, k) => Math.sin(m.seed + k));
            const C = { Float32Array, Float64Array, Int16Array, Array } as Record<
              string,
              { from(a: number[]): unknown }
            >;
            dict[name] = { ...dict[name]!, data: C[m.typed]!.from(v) };
          }
        }
        const given: Record<string, unknown> = {};
        for (const [k, t] of Object.entries(dict)) {
          const key = typeof prefix === 'string' ? `${prefix}${k}` : k;
          Object.defineProperty(given, key, { value: t, enumerable: true, configurable: true, writable: true });
        }
        const r = attempt(
          layer,
          () => {
            layer.loadStateDict(
              (whole === undefined ? given : whole) as StateDict,
              prefix === undefined ? undefined : ({ prefix } as never),
            );
            return true;
          },
          outcomes,
        );
        if (!r) return;
        const now = layer.stateDict();
        if (whole !== undefined) {
          // junk accepted only as an empty dict by a layer without parameters
          expect(Object.getPrototypeOf(whole)).toBe(Object.prototype);
          expect(now).toEqual({});
          return;
        }
        // loaded: exactly the given values (as float32)
        expect(Object.keys(now).sort()).toEqual(Object.keys(dict).sort());
        for (const [k, t] of Object.entries(dict))
          expect(now[k]!.data).toEqual(Float32Array.from(t.data as ArrayLike<number>));
      }),
    );
    for (const l of layers) l.dispose();
    outcomes.report('loadStateDict');
  });
});
