// Parameter updates over one flat block (a layer's packed weights, all at once), PyTorch's
// update rules. Gradient clipping helpers work on the gradient block the same way.

// w [n] −= lr · g [n]
export function sgdStep(w: usize, g: usize, n: i32, lr: f32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let s = f32x4.splat(-lr);
    for (; i + 4 <= n; i += 4) {
      let p = w + (<usize>i << 2), q = g + (<usize>i << 2);
      v128.store(p, f32x4.add(v128.load(p), f32x4.mul(s, v128.load(q))));
    }
  }
  for (; i < n; i++) {
    let p = w + (<usize>i << 2);
    store<f32>(p, load<f32>(p) - lr * load<f32>(g + (<usize>i << 2)));
  }
}

// torch.optim.SGD with momentum μ, dampening 0, weight decay λ, optional Nesterov:
//   d = g + λw;  buf = first ? d : μ·buf + d;  d = nesterov ? d + μ·buf : buf;  w −= lr·d
// w, g, buf [n]; buf = 0 when there is no momentum buffer (μ = 0, weight decay only): nothing is kept.
export function sgdMomentumStep(w: usize, g: usize, buf: usize, n: i32, lr: f32, momentum: f32,
                                weightDecay: f32, nesterov: i32, first: i32): void {
  for (let i = 0; i < n; i++) {
    let o = <usize>i << 2;
    let wi = load<f32>(w + o), d = load<f32>(g + o) + weightDecay * wi;
    let b = first ? d : momentum * load<f32>(buf + o) + d;
    if (buf != 0) store<f32>(buf + o, b);
    let step = nesterov ? d + momentum * b : b;
    store<f32>(w + o, wi - lr * step);
  }
}

// torch.optim.Adam / AdamW. bc1 = 1 − β1^t, bc2 = 1 − β2^t (computed by the host in float64).
//   Adam:  d = g + λw             AdamW: w ← w·(1 − lr·λ), d = g
//   m = β1·m + (1−β1)·d;  v = β2·v + (1−β2)·d²;  w −= lr · (m/bc1) / (√(v/bc2) + ε)
// w, g, m, v [n]
export function adamStep(w: usize, g: usize, m: usize, v: usize, n: i32, lr: f32, beta1: f32, beta2: f32,
                         eps: f32, weightDecay: f32, decoupled: i32, bc1: f32, bc2: f32): void {
  let i = 0;
  let stepSize: f32 = lr / bc1, invBc2Sqrt: f32 = <f32>1 / Mathf.sqrt(bc2);
  let decay: f32 = decoupled ? 1 - lr * weightDecay : 1;
  let l2: f32 = decoupled ? 0 : weightDecay;
  if (ASC_FEATURE_SIMD) {
    let b1 = f32x4.splat(beta1), b2 = f32x4.splat(beta2), c1 = f32x4.splat(1 - beta1), c2 = f32x4.splat(1 - beta2);
    let e = f32x4.splat(eps), ss = f32x4.splat(stepSize), ib = f32x4.splat(invBc2Sqrt), dk = f32x4.splat(decay), l2v = f32x4.splat(l2);
    for (; i + 4 <= n; i += 4) {
      let o = <usize>i << 2;
      let wi = v128.load(w + o);
      let d = f32x4.add(v128.load(g + o), f32x4.mul(l2v, wi));
      let mi = f32x4.add(f32x4.mul(b1, v128.load(m + o)), f32x4.mul(c1, d));
      let vi = f32x4.add(f32x4.mul(b2, v128.load(v + o)), f32x4.mul(c2, f32x4.mul(d, d)));
      v128.store(m + o, mi); v128.store(v + o, vi);
      let denom = f32x4.add(f32x4.mul(f32x4.sqrt(vi), ib), e);
      v128.store(w + o, f32x4.sub(f32x4.mul(wi, dk), f32x4.div(f32x4.mul(ss, mi), denom)));
    }
  }
  for (; i < n; i++) {
    let o = <usize>i << 2;
    let wi = load<f32>(w + o), d = load<f32>(g + o) + l2 * wi;
    let mi = beta1 * load<f32>(m + o) + (1 - beta1) * d;
    let vi = beta2 * load<f32>(v + o) + (1 - beta2) * d * d;
    store<f32>(m + o, mi); store<f32>(v + o, vi);
    store<f32>(w + o, wi * decay - stepSize * mi / (Mathf.sqrt(vi) * invBc2Sqrt + eps));
  }
}

// torch.optim.RMSprop (centered = false): v = α·v + (1−α)·d²; with momentum μ:
//   buf = μ·buf + d/(√v + ε), w −= lr·buf;  without: w −= lr·d/(√v + ε).   d = g + λw.
export function rmspropStep(w: usize, g: usize, v: usize, buf: usize, n: i32, lr: f32, alpha: f32, eps: f32,
                            weightDecay: f32, momentum: f32): void {
  for (let i = 0; i < n; i++) {
    let o = <usize>i << 2;
    let wi = load<f32>(w + o), d = load<f32>(g + o) + weightDecay * wi;
    let vi = alpha * load<f32>(v + o) + (1 - alpha) * d * d;
    store<f32>(v + o, vi);
    let step = d / (Mathf.sqrt(vi) + eps);
    if (momentum != 0) { step = momentum * load<f32>(buf + o) + step; store<f32>(buf + o, step); }
    store<f32>(w + o, wi - lr * step);
  }
}

// Σ g² over [n], accumulated in f64 so a global norm over millions of parameters stays exact
// enough to compare with PyTorch's clip_grad_norm_.
export function sumSquares(g: usize, n: i32): f64 {
  let s: f64 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = f64x2.splat(0), acc2 = f64x2.splat(0);
    for (; i + 4 <= n; i += 4) {
      let v = v128.load(g + (<usize>i << 2));
      let lo = f64x2.promote_low_f32x4(v), hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
      acc = f64x2.add(acc, f64x2.mul(lo, lo)); acc2 = f64x2.add(acc2, f64x2.mul(hi, hi));
    }
    let t = f64x2.add(acc, acc2);
    s = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
  }
  for (; i < n; i++) { let x = <f64>load<f32>(g + (<usize>i << 2)); s += x * x; }
  return s;
}

// g [n] ·= s
export function scaleArray(g: usize, n: i32, s: f32): void {
  for (let i = 0; i < n; i++) { let p = g + (<usize>i << 2); store<f32>(p, load<f32>(p) * s); }
}

// g [n] clamped to [−c, c] (NaN stays NaN)
export function clipArray(g: usize, n: i32, c: f32): void {
  for (let i = 0; i < n; i++) {
    let p = g + (<usize>i << 2), x = load<f32>(p);
    store<f32>(p, x > c ? c : x < -c ? -c : x);
  }
}
