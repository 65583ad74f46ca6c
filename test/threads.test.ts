// The threaded runtime against the one-thread runtime of the same build, layer by layer: every cell
// and option, bidirectional and stacked layers, masking, recurrent dropout, recorded gradient norms,
// batches that split into uneven parts (13 rows, 3 threads) and batches too small to split by rows
// (the directions then run side by side). The split policy is set so even these small shapes are
// split, and each case checks that the threaded calls really ran as pool jobs.
// Expected (src/threads/split.ts): forward outputs, final states, ∂L/∂x, ∂L/∂h0, ∂L/∂c0 and every
// weight and bias gradient bit-identical; the peephole gradient and the gradient norms within 1e-6
// relative (their sums are taken per part, then added). The float64 reference test of the LSTM
// (test/reference/lstm64.ts) runs on the threaded runtime too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Dense,
  GRU,
  init,
  LSTM,
  type RecurrentOptions,
  SimpleRNN,
  type StateDict,
  supportedBuilds,
} from '../src/index.js';
import { currentRuntime, type Runtime } from '../src/runtime.js';
import { splitPolicy } from '../src/threads/split-ops.js';
import { maxAbsDiff, maxRelDiff, refBackward, refForward, refRandomParams } from './reference/lstm64.js';
import { mulberry32, uniform } from './reference/rng.js';

type Layer = LSTM | GRU | SimpleRNN;
interface Case {
  name: string;
  make: (o: { inputSize: number; hiddenSize: number; numLayers: number; bidirectional: boolean }) => Layer;
  hasC: boolean;
  peephole?: boolean;
}
const HARD = { name: 'hardSigmoid' as const, alpha: 0.2, beta: 0.5 };
const CASES: Case[] = [
  { name: 'LSTM', make: (o) => new LSTM({ ...o, seed: 3 }), hasC: true },
  { name: 'LSTM peephole', make: (o) => new LSTM({ ...o, seed: 3, peephole: true }), hasC: true, peephole: true },
  { name: 'LSTM coupled input-forget', make: (o) => new LSTM({ ...o, seed: 3, coupledInputForget: true }), hasC: true },
  {
    name: 'LSTM hard gates, clip, goBackwards',
    make: (o) => new LSTM({ ...o, seed: 3, recurrentActivation: HARD, cellClip: 0.8, goBackwards: !o.bidirectional }),
    hasC: true,
  },
  { name: 'GRU', make: (o) => new GRU({ ...o, seed: 3 }), hasC: false },
  { name: 'GRU reset before', make: (o) => new GRU({ ...o, seed: 3, resetAfter: false }), hasC: false },
  { name: 'RNN tanh', make: (o) => new SimpleRNN({ ...o, seed: 3 }), hasC: false },
  { name: 'RNN relu', make: (o) => new SimpleRNN({ ...o, seed: 3, nonlinearity: 'relu' }), hasC: false },
];
// [batch, steps, inputSize, hiddenSize, threads]: uneven row parts and odd sizes; a batch below
// 8 rows (no row split: directions side by side, projection and ∂x split); a 2-part even split.
const SHAPES = [
  [13, 7, 5, 9, 3],
  [3, 6, 4, 6, 2],
  [16, 5, 3, 12, 2],
] as const;

const bits = (a: Float32Array | undefined) => Buffer.from((a ?? new Float32Array(0)).buffer).toString('hex');

function randomize(layer: Layer, seed: number): StateDict {
  const sd = layer.stateDict(),
    rng = mulberry32(seed);
  for (const t of Object.values(sd)) t.data.set(uniform(rng, t.data.length, -0.5, 0.5));
  return sd;
}

/** One forward (training, so dropout is on) and one backward on layer `l`. */
function run(l: Layer, hasC: boolean, B: number, T: number, I: number, opts: { lengths?: boolean; norms?: boolean }) {
  const D = l.bidirectional ? 2 : 1,
    S = l.numLayers * D,
    H = l.hiddenSize,
    rng = mulberry32(77);
  const x = Float32Array.from(uniform(rng, B * T * I, -1, 1));
  const h0 = Float32Array.from(uniform(rng, S * B * H, -0.5, 0.5));
  const c0 = Float32Array.from(uniform(rng, S * B * H, -0.5, 0.5));
  const lengths = opts.lengths ? Int32Array.from({ length: B }, (_, b) => 1 + ((b * 5) % T)) : undefined;
  const f = l.forward(x, {
    batch: B,
    steps: T,
    h0,
    ...(hasC ? { c0 } : {}),
    ...(lengths ? { lengths } : {}),
    training: true,
  });
  const dOut = Float32Array.from(uniform(rng, B * T * D * H, -1, 1));
  const dh = Float32Array.from(uniform(rng, S * B * H, -1, 1));
  const dc = Float32Array.from(uniform(rng, S * B * H, -1, 1));
  const b = l.backward(dOut, { dh, ...(hasC ? { dc } : {}), recordGradNorms: opts.norms === true });
  return { f, b, grads: l.gradients(), norms: opts.norms ? l.gradNorms() : undefined };
}

for (const build of supportedBuilds()) {
  describe(`threads, ${build} build: the same results as one thread`, () => {
    const saved = { ...splitPolicy };
    let single: Runtime;
    beforeAll(async () => {
      Object.assign(splitPolicy, { minWorkPerThread: 0, minFloatsPerThread: 0, minCopyFloatsPerThread: 0 });
      await init({ build });
      single = currentRuntime();
    });
    afterAll(() => {
      Object.assign(splitPolicy, saved);
    });

    for (const c of CASES) {
      for (const [B, T, I, H, threads] of SHAPES) {
        for (const bidirectional of [false, true]) {
          const variants = [
            { numLayers: 1, lengths: false, dropout: 0, norms: false },
            { numLayers: 2, lengths: true, dropout: 0.3, norms: true },
          ];
          for (const v of variants) {
            const label = `${c.name}${bidirectional ? ' bidirectional' : ''}, ${v.numLayers} layer(s), B=${B} T=${T} I=${I} H=${H}, ${threads} threads${v.lengths ? ', masked' : ''}${v.dropout ? ', recurrent dropout' : ''}${v.norms ? ', gradient norms' : ''}`;
            it(label, async () => {
              const o = { inputSize: I, hiddenSize: H, numLayers: v.numLayers, bidirectional };
              await init({ build, threads: 1 });
              const a = c.make({ ...o, ...(v.dropout ? { recurrentDropout: v.dropout } : {}) } as never);
              const sd = randomize(a, 5);
              a.loadStateDict(sd);
              await init({ build, threads });
              const rt = currentRuntime();
              expect(rt).not.toBe(single);
              expect(rt.pool?.threads).toBe(threads);
              const b = c.make({ ...o, ...(v.dropout ? { recurrentDropout: v.dropout } : {}) } as never);
              b.loadStateDict(sd);
              const jobs = rt.pool!.jobs;
              const ra = run(a, c.hasC, B, T, I, v),
                rb = run(b, c.hasC, B, T, I, v);
              expect(rt.pool!.jobs).toBeGreaterThan(jobs); // the threaded calls were split
              expect(bits(rb.f.output)).toBe(bits(ra.f.output));
              expect(bits(rb.f.h)).toBe(bits(ra.f.h));
              expect(bits(rb.f.c)).toBe(bits(ra.f.c));
              expect(bits(rb.b.dx)).toBe(bits(ra.b.dx));
              expect(bits(rb.b.dh0)).toBe(bits(ra.b.dh0));
              if (c.hasC) expect(bits(rb.b.dc0)).toBe(bits(ra.b.dc0));
              for (const [name, g] of Object.entries(ra.grads)) {
                if (name.startsWith('weight_peephole')) {
                  expect(maxRelDiff(rb.grads[name]!.data, g.data), name).toBeLessThan(1e-6);
                } else expect(bits(rb.grads[name]!.data), name).toBe(bits(g.data));
              }
              if (v.norms) expect(maxRelDiff(rb.norms!, ra.norms!)).toBeLessThan(1e-6);
              a.dispose();
              b.dispose();
            });
          }
        }
      }
    }

    // int8 weights quantize the activations per row into a scratch of the descriptor's: the threaded
    // forward gives every part its own, and matches one thread bit for bit
    for (const [name, make] of [
      ['LSTM', (o: RecurrentOptions) => new LSTM({ ...o, seed: 2 })],
      ['GRU', (o: RecurrentOptions) => new GRU({ ...o, seed: 2 })],
      ['RNN', (o: RecurrentOptions) => new SimpleRNN({ ...o, seed: 2 })],
    ] as const) {
      it(`int8 ${name}, 2 layers, bidirectional, B=13 on 3 threads, and an int8 Dense: outputs bit-identical to one thread`, async () => {
        const o = { inputSize: 6, hiddenSize: 20, numLayers: 2, bidirectional: true };
        const B = 13,
          T = 9,
          rng = mulberry32(31);
        const x = Float32Array.from(uniform(rng, B * T * 6, -1, 1));
        await init({ build, threads: 1 });
        const f32 = make(o);
        f32.loadStateDict(randomize(f32, 7));
        const a = f32.quantize({ weights: 'int8' });
        const dense = new Dense({ inputSize: 40, outputSize: 24, activation: 'tanh', seed: 3 });
        const da = dense.quantize({ weights: 'int8' });
        const ya = a.forward(x, { batch: B, steps: T });
        const za = da.forwardTensor({ data: ya.output, shape: [B, T, 40] });
        await init({ build, threads: 3 });
        const rt = currentRuntime(),
          jobs = rt.pool!.jobs;
        const b = make({ ...o, weights: 'int8' });
        b.loadStateDict(a.stateDict());
        const db = new Dense({ inputSize: 40, outputSize: 24, activation: 'tanh', weights: 'int8' });
        db.loadStateDict(da.stateDict());
        const yb = b.forward(x, { batch: B, steps: T });
        const zb = db.forwardTensor({ data: yb.output, shape: [B, T, 40] });
        expect(rt.pool!.jobs).toBeGreaterThan(jobs);
        expect(bits(yb.output)).toBe(bits(ya.output));
        expect(bits(yb.h)).toBe(bits(ya.h));
        expect(bits(zb.data)).toBe(bits(za.data));
        for (const l of [f32, a, b, dense, da, db]) l.dispose();
      });
    }

    it('a 2-layer bidirectional LSTM on 3 threads against the float64 reference (outputs 2e-5, gradients 1e-4)', async () => {
      await init({ build, threads: 3 });
      const cfg = { inputSize: 4, hiddenSize: 7, numLayers: 2, bidirectional: true };
      const B = 11,
        T = 9,
        D = 2;
      const params = refRandomParams(cfg, 8);
      const lstm = new LSTM({ ...cfg, seed: 1 });
      const sd: StateDict = {};
      for (const [k, p] of Object.entries(params)) sd[k] = { shape: p.shape.slice(), data: Float32Array.from(p.data) };
      lstm.loadStateDict(sd);
      const rng = mulberry32(12);
      const x = uniform(rng, B * T * cfg.inputSize, -1, 1),
        dOut = uniform(rng, B * T * D * cfg.hiddenSize, -1, 1);
      const ref = refForward(cfg, params, x, B, T);
      const jobs = currentRuntime().pool!.jobs;
      const f = lstm.forward(Float32Array.from(x), { batch: B, steps: T });
      expect(maxAbsDiff(f.output, ref.output)).toBeLessThan(2e-5);
      expect(maxAbsDiff(f.h, ref.h)).toBeLessThan(2e-5);
      const back = lstm.backward(Float32Array.from(dOut));
      expect(currentRuntime().pool!.jobs).toBeGreaterThan(jobs);
      const rb = refBackward(cfg, params, ref, dOut);
      const scale = (a: ArrayLike<number>) => Math.max(1, ...Array.from(a, Math.abs));
      expect(maxAbsDiff(back.dx, rb.dx) / scale(rb.dx)).toBeLessThan(1e-4);
      for (const [k, g] of Object.entries(lstm.gradients())) {
        expect(maxAbsDiff(g.data, rb.grads[k]!) / scale(rb.grads[k]!), k).toBeLessThan(1e-4);
      }
      lstm.dispose();
    });
  });
}
