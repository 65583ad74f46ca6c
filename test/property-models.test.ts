// Property-based tests of Sequential and model files (issue 10). Generated models, inputs, targets,
// lengths and options go through predict / evaluate / trainOnBatch; generated corruptions of saved
// model files go through Sequential.load. Each call either succeeds with results equal to the
// float64 reference, or throws an LSTMError after which the model is unchanged (its saved bytes:
// weights, optimizer state, dropout streams, carried state) and the arena's live bytes (and, for
// files, the wasm memory) are as before.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Adam,
  Dense,
  Dropout,
  Embedding,
  GRU,
  init,
  type Layer,
  LSTM,
  LSTMError,
  readSafetensorsWithMetadata,
  Sequential,
  SimpleRNN,
  type StateDict,
  tensor,
  writeSafetensors,
} from '../src/index.js';
import { currentRuntime } from '../src/runtime.js';
import { liveBytes } from './helpers/lstm-error.js';
import { check, checkAsync, Outcomes } from './helpers/property.js';
import { lossRef, sequentialRef } from './helpers/reference-model.js';

const FILE = 'test/property-models.test.ts';
const junk = fc.oneof(
  fc.constantFrom(undefined, null, true, 0, -1, 2.5, NaN, 2 ** 40, '3', [], {}),
  fc.string({ maxLength: 3 }),
  fc.array(fc.integer({ min: -2, max: 9 }), { maxLength: 3 }),
);
const floats = (n: number) => fc.float32Array({ minLength: n, maxLength: n, min: -2, max: 2, noNaN: true });
/** y as the model reads it (a tensor, nested arrays or a flat Float32Array). */
const targets = (y: unknown): Float32Array =>
  y instanceof Float32Array ? y : ((y as { data?: Float32Array }).data ?? tensor(y).data);
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

const close = (got: ArrayLike<number>, want: ArrayLike<number>, tol = 2e-5) => {
  if (got.length !== want.length) return `length ${got.length} vs ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= tol * Math.max(1, Math.abs(want[i]!))))
      return `index ${i}: ${got[i]} vs ${want[i]}`;
  }
  return null;
};

describe('properties: models and model files', () => {
  beforeAll(async () => {
    await init();
  });

  it('predict, evaluate, trainOnBatch: generated models, inputs, targets, lengths', () => {
    const outcomes = new Outcomes();
    const arch = fc.record({
      cell: fc.constantFrom('LSTM', 'GRU', 'SimpleRNN'),
      I: fc.integer({ min: 1, max: 3 }),
      H: fc.integer({ min: 1, max: 4 }),
      bidirectional: fc.boolean(),
      returnSequences: fc.boolean(),
      stateful: fc.boolean(),
      dropout: fc.boolean(),
      sparse: fc.boolean(),
      O: fc.integer({ min: 1, max: 3 }),
      seed: fc.nat(),
      N: fc.integer({ min: 0, max: 3 }),
      T: fc.integer({ min: 1, max: 4 }),
    });
    const arb = arch.chain((a) => {
      const yRows = a.returnSequences ? a.N * a.T : a.N,
        yShape = a.returnSequences ? [a.N, a.T] : [a.N];
      const ids = fc
        .array(fc.integer({ min: 0, max: a.O - 1 }), { minLength: yRows, maxLength: yRows })
        .map((v) => ({ data: Float32Array.from(v), shape: yShape }));
      const dense = floats(yRows * a.O).map((d) => ({ data: d, shape: [...yShape, a.O] }));
      return fc.record({
        a: fc.constant(a),
        op: fc.constantFrom('predict', 'evaluate', 'trainOnBatch'),
        x: fc.oneof(
          { arbitrary: floats(a.N * a.T * a.I).map((d) => ({ data: d, shape: [a.N, a.T, a.I] })), weight: 6 },
          floats(a.N * a.T * a.I).map((d) => ({ data: d, shape: [a.N, a.T * a.I] })),
          floats(a.N * a.T * a.I + 1).map((d) => ({ data: d, shape: [a.N, a.T, a.I] })),
          junk,
        ),
        y: fc.oneof(
          { arbitrary: a.sparse ? ids : dense, weight: 6 },
          a.sparse ? dense : ids,
          floats(a.N + 1).map((d) => ({ data: d, shape: [a.N + 1] })),
          junk,
        ),
        lengths: fc.oneof(
          { arbitrary: fc.constant(undefined), weight: 3 },
          fc.array(fc.integer({ min: 0, max: a.T }), { minLength: a.N, maxLength: a.N }),
          fc.array(fc.oneof(fc.integer({ min: 0, max: a.T }), junk), { minLength: a.N, maxLength: a.N }),
        ),
        options: fc.oneof({ arbitrary: fc.constant(undefined), weight: 6 }, fc.record({ batchSize: junk }), junk),
      });
    });
    check(
      FILE,
      11,
      2500,
      fc.property(arb, ({ a, op, x, y, lengths, options }) => {
        const Cls = { LSTM, GRU, SimpleRNN }[a.cell as 'LSTM']!;
        const D = a.bidirectional ? 2 : 1;
        const layers: Layer[] = [
          new Cls({
            inputSize: a.I,
            hiddenSize: a.H,
            bidirectional: a.bidirectional,
            returnSequences: a.returnSequences,
            stateful: a.stateful,
            seed: a.seed,
          }),
        ];
        if (a.dropout) layers.push(new Dropout({ rate: 0.3, seed: a.seed }));
        layers.push(
          new Dense({ inputSize: D * a.H, outputSize: a.O, activation: a.sparse ? 'softmax' : 'linear', seed: a.seed }),
        );
        const m = new Sequential(layers);
        m.compile({
          loss: a.sparse ? 'sparseCategoricalCrossentropy' : 'mse',
          optimizer: new Adam({ learningRate: 0.01 }),
        });
        try {
          const opts = (options === undefined ? { lengths } : options) as never;
          const before = m.save(),
            live = liveBytes();
          // the reference, from the weights before the call (null when x is not something it can run)
          let expected: { data: Float64Array; shape: number[] } | null = null;
          try {
            expected = sequentialRef(m.layers, x as never);
          } catch {
            expected = null;
          }
          let result: unknown;
          try {
            if (op === 'predict') {
              const p = m.predict(x as never, opts);
              result = p;
              if (expected && a.N > 0 && !lengths) expect(close(p.data, expected.data)).toBeNull();
              if (expected && a.N > 0) expect(p.shape).toEqual(expected.shape);
            } else if (op === 'evaluate') {
              const r = m.evaluate(x as never, y as never, opts);
              result = r;
              if (expected && !lengths) {
                const want = lossRef(
                  a.sparse ? 'sparseCategoricalCrossentropy' : 'mse',
                  expected.data,
                  targets(y),
                  a.O,
                );
                expect(Math.abs(r.loss - want)).toBeLessThan(1e-5 * Math.max(1, want));
              }
            } else {
              const loss = m.trainOnBatch(x as never, y as never, opts);
              result = loss;
              if (expected && !a.dropout && !lengths) {
                const want = lossRef(
                  a.sparse ? 'sparseCategoricalCrossentropy' : 'mse',
                  expected.data,
                  targets(y),
                  a.O,
                );
                expect(Math.abs(loss - want)).toBeLessThan(1e-5 * Math.max(1, want));
              }
            }
          } catch (e) {
            if (!(e instanceof LSTMError)) throw e;
            outcomes.threw++;
            expect(sameBytes(m.save(), before), e.message).toBe(true);
            expect(liveBytes(), e.message).toBe(live);
            return;
          }
          outcomes.ok++;
          expect(result).toBeDefined();
        } finally {
          m.dispose();
        }
      }),
    );
    outcomes.report('Sequential calls');
  });

  it('Sequential.load: generated corruptions of model files load (equal to the reference) or fail cleanly', async () => {
    const outcomes = new Outcomes();
    // saved models of several kinds, after a training step (optimizer state, dropout streams, carried state)
    const bases: Uint8Array[] = [];
    const add = (
      layers: Layer[],
      x: { data: Float32Array; shape: number[] },
      y: { data: Float32Array; shape: number[] },
      loss: 'mse' | 'sparseCategoricalCrossentropy',
    ) => {
      const m = new Sequential(layers);
      m.compile({ loss, optimizer: new Adam({ learningRate: 0.01 }) });
      m.trainOnBatch(x, y);
      bases.push(m.save());
      m.dispose();
    };
    const x = { data: Float32Array.from({ length: 2 * 3 * 2 }, (_, i) => Math.sin(i)), shape: [2, 3, 2] };
    add(
      [new LSTM({ inputSize: 2, hiddenSize: 3, stateful: true }), new Dense({ inputSize: 3, outputSize: 1 })],
      x,
      { data: new Float32Array([0.5, -0.5]), shape: [2, 1] },
      'mse',
    );
    add(
      [
        new GRU({ inputSize: 2, hiddenSize: 2, bidirectional: true, returnSequences: true, recurrentDropout: 0.2 }),
        new Dropout({ rate: 0.3 }),
        new Dense({ inputSize: 4, outputSize: 3, activation: 'softmax' }),
      ],
      x,
      { data: new Float32Array([0, 1, 2, 2, 1, 0]), shape: [2, 3] },
      'sparseCategoricalCrossentropy',
    );
    add(
      [
        new Embedding({ numEmbeddings: 4, embeddingDim: 2 }),
        new SimpleRNN({ inputSize: 2, hiddenSize: 2, numLayers: 2 }),
        new Dense({ inputSize: 2, outputSize: 4, activation: 'softmax' }),
      ],
      { data: new Float32Array([0, 1, 2, 3, 2, 1]), shape: [2, 3] },
      { data: new Float32Array([1, 2]), shape: [2] },
      'sparseCategoricalCrossentropy',
    );
    const jsonJunk = fc.oneof(
      junk,
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom(-5, 1e9, 'LSTM', 'Dense', 'toString', 2 ** 32, 0.5),
    );
    const mutation = fc.oneof(
      fc.record({
        at: fc.constant('json' as const),
        field: fc.constantFrom('architecture', 'compile', 'state'),
        pick: fc.nat(),
        value: jsonJunk,
        remove: fc.boolean(),
      }),
      fc.record({
        at: fc.constant('meta' as const),
        key: fc.constantFrom('format', 'architecture', 'compile', 'state', 'user.x', 'other'),
        value: fc.string({ maxLength: 8 }),
      }),
      fc.record({
        at: fc.constant('meta' as const),
        key: fc.constant('user.note'),
        value: fc.string({ maxLength: 8 }),
      }),
      fc.record({
        at: fc.constant('tensor' as const),
        pick: fc.nat(),
        how: fc.constantFrom('delete', 'reshape', 'shrink', 'rename'),
      }),
      fc.record({ at: fc.constant('bytes' as const), pick: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    );
    const probe: Record<number, { data: Float32Array; shape: number[] }> = {
      0: x,
      1: x,
      2: { data: new Float32Array([3, 0, 1, 1, 2, 0]), shape: [2, 3] },
    };
    await checkAsync(
      FILE,
      12,
      2500,
      fc.asyncProperty(
        fc.nat({ max: bases.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 2 }),
        async (which, mutations) => {
          let bytes = bases[which]!;
          for (const m of mutations) {
            if (m.at === 'bytes') {
              bytes = bytes.slice();
              bytes[m.pick % bytes.length] = m.value;
              continue;
            }
            let read: ReturnType<typeof readSafetensorsWithMetadata>;
            try {
              read = readSafetensorsWithMetadata(bytes);
            } catch {
              continue; // an earlier byte flip broke the file: keep it broken
            }
            const { tensors, metadata } = read;
            const t: StateDict = { ...tensors };
            const meta = { ...metadata };
            if (m.at === 'meta') meta[m.key] = m.value;
            else if (m.at === 'json' && meta[m.field] !== undefined) {
              let v: unknown;
              try {
                v = JSON.parse(meta[m.field]!);
              } catch {
                continue; // an earlier mutation broke this field already
              }
              // replace (or remove) one value somewhere in the JSON tree
              const paths: [Record<string, unknown>, string][] = [];
              const walk = (o: unknown) => {
                if (o && typeof o === 'object')
                  for (const k of Object.keys(o)) {
                    paths.push([o as Record<string, unknown>, k]);
                    walk((o as Record<string, unknown>)[k]);
                  }
              };
              walk(v);
              if (paths.length) {
                const [o, k] = paths[m.pick % paths.length]!;
                if (m.remove && !Array.isArray(o)) delete o[k];
                else o[k] = m.value;
              }
              meta[m.field] = JSON.stringify(v) ?? 'null';
            } else if (m.at === 'tensor') {
              const names = Object.keys(t),
                name = names[m.pick % names.length]!;
              const n = t[name]!.data.length;
              if (m.how === 'delete') delete t[name];
              else if (m.how === 'reshape') t[name] = { shape: [1, n], data: t[name]!.data };
              else if (m.how === 'shrink') t[name] = { shape: [Math.max(0, n - 1)], data: t[name]!.data.slice(1) };
              else {
                t[`${name}x`] = t[name]!;
                delete t[name];
              }
            }
            bytes = writeSafetensors(t, meta);
          }
          const live = liveBytes(),
            memory = currentRuntime().arena.memory.buffer.byteLength;
          let model: Sequential;
          const loading = Sequential.load(bytes);
          return loading.then(
            (loaded) => {
              outcomes.ok++;
              model = loaded;
              try {
                const input = probe[which]!;
                let expected: { data: Float64Array; shape: number[] } | null = null;
                try {
                  expected = sequentialRef(model.layers, input);
                } catch {
                  expected = null; // the probe does not fit this (valid, changed) architecture
                }
                let p: { data: Float32Array; shape: number[] } | null = null;
                try {
                  p = model.predict(input);
                } catch (e) {
                  if (!(e instanceof LSTMError)) throw e;
                }
                if (p && expected) expect(close(p.data, expected.data, 1e-4)).toBeNull();
                // what loaded saves back to the same model
                const again = model.save();
                return Sequential.load(again).then((m2) => {
                  expect(sameBytes(m2.save(), again)).toBe(true);
                  m2.dispose();
                });
              } finally {
                model.dispose();
              }
            },
            (e: unknown) => {
              if (!(e instanceof LSTMError)) throw e;
              outcomes.threw++;
              expect(liveBytes(), e.message).toBe(live);
              expect(currentRuntime().arena.memory.buffer.byteLength, e.message).toBe(memory);
            },
          );
        },
      ),
    );
    outcomes.report('model files');
  });
});
