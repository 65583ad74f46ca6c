// Optimizers: every rule against a float64 transcription of torch.optim's update, over several
// steps with real LSTM gradients, plus clipping by global norm and by value.
// Tolerance: 1e-5 absolute on parameters after 4 steps (float32 kernels vs float64 reference),
// on every build.
import { describe, it, expect, beforeAll } from 'vitest';
import {
  init,
  supportedBuilds,
  LSTM,
  SGD,
  Adam,
  AdamW,
  RMSprop,
  type Optimizer,
  type StateDict,
} from '../src/index.js';
import { maxAbsDiff } from './reference/lstm64.js';
import { mulberry32, uniform } from './reference/rng.js';

type Rule = (w: Float64Array, g: Float64Array, state: Record<string, Float64Array>, step: number) => void;

function flat(d: StateDict): Float64Array {
  const parts = Object.values(d).map((t) => Array.from(t.data));
  return Float64Array.from(parts.flat());
}

function clipNorm(g: Float64Array, max: number): void {
  const norm = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
  const coef = max / (norm + 1e-6);
  if (coef < 1) for (let i = 0; i < g.length; i++) g[i]! *= coef;
}

const zeros = (n: number) => new Float64Array(n);

const RULES: { name: string; make: () => Optimizer; rule: Rule; clip?: number; clipValue?: number }[] = [
  {
    name: 'SGD',
    make: () => new SGD({ learningRate: 0.1 }),
    rule: (w, g) => {
      for (let i = 0; i < w.length; i++) w[i]! -= 0.1 * g[i]!;
    },
  },
  {
    name: 'SGD momentum + Nesterov + weight decay',
    make: () => new SGD({ learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 }),
    rule: (w, g, s, step) => {
      s.buf ??= zeros(w.length);
      for (let i = 0; i < w.length; i++) {
        const d = g[i]! + 0.01 * w[i]!;
        s.buf[i] = step === 1 ? d : 0.9 * s.buf[i]! + d;
        w[i]! -= 0.05 * (d + 0.9 * s.buf[i]!);
      }
    },
  },
  {
    // no momentum buffer: the kernel gets a null buffer and must keep nothing (it once wrote the
    // buffer at address 0, over the kernels' static data)
    name: 'SGD weight decay without momentum',
    make: () => new SGD({ learningRate: 0.1, weightDecay: 0.05 }),
    rule: (w, g) => {
      for (let i = 0; i < w.length; i++) w[i]! -= 0.1 * (g[i]! + 0.05 * w[i]!);
    },
  },
  {
    name: 'Adam with clipNorm',
    make: () => new Adam({ learningRate: 0.01, clipNorm: 0.5 }),
    clip: 0.5,
    rule: (w, g, s, step) => {
      s.m ??= zeros(w.length);
      s.v ??= zeros(w.length);
      for (let i = 0; i < w.length; i++) {
        s.m[i] = 0.9 * s.m[i]! + 0.1 * g[i]!;
        s.v[i] = 0.999 * s.v[i]! + 0.001 * g[i]! * g[i]!;
        const mh = s.m[i]! / (1 - 0.9 ** step),
          vh = s.v[i]! / (1 - 0.999 ** step);
        w[i]! -= (0.01 * mh) / (Math.sqrt(vh) + 1e-8);
      }
    },
  },
  {
    name: 'AdamW',
    make: () => new AdamW({ learningRate: 0.01, weightDecay: 0.1 }),
    rule: (w, g, s, step) => {
      s.m ??= zeros(w.length);
      s.v ??= zeros(w.length);
      for (let i = 0; i < w.length; i++) {
        w[i]! *= 1 - 0.01 * 0.1;
        s.m[i] = 0.9 * s.m[i]! + 0.1 * g[i]!;
        s.v[i] = 0.999 * s.v[i]! + 0.001 * g[i]! * g[i]!;
        w[i]! -= (0.01 * (s.m[i]! / (1 - 0.9 ** step))) / (Math.sqrt(s.v[i]! / (1 - 0.999 ** step)) + 1e-8);
      }
    },
  },
  {
    name: 'RMSprop with momentum and clipValue',
    make: () => new RMSprop({ learningRate: 0.01, momentum: 0.5, clipValue: 0.05 }),
    clipValue: 0.05,
    rule: (w, g, s) => {
      s.v ??= zeros(w.length);
      s.buf ??= zeros(w.length);
      for (let i = 0; i < w.length; i++) {
        s.v[i] = 0.99 * s.v[i]! + 0.01 * g[i]! * g[i]!;
        s.buf[i] = 0.5 * s.buf[i]! + g[i]! / (Math.sqrt(s.v[i]!) + 1e-8);
        w[i]! -= 0.01 * s.buf[i]!;
      }
    },
  },
];

for (const build of supportedBuilds()) {
  describe(`optimizers against torch.optim update rules, ${build} build`, () => {
    beforeAll(async () => {
      await init({ build });
    });

    for (const r of RULES) {
      it(r.name, () => {
        const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, seed: 8 });
        const opt = r.make();
        const rng = mulberry32(4);
        const w = flat(lstm.stateDict());
        const state: Record<string, Float64Array> = {};
        for (let step = 1; step <= 4; step++) {
          lstm.zeroGrad();
          const x = Float32Array.from(uniform(rng, 2 * 3 * 3, -1, 1));
          lstm.forward(x, { batch: 2, steps: 3 });
          lstm.backward(Float32Array.from(uniform(rng, 2 * 3 * 5, -1, 1)));
          const g = flat(lstm.gradients());
          if (r.clipValue)
            for (let i = 0; i < g.length; i++) g[i] = Math.max(-r.clipValue, Math.min(r.clipValue, g[i]!));
          const norm = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
          if (r.clip) clipNorm(g, r.clip);
          opt.step(lstm);
          expect(opt.lastGradNorm).toBeCloseTo(norm, 4);
          r.rule(w, g, state, step);
          expect(maxAbsDiff(flat(lstm.stateDict()), w), `step ${step}`).toBeLessThan(1e-5);
        }
        if (r.clip) expect(opt.lastGradNorm).toBeGreaterThan(r.clip); // clipping really engaged
        opt.dispose();
        lstm.dispose();
      });
    }
  });
}

describe('optimizer options', () => {
  beforeAll(async () => {
    await init();
  });

  it('rejects bad options', () => {
    expect(() => new Adam({ learningRate: -1 })).toThrow(/learningRate/);
    expect(() => new Adam({ beta1: 1 })).toThrow(/beta1/);
    expect(() => new SGD({ nesterov: true })).toThrow(/nesterov/);
    expect(() => new SGD({ clipNorm: 0 })).toThrow(/clipNorm/);
    expect(() => new SGD().step({} as never)).toThrow(/trainable/);
  });
});
