// Writes gestures.csv, the sample data of classify.mjs: pen traces of four gestures, as a
// touch screen or a 2-axis sensor would record them, one row per time step (long format):
//   sequence,label,x,y
// circle: a loop of constant radius; spiral: the radius grows (the same shape early on, so the
// model must look at the whole trace); zigzag: a sideways sweep with a triangle wave; shake: a
// fast small oscillation around a point. Lengths 16–40 steps, random speed, phase, size and
// position, Gaussian noise σ = 0.05. Synthetic on purpose: replace the file with your own traces.
//   node examples/classify/make-gestures.mjs [--count 120] [--seed 1]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { mulberry32 } from 'wasm-lstm';

const { values: args } = parseArgs({
  options: { count: { type: 'string', default: '120' }, seed: { type: 'string', default: '1' } },
});
const rand = mulberry32(Number(args.seed));
const uniform = (lo, hi) => lo + (hi - lo) * rand();
const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

const GESTURES = {
  circle: (n) => {
    const r = uniform(0.5, 1),
      phase = uniform(0, 2 * Math.PI),
      turns = uniform(0.8, 1.2);
    return (t) => [
      r * Math.cos(phase + (2 * Math.PI * turns * t) / n),
      r * Math.sin(phase + (2 * Math.PI * turns * t) / n),
    ];
  },
  spiral: (n) => {
    const r0 = uniform(0.2, 0.4),
      r1 = uniform(0.9, 1.2),
      phase = uniform(0, 2 * Math.PI),
      turns = uniform(0.8, 1.2);
    return (t) => {
      const r = r0 + ((r1 - r0) * t) / n;
      return [r * Math.cos(phase + (2 * Math.PI * turns * t) / n), r * Math.sin(phase + (2 * Math.PI * turns * t) / n)];
    };
  },
  zigzag: (n) => {
    const teeth = Math.round(uniform(2, 4)),
      h = uniform(0.3, 0.8),
      dir = rand() < 0.5 ? -1 : 1;
    return (t) => {
      const u = (teeth * t) / n;
      return [dir * (-1 + (2 * t) / n), h * (4 * Math.abs(u - Math.floor(u + 0.5)) - 1)];
    };
  },
  shake: () => {
    const cx = uniform(-0.5, 0.5),
      cy = uniform(-0.5, 0.5),
      a = uniform(0.1, 0.3),
      period = uniform(2.5, 4);
    return (t) => [
      cx + a * Math.sin((2 * Math.PI * t) / period),
      cy + 0.3 * a * Math.cos((2 * Math.PI * t) / (period * 1.7)),
    ];
  },
};

const names = Object.keys(GESTURES);
const rows = ['sequence,label,x,y'];
for (let s = 0; s < Number(args.count); s++) {
  const label = names[s % names.length];
  const n = Math.floor(uniform(16, 41));
  const at = GESTURES[label](n);
  for (let t = 0; t < n; t++) {
    const [x, y] = at(t);
    rows.push(`${s},${label},${(x + 0.05 * gauss()).toFixed(2)},${(y + 0.05 * gauss()).toFixed(2)}`);
  }
}
writeFileSync(new URL('./gestures.csv', import.meta.url), `${rows.join('\n')}\n`);
console.log(`wrote gestures.csv: ${args.count} sequences, ${rows.length - 1} rows`);
