// Plain-JavaScript LSTM: the "plain JS" baseline of the benchmark (bench/bench.mjs).
//
// A fair, reasonably optimised implementation, not a strawman:
//   - flat Float32Arrays everywhere, every buffer reused while the shape is unchanged
//     (no allocation in steady state; forward()/backward() return internal buffers);
//   - the input projection X·W_ihᵀ + b for all time steps is computed up front as one
//     tiled matmul; the recurrence then only does the H·W_hhᵀ part per step;
//   - matmul loops are ordered so a weight row stays in L1 while it is used against
//     every batch row (each weight row is read once per step, not once per sample);
//   - dot products and axpys are unrolled by 4 with independent accumulators.
//
// Semantics are exactly PyTorch's nn.LSTM (one layer, batch_first, gate order i, f, g, o):
//   i = σ(W_ii x + b_ii + W_hi h + b_hi), f = σ(…), g = tanh(…), o = σ(…)
//   c' = f ⊙ c + i ⊙ g,  h' = o ⊙ tanh(c')

/** Rows of a matrix processed per tile in the batched projections (keeps the tile in L1/L2). */
const TILE_FLOATS = 4096;

/**
 * Dot product of a[ao … ao+n) and b[bo … bo+n).
 * @param {Float32Array} a @param {number} ao @param {Float32Array} b @param {number} bo @param {number} n
 * @returns {number}
 */
function dot(a, ao, b, bo, n) {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  let k = 0;
  const n4 = n & ~3;
  for (; k < n4; k += 4) {
    s0 += a[ao + k] * b[bo + k];
    s1 += a[ao + k + 1] * b[bo + k + 1];
    s2 += a[ao + k + 2] * b[bo + k + 2];
    s3 += a[ao + k + 3] * b[bo + k + 3];
  }
  for (; k < n; k++) s0 += a[ao + k] * b[bo + k];
  return s0 + s1 + (s2 + s3);
}

/**
 * y[yo … yo+n) += alpha · x[xo … xo+n).
 * @param {number} alpha @param {Float32Array} x @param {number} xo @param {Float32Array} y @param {number} yo @param {number} n
 */
function axpy(alpha, x, xo, y, yo, n) {
  let k = 0;
  const n4 = n & ~3;
  for (; k < n4; k += 4) {
    y[yo + k] += alpha * x[xo + k];
    y[yo + k + 1] += alpha * x[xo + k + 1];
    y[yo + k + 2] += alpha * x[xo + k + 2];
    y[yo + k + 3] += alpha * x[xo + k + 3];
  }
  for (; k < n; k++) y[yo + k] += alpha * x[xo + k];
}

/** @param {number} v @returns {number} */
const sigmoid = (v) => 1 / (1 + Math.exp(-v));

/**
 * (Re)allocate `buf` unless it already has exactly `n` elements.
 * @param {Float32Array | null} buf @param {number} n @returns {Float32Array}
 */
function ensure(buf, n) {
  return buf !== null && buf.length === n ? buf : new Float32Array(n);
}

/**
 * One-layer LSTM in plain JavaScript with PyTorch nn.LSTM weight layout.
 */
export class PlainLSTM {
  /**
   * @param {number} inputSize I
   * @param {number} hiddenSize H
   * @param {{ wih: Float32Array, whh: Float32Array, bih: Float32Array, bhh: Float32Array }} weights
   *   PyTorch layout, gate order i, f, g, o: wih [4H·I], whh [4H·H], bih [4H], bhh [4H] (copied).
   */
  constructor(inputSize, hiddenSize, { wih, whh, bih, bhh }) {
    const I = inputSize,
      H = hiddenSize,
      G = 4 * H;
    if (wih.length !== G * I || whh.length !== G * H || bih.length !== G || bhh.length !== G) {
      throw new RangeError(`PlainLSTM: weight sizes do not match I=${I}, H=${H}`);
    }
    /** @readonly */ this.inputSize = I;
    /** @readonly */ this.hiddenSize = H;
    /** @type {Float32Array} [4H, I] */ this.wih = Float32Array.from(wih);
    /** @type {Float32Array} [4H, H] */ this.whh = Float32Array.from(whh);
    /** @type {Float32Array} [4H] */ this.bih = Float32Array.from(bih);
    /** @type {Float32Array} [4H] */ this.bhh = Float32Array.from(bhh);
    /** @type {Float32Array} gradient of wih */ this.gwih = new Float32Array(G * I);
    /** @type {Float32Array} gradient of whh */ this.gwhh = new Float32Array(G * H);
    /** @type {Float32Array} gradient of bih */ this.gbih = new Float32Array(G);
    /** @type {Float32Array} gradient of bhh */ this.gbhh = new Float32Array(G);

    /** bih + bhh, refreshed at every forward()/step() (weights may change in between). */
    this._bias = new Float32Array(G);
    /** Zero vector standing in for h₋₁ / c₋₁. */
    this._zeros = new Float32Array(H);

    // Forward buffers (batch-first, [B, T, ·]), kept for backward.
    this._batch = 0;
    this._steps = 0;
    /** @type {Float32Array | null} copy of x [B,T,I] */ this._x = null;
    /** @type {Float32Array | null} activated gates i,f,g,o [B,T,4H] */ this._gates = null;
    /** @type {Float32Array | null} cell states [B,T,H] */ this._c = null;
    /** @type {Float32Array | null} tanh(c) [B,T,H] */ this._tc = null;
    /** @type {Float32Array | null} output h [B,T,H] */ this._out = null;

    // Backward buffers.
    /** @type {Float32Array | null} pre-activation gate grads [B,T,4H] */ this._dgates = null;
    /** @type {Float32Array | null} */ this._dx = null;
    /** @type {Float32Array | null} dL/dh carried to step t [B,H] */ this._dh = null;
    /** @type {Float32Array | null} dL/dh being accumulated for step t−1 [B,H] */ this._dhNext = null;
    /** @type {Float32Array | null} dL/dc carried [B,H] */ this._dc = null;

    // step() scratch, [B, 4H].
    /** @type {Float32Array | null} */ this._stepGates = null;
  }

  /** @private */
  _refreshBias() {
    const b = this._bias,
      bih = this.bih,
      bhh = this.bhh;
    for (let r = 0; r < b.length; r++) b[r] = bih[r] + bhh[r];
  }

  /**
   * Full-sequence forward pass with h₀ = c₀ = 0; keeps what backward() needs.
   * @param {Float32Array} x [batch, steps, I], batch-first
   * @param {number} batch
   * @param {number} steps
   * @returns {Float32Array} output h [batch, steps, H] — an internal buffer, overwritten by the next forward()
   */
  forward(x, batch, steps) {
    const I = this.inputSize,
      H = this.hiddenSize,
      G = 4 * H;
    const B = batch,
      T = steps,
      BT = B * T;
    if (x.length < BT * I) throw new RangeError('PlainLSTM.forward: x too short');
    this._batch = B;
    this._steps = T;
    this._x = ensure(this._x, BT * I);
    const xs = this._x;
    this._gates = ensure(this._gates, BT * G);
    const gates = this._gates;
    this._c = ensure(this._c, BT * H);
    const cs = this._c;
    this._tc = ensure(this._tc, BT * H);
    const tcs = this._tc;
    this._out = ensure(this._out, BT * H);
    const out = this._out;
    xs.set(x.length === BT * I ? x : x.subarray(0, BT * I));
    this._refreshBias();
    const bias = this._bias,
      wih = this.wih,
      whh = this.whh,
      zeros = this._zeros;

    // 1) Input projection for all (b, t) at once: gates[bt, r] = bias[r] + W_ih[r]·x[bt],
    //    tiled over rows of x so the tile stays cached while all 4H weight rows stream past.
    const tile = Math.max(1, Math.floor(TILE_FLOATS / Math.max(1, I)));
    for (let r0 = 0; r0 < BT; r0 += tile) {
      const r1 = Math.min(BT, r0 + tile);
      for (let r = 0; r < G; r++) {
        const wo = r * I,
          br = bias[r];
        for (let bt = r0; bt < r1; bt++) gates[bt * G + r] = br + dot(wih, wo, xs, bt * I, I);
      }
    }

    // 2) Recurrence.
    const TH = T * H,
      TG = T * G;
    for (let t = 0; t < T; t++) {
      // gates[b, t] += W_hh · h[b, t−1]; one weight row against every batch row.
      if (t > 0) {
        for (let r = 0; r < G; r++) {
          const wo = r * H;
          for (let b = 0, go = t * G + r, ho = (t - 1) * H; b < B; b++, go += TG, ho += TH) {
            gates[go] += dot(whh, wo, out, ho, H);
          }
        }
      }
      // Activations and state update.
      for (let b = 0; b < B; b++) {
        const go = (b * T + t) * G,
          so = (b * T + t) * H;
        const cPrev = t > 0 ? cs : zeros,
          cpo = t > 0 ? so - H : 0;
        for (let j = 0; j < H; j++) {
          const ig = sigmoid(gates[go + j]);
          const fg = sigmoid(gates[go + H + j]);
          const gg = Math.tanh(gates[go + 2 * H + j]);
          const og = sigmoid(gates[go + 3 * H + j]);
          gates[go + j] = ig;
          gates[go + H + j] = fg;
          gates[go + 2 * H + j] = gg;
          gates[go + 3 * H + j] = og;
          const c = fg * cPrev[cpo + j] + ig * gg;
          cs[so + j] = c;
          const tc = Math.tanh(cs[so + j]);
          tcs[so + j] = tc;
          out[so + j] = og * tc;
        }
      }
    }
    return out;
  }

  /**
   * Full backpropagation through time for the last forward(). Accumulates (+=) into
   * gwih, gwhh, gbih, gbhh.
   * @param {Float32Array} dOutput dL/d(output) [batch, steps, H]
   * @returns {Float32Array} dL/dx [batch, steps, I] — an internal buffer, overwritten by the next backward()
   */
  backward(dOutput) {
    const I = this.inputSize,
      H = this.hiddenSize,
      G = 4 * H;
    const B = this._batch,
      T = this._steps,
      BT = B * T;
    if (this._gates === null || BT === 0) throw new Error('PlainLSTM.backward: call forward() first');
    if (dOutput.length < BT * H) throw new RangeError('PlainLSTM.backward: dOutput too short');
    const gates = /** @type {Float32Array} */ (this._gates);
    const cs = /** @type {Float32Array} */ (this._c);
    const tcs = /** @type {Float32Array} */ (this._tc);
    const out = /** @type {Float32Array} */ (this._out);
    const xs = /** @type {Float32Array} */ (this._x);
    this._dgates = ensure(this._dgates, BT * G);
    const dG = this._dgates;
    this._dx = ensure(this._dx, BT * I);
    const dx = this._dx;
    this._dh = ensure(this._dh, B * H);
    let dh = this._dh;
    this._dhNext = ensure(this._dhNext, B * H);
    let dhNext = this._dhNext;
    this._dc = ensure(this._dc, B * H);
    const dc = this._dc;
    dh.fill(0);
    dc.fill(0);
    const whh = this.whh,
      wih = this.wih,
      gwhh = this.gwhh,
      gwih = this.gwih,
      zeros = this._zeros;
    const TH = T * H,
      TG = T * G;

    for (let t = T - 1; t >= 0; t--) {
      // Pointwise part: dL/d(pre-activations) of step t, and dc carried to t−1.
      for (let b = 0; b < B; b++) {
        const go = (b * T + t) * G,
          so = (b * T + t) * H,
          bo = b * H;
        const cPrev = t > 0 ? cs : zeros,
          cpo = t > 0 ? so - H : 0;
        for (let j = 0; j < H; j++) {
          const ig = gates[go + j],
            fg = gates[go + H + j],
            gg = gates[go + 2 * H + j],
            og = gates[go + 3 * H + j];
          const tc = tcs[so + j];
          const dhj = dOutput[so + j] + dh[bo + j];
          const dcj = dhj * og * (1 - tc * tc) + dc[bo + j];
          dc[bo + j] = dcj * fg;
          dG[go + j] = dcj * gg * ig * (1 - ig);
          dG[go + H + j] = dcj * cPrev[cpo + j] * fg * (1 - fg);
          dG[go + 2 * H + j] = dcj * ig * (1 - gg * gg);
          dG[go + 3 * H + j] = dhj * tc * og * (1 - og);
        }
      }
      // Matmul part: dh[t−1] = dG[t] · W_hh and gW_hh += dG[t]ᵀ · h[t−1] (h₋₁ = 0, so skip at t = 0).
      dhNext.fill(0);
      if (t > 0) {
        for (let r = 0; r < G; r++) {
          const wo = r * H;
          for (let b = 0, go = t * G + r, ho = (t - 1) * H; b < B; b++, go += TG, ho += TH) {
            const d = dG[go];
            if (d === 0) continue;
            axpy(d, whh, wo, dhNext, b * H, H);
            axpy(d, out, ho, gwhh, wo, H);
          }
        }
      }
      const tmp = dh;
      dh = dhNext;
      dhNext = tmp;
    }
    this._dh = dh;
    this._dhNext = dhNext;

    // Biases: both get Σ_{b,t} dG.
    const gbih = this.gbih,
      gbhh = this.gbhh;
    for (let bt = 0; bt < BT; bt++) {
      const go = bt * G;
      for (let r = 0; r < G; r++) {
        const d = dG[go + r];
        gbih[r] += d;
        gbhh[r] += d;
      }
    }

    // Input side, tiled over (b, t) rows: dx = dG · W_ih, gW_ih += dGᵀ · x.
    dx.fill(0);
    const tile = Math.max(1, Math.floor(TILE_FLOATS / Math.max(1, I)));
    for (let r0 = 0; r0 < BT; r0 += tile) {
      const r1 = Math.min(BT, r0 + tile);
      for (let r = 0; r < G; r++) {
        const wo = r * I;
        for (let bt = r0; bt < r1; bt++) {
          const d = dG[bt * G + r];
          if (d === 0) continue;
          axpy(d, wih, wo, dx, bt * I, I);
          axpy(d, xs, bt * I, gwih, wo, I);
        }
      }
    }
    return dx;
  }

  /**
   * Plain SGD: w −= lr · g for every parameter, then zero the gradients.
   * @param {number} lr
   */
  sgd(lr) {
    const pairs = /** @type {const} */ ([
      [this.wih, this.gwih],
      [this.whh, this.gwhh],
      [this.bih, this.gbih],
      [this.bhh, this.gbhh],
    ]);
    for (const [w, g] of pairs) {
      for (let k = 0; k < w.length; k++) w[k] -= lr * g[k];
      g.fill(0);
    }
  }

  /**
   * Zeroed recurrent state for streaming with step().
   * @param {number} batch
   * @returns {{ h: Float32Array, c: Float32Array }} each [batch, H]
   */
  createState(batch) {
    const n = batch * this.hiddenSize;
    return { h: new Float32Array(n), c: new Float32Array(n) };
  }

  /**
   * One time step, updating `state` in place (no allocation per call).
   * @param {Float32Array} xt [batch, I]
   * @param {{ h: Float32Array, c: Float32Array }} state from createState(batch)
   * @returns {Float32Array} state.h
   */
  step(xt, state) {
    const I = this.inputSize,
      H = this.hiddenSize,
      G = 4 * H;
    const h = state.h,
      c = state.c;
    const B = (h.length / H) | 0;
    if (xt.length < B * I) throw new RangeError('PlainLSTM.step: xt too short');
    this._stepGates = ensure(this._stepGates, B * G);
    const gates = this._stepGates;
    this._refreshBias();
    const bias = this._bias,
      wih = this.wih,
      whh = this.whh;
    for (let r = 0; r < G; r++) {
      const wi = r * I,
        wh = r * H,
        br = bias[r];
      for (let b = 0; b < B; b++) {
        gates[b * G + r] = br + dot(wih, wi, xt, b * I, I) + dot(whh, wh, h, b * H, H);
      }
    }
    for (let b = 0; b < B; b++) {
      const go = b * G,
        so = b * H;
      for (let j = 0; j < H; j++) {
        const ig = sigmoid(gates[go + j]);
        const fg = sigmoid(gates[go + H + j]);
        const gg = Math.tanh(gates[go + 2 * H + j]);
        const og = sigmoid(gates[go + 3 * H + j]);
        c[so + j] = fg * c[so + j] + ig * gg;
        h[so + j] = og * Math.tanh(c[so + j]);
      }
    }
    return h;
  }
}
