// The recurrent options other frameworks use, in every build: hard-sigmoid gates, clip, the GRU
// with the reset before the recurrent product, goBackwards; forward against the float64 reference
// (test/reference/cells64.ts) and every gradient against central finite differences of it
// (eps 1e-6 in float64). Tolerances: forward 2e-5 absolute; gradients 1e-4 relative to
// max(1, max |numeric|); streaming equals the sequence to 1e-6. Bidirectional merge modes are
// checked against the concatenated outputs and gradients.
import { beforeAll, describe, expect, it } from 'vitest';
import { GRU, init, LSTM, SimpleRNN, type StateDict, supportedBuilds } from '../src/index.js';
import { type CellKind, type CellOptions, cellForward64 } from './reference/cells64.js';
import { maxAbsDiff } from './reference/lstm64.js';
import { mulberry32, uniform } from './reference/rng.js';

interface Case {
  name: string;
  kind: CellKind;
  opts: CellOptions;
  bidirectional?: boolean;
}

const HARD = { alpha: 0.2, beta: 0.5 };
const CASES: Case[] = [
  { name: 'LSTM, hard sigmoid gates', kind: 'lstm', opts: { hard: HARD } },
  { name: 'LSTM, clip 0.6', kind: 'lstm', opts: { clip: 0.6 } },
  {
    name: 'LSTM peephole, hard gates (Keras 3 slope) and clip',
    kind: 'lstm_peephole',
    opts: { hard: { alpha: 1 / 6, beta: 0.5 }, clip: 0.9 },
  },
  { name: 'coupled LSTM, hard gates', kind: 'lstm_cifg', opts: { hard: HARD } },
  { name: 'LSTM, goBackwards', kind: 'lstm', opts: { goBackwards: true } },
  { name: 'GRU, hard gates', kind: 'gru', opts: { hard: HARD } },
  { name: 'GRU, clip 0.5', kind: 'gru', opts: { clip: 0.5 } },
  { name: 'GRU reset before', kind: 'gru', opts: { resetBefore: true } },
  { name: 'GRU reset before, hard gates and clip', kind: 'gru', opts: { resetBefore: true, hard: HARD, clip: 0.7 } },
  { name: 'GRU reset before, bidirectional', kind: 'gru', opts: { resetBefore: true }, bidirectional: true },
  { name: 'GRU reset before, goBackwards', kind: 'gru', opts: { resetBefore: true, goBackwards: true } },
  { name: 'GRU, goBackwards', kind: 'gru', opts: { goBackwards: true } },
  { name: 'RNN tanh, clip 0.4', kind: 'rnn_tanh', opts: { clip: 0.4 } },
  { name: 'RNN relu, clip 0.3', kind: 'rnn_relu', opts: { clip: 0.3 } },
  { name: 'RNN tanh, goBackwards', kind: 'rnn_tanh', opts: { goBackwards: true } },
];

function make(c: Case, I: number, H: number) {
  const o = {
    inputSize: I,
    hiddenSize: H,
    bidirectional: c.bidirectional ?? false,
    seed: 9,
    ...(c.opts.hard ? { recurrentActivation: { name: 'hardSigmoid' as const, ...c.opts.hard } } : {}),
    ...(c.opts.clip !== undefined ? { cellClip: c.opts.clip } : {}),
    ...(c.opts.goBackwards ? { goBackwards: true } : {}),
  };
  if (c.kind === 'gru') return new GRU({ ...o, resetAfter: !c.opts.resetBefore });
  if (c.kind === 'rnn_tanh') return new SimpleRNN(o);
  if (c.kind === 'rnn_relu') return new SimpleRNN({ ...o, nonlinearity: 'relu' });
  return new LSTM({ ...o, peephole: c.kind === 'lstm_peephole', coupledInputForget: c.kind === 'lstm_cifg' });
}

for (const build of supportedBuilds()) {
  describe(`recurrent options, ${build} build`, () => {
    beforeAll(async () => {
      await init({ build });
    });

    for (const c of CASES) {
      it(`${c.name}: forward and all gradients`, () => {
        // H = 6 leaves a partial group of four units and (GRU) padding units in the panels
        const I = 3,
          H = 6,
          B = 2,
          T = 5,
          D = c.bidirectional ? 2 : 1,
          rng = mulberry32(33);
        const layer = make(c, I, H),
          hasC = c.kind.startsWith('lstm');
        const sd: StateDict = layer.stateDict();
        for (const t of Object.values(sd)) t.data.set(uniform(rng, t.data.length, -0.8, 0.8));
        layer.loadStateDict(sd);
        const x = uniform(rng, B * T * I, -1.2, 1.2),
          h0 = uniform(rng, D * B * H, -0.5, 0.5),
          c0 = uniform(rng, D * B * H, -0.5, 0.5);
        const R = uniform(rng, B * T * D * H, -1, 1),
          Rh = uniform(rng, D * B * H, -1, 1),
          Rc = uniform(rng, D * B * H, -1, 1);
        const p64: Record<string, { data: Float64Array }> = {};
        for (const [k, t] of Object.entries(sd)) p64[k] = { data: Float64Array.from(t.data) };
        const run = () => cellForward64(c.kind, p64, x, B, T, I, H, h0, hasC ? c0 : undefined, c.opts);
        const ref = run();
        const f = layer.forward(Float32Array.from(x), {
          batch: B,
          steps: T,
          h0: Float32Array.from(h0),
          ...(hasC ? { c0: Float32Array.from(c0) } : {}),
        });
        expect(maxAbsDiff(f.output, ref.output)).toBeLessThan(2e-5);
        expect(maxAbsDiff(f.h, ref.h)).toBeLessThan(2e-5);
        if (hasC) expect(maxAbsDiff(f.c!, ref.c)).toBeLessThan(2e-5);
        const back = layer.backward(Float32Array.from(R), {
          dh: Float32Array.from(Rh),
          ...(hasC ? { dc: Float32Array.from(Rc) } : {}),
        });
        const loss = () => {
          const r = run();
          let s = 0;
          for (const [i, v] of r.output.entries()) s += v * R[i]!;
          for (const [i, v] of r.h.entries()) s += v * Rh[i]!;
          if (hasC) for (const [i, v] of r.c.entries()) s += v * Rc[i]!;
          return s;
        };
        const numeric = (v: Float64Array) => {
          const g = new Float64Array(v.length);
          for (let i = 0; i < v.length; i++) {
            const keep = v[i]!;
            v[i] = keep + 1e-6;
            const up = loss();
            v[i] = keep - 1e-6;
            const down = loss();
            v[i] = keep;
            g[i] = (up - down) / 2e-6;
          }
          return g;
        };
        const check = (got: ArrayLike<number>, want: Float64Array, what: string) =>
          expect(maxAbsDiff(got, want), what).toBeLessThan(1e-4 * Math.max(1, ...Array.from(want, Math.abs)));
        const g = layer.gradients();
        for (const [name, t] of Object.entries(p64)) check(g[name]!.data, numeric(t.data), name);
        check(back.dx, numeric(x), 'dx');
        check(back.dh0, numeric(h0), 'dh0');
        if (hasC) check(back.dc0!, numeric(c0), 'dc0');
        if (!c.bidirectional && !c.opts.goBackwards) {
          const st = layer.createState(B, {
            h0: Float32Array.from(h0),
            ...(hasC ? { c0: Float32Array.from(c0) } : {}),
          });
          const xt = new Float32Array(B * I);
          for (let t = 0; t < T; t++) {
            for (let b = 0; b < B; b++) for (let k = 0; k < I; k++) xt[b * I + k] = x[(b * T + t) * I + k]!;
            const y = layer.step(xt, st);
            for (let b = 0; b < B; b++) {
              expect(
                maxAbsDiff(y.subarray(b * H, b * H + H), f.output.subarray((b * T + t) * H, (b * T + t + 1) * H)),
              ).toBeLessThan(1e-6);
            }
          }
        }
        layer.dispose();
      });
    }

    for (const mode of ['sum', 'mul', 'ave'] as const) {
      it(`bidirectional mergeMode '${mode}': outputs and gradients from the two directions`, () => {
        const I = 3,
          H = 5,
          B = 2,
          T = 4,
          rng = mulberry32(4);
        for (const returnSequences of [true, false]) {
          const merged = new LSTM({
            inputSize: I,
            hiddenSize: H,
            bidirectional: true,
            mergeMode: mode,
            returnSequences,
            seed: 2,
          });
          const x = { data: Float32Array.from(uniform(rng, B * T * I, -1, 1)), shape: [B, T, I] };
          const y = merged.forwardTensor(x, { training: false });
          const f = merged.forward(x.data, { batch: B, steps: T });
          const rows = returnSequences ? B * T : B;
          const both = returnSequences ? f.output : new Float32Array(B * 2 * H);
          if (!returnSequences) {
            for (let b = 0; b < B; b++) {
              both.set(f.h.subarray(b * H, b * H + H), b * 2 * H);
              both.set(f.h.subarray((B + b) * H, (B + b + 1) * H), b * 2 * H + H);
            }
          }
          const want = new Float32Array(rows * H);
          for (let r = 0; r < rows; r++) {
            for (let u = 0; u < H; u++) {
              const a = both[r * 2 * H + u]!,
                b = both[r * 2 * H + H + u]!;
              want[r * H + u] = mode === 'sum' ? a + b : mode === 'mul' ? a * b : (a + b) / 2;
            }
          }
          expect(y.shape).toEqual(returnSequences ? [B, T, H] : [B, H]);
          expect(maxAbsDiff(y.data, want)).toBeLessThan(1e-6);
          // ∂ through the merge: compare with backward of the concatenated layer given the chain-ruled gradient
          merged.forwardTensor(x, { training: false });
          const dy = Float32Array.from(uniform(rng, rows * H, -1, 1));
          merged.zeroGrad();
          const dx = merged.backwardTensor({ data: dy, shape: y.shape }).data;
          const gMerged = merged.gradients();
          const dBoth = new Float32Array(rows * 2 * H);
          for (let r = 0; r < rows; r++) {
            for (let u = 0; u < H; u++) {
              const d = dy[r * H + u]!,
                a = both[r * 2 * H + u]!,
                b = both[r * 2 * H + H + u]!;
              dBoth[r * 2 * H + u] = mode === 'mul' ? d * b : mode === 'ave' ? d / 2 : d;
              dBoth[r * 2 * H + H + u] = mode === 'mul' ? d * a : mode === 'ave' ? d / 2 : d;
            }
          }
          const concat = new LSTM({ inputSize: I, hiddenSize: H, bidirectional: true, returnSequences, seed: 2 });
          concat.forwardTensor(x, { training: false });
          const dx2 = concat.backwardTensor({ data: dBoth, shape: returnSequences ? [B, T, 2 * H] : [B, 2 * H] }).data;
          expect(maxAbsDiff(dx, dx2)).toBeLessThan(1e-6);
          const g2 = concat.gradients();
          for (const k of Object.keys(g2)) expect(maxAbsDiff(gMerged[k]!.data, g2[k]!.data), k).toBeLessThan(1e-6);
          merged.dispose();
          concat.dispose();
        }
      });
    }
  });
}

describe('recurrent options: bad values are typed errors', () => {
  beforeAll(async () => {
    await init();
  });
  const o = { inputSize: 2, hiddenSize: 3 };
  it.each([
    [{ recurrentActivation: 'relu' }, 'recurrentActivation'],
    [{ recurrentActivation: { name: 'hardSigmoid', alpha: Number.NaN, beta: 0.5 } }, 'recurrentActivation.alpha'],
    [{ cellClip: 0 }, 'cellClip'],
    [{ cellClip: '1' }, 'cellClip'],
    [{ goBackwards: 1 }, 'goBackwards'],
    [{ goBackwards: true, bidirectional: true }, 'goBackwards'],
    [{ mergeMode: 'max' }, 'mergeMode'],
  ])('LSTM %o -> INVALID_ARGUMENT naming %s', (extra, argument) => {
    expect(() => new LSTM({ ...o, ...(extra as object) })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument }),
    );
  });
  it('SimpleRNN has no gates to make hard; GRU resetAfter must be a boolean; goBackwards cannot stream', () => {
    expect(() => new SimpleRNN({ ...o, recurrentActivation: 'hardSigmoid' })).toThrow(
      expect.objectContaining({ argument: 'recurrentActivation' }),
    );
    expect(() => new GRU({ ...o, resetAfter: 'no' as never })).toThrow(
      expect.objectContaining({ argument: 'resetAfter' }),
    );
    const l = new GRU({ ...o, goBackwards: true });
    expect(() => l.createState(1)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'goBackwards' }),
    );
    l.dispose();
  });
  it('the options survive config() (what model files save)', () => {
    const l = new GRU({ ...o, resetAfter: false, recurrentActivation: 'hardSigmoid', cellClip: 3, goBackwards: true });
    const again = new GRU(l.config() as never);
    expect(again.config()).toEqual(l.config());
    expect(again.resetAfter).toBe(false);
    l.dispose();
    again.dispose();
  });
});
