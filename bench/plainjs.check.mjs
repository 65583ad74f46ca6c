// Self-check of the plain-JS baseline: `node bench/plainjs.check.mjs` prints "plainjs ok" or exits 1.
//   - backward() against central finite differences of loss = Σ output ⊙ R
//     (every weight, bias and input; eps = 1e-3, tolerance 2e-2 relative since the model is Float32);
//   - step() over T steps reproduces forward()'s output;
//   - sgd() applies w −= lr·g and zeroes the gradients.
import { PlainLSTM } from './plainjs.mjs';

const I = 3,
  H = 5,
  B = 2,
  T = 4,
  G = 4 * H;
const EPS = 1e-3,
  RTOL = 2e-2,
  ATOL = 1e-4;

let seed = 12345;
/** Deterministic U(lo, hi). @param {number} n @param {number} lo @param {number} hi */
function uniform(n, lo, hi) {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    out[i] = lo + (hi - lo) * (seed / 4294967296);
  }
  return out;
}

const weights = {
  wih: uniform(G * I, -0.5, 0.5),
  whh: uniform(G * H, -0.5, 0.5),
  bih: uniform(G, -0.5, 0.5),
  bhh: uniform(G, -0.5, 0.5),
};
const x = uniform(B * T * I, -1, 1);
const R = uniform(B * T * H, -1, 1);
const m = new PlainLSTM(I, H, weights);

/** Loss in float64. */
function loss() {
  const out = m.forward(x, B, T);
  let s = 0;
  for (let k = 0; k < out.length; k++) s += out[k] * R[k];
  return s;
}

const failures = [];
/** @param {string} name @param {number} an @param {number} fd */
function compare(name, an, fd) {
  if (!(Math.abs(an - fd) <= RTOL * Math.max(Math.abs(an), Math.abs(fd)) + ATOL))
    failures.push(`${name}: analytic ${an} vs numeric ${fd}`);
}

// Analytic gradients.
m.forward(x, B, T);
const dx = m.backward(R).slice();
const grads = { wih: m.gwih.slice(), whh: m.gwhh.slice(), bih: m.gbih.slice(), bhh: m.gbhh.slice() };

// Finite differences for every parameter and input element.
/** @param {string} name @param {Float32Array} arr @param {Float32Array} an */
function checkArray(name, arr, an) {
  for (let k = 0; k < arr.length; k++) {
    const v = arr[k];
    arr[k] = v + EPS;
    const lp = loss();
    arr[k] = v - EPS;
    const lm = loss();
    arr[k] = v;
    const hp = Math.fround(v + EPS) - v,
      hm = v - Math.fround(v - EPS); // the steps actually taken in float32
    compare(`${name}[${k}]`, an[k], (lp - lm) / (hp + hm));
  }
}
checkArray('wih', m.wih, grads.wih);
checkArray('whh', m.whh, grads.whh);
checkArray('bih', m.bih, grads.bih);
checkArray('bhh', m.bhh, grads.bhh);
checkArray('x', x, dx);

// step() over T steps equals forward().
const out = m.forward(x, B, T).slice();
const st = m.createState(B);
const xt = new Float32Array(B * I);
for (let t = 0; t < T; t++) {
  for (let b = 0; b < B; b++) xt.set(x.subarray((b * T + t) * I, (b * T + t + 1) * I), b * I);
  const h = m.step(xt, st);
  if (h !== st.h) failures.push('step() must return state.h');
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < H; j++) {
      const a = h[b * H + j],
        e = out[(b * T + t) * H + j];
      if (!(Math.abs(a - e) <= 1e-5)) failures.push(`step t=${t} b=${b} j=${j}: ${a} vs forward ${e}`);
    }
  }
}

// Gradients accumulate; sgd() applies them and zeroes them.
m.forward(x, B, T);
m.backward(R);
m.backward(R);
for (let k = 0; k < G; k++) compare(`accumulated gbih[${k}]`, m.gbih[k], 3 * grads.bih[k]);
const w0 = m.whh.slice(),
  g0 = m.gwhh.slice(),
  lr = 0.1;
m.sgd(lr);
for (let k = 0; k < w0.length; k++)
  if (Math.abs(m.whh[k] - Math.fround(w0[k] - lr * g0[k])) > 1e-6) {
    failures.push(`sgd whh[${k}]`);
    break;
  }
for (const g of [m.gwih, m.gwhh, m.gbih, m.gbhh])
  if (g.some((v) => v !== 0)) failures.push('sgd did not zero the gradients');

if (failures.length) {
  console.error(`plainjs FAILED (${failures.length}):\n  ${failures.slice(0, 20).join('\n  ')}`);
  process.exit(1);
}
console.log('plainjs ok');
