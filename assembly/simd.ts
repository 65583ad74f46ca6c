// f32x4 helpers and the activation functions, each with its scalar twin.
// One source, three builds: ASC_FEATURE_SIMD / ASC_FEATURE_RELAXED_SIMD are compile-time
// constants, so the branch not taken is never compiled (the scalar build has no v128 at all).

// a*b + c. relaxed_madd may fuse (one rounding) or not, depending on the engine; tests carry
// a tolerance for that. Plain SIMD uses mul then add (two roundings).
@inline export function fma(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

@inline export function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

// exp(x) = 2^n · p(r), n = round(x/ln2), r = x − n·ln2 split in two parts (Cody–Waite) so r is
// exact enough; p is Cephes' degree-6 minimax polynomial (relative error ≈ 1 ulp on |r| ≤ ln2/2).
// x is clamped to [−87.3, 88.3] so 2^n stays a normal float: exp never returns inf or NaN for
// finite or infinite input, which is what makes σ and tanh saturate cleanly.
const EXP_HI: f32 = 88.3;
const EXP_LO: f32 = -87.3;
const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const P0: f32 = 1.9875691500e-4;
const P1: f32 = 1.3981999507e-3;
const P2: f32 = 8.3334519073e-3;
const P3: f32 = 4.1665795894e-2;
const P4: f32 = 1.6666665459e-1;
const P5: f32 = 5.0000001201e-1;

// 1.5·2^23: adding it to |v| < 2^22 rounds v to an integer held in the low mantissa bits, so n
// and 2^n come from integer ops on the same register (no float->int conversion, whose V8 x64
// lowering is a long fix-up sequence).
const ROUND_MAGIC: f32 = 12582912.0;

@inline export function expV(x0: v128): v128 {
  // pmax/pmin lower to single maxps/minps (min/max need a NaN fix-up sequence); with x first a
  // NaN input still comes out NaN.
  let x = f32x4.pmin(f32x4.pmax(x0, f32x4.splat(EXP_LO)), f32x4.splat(EXP_HI));
  let t = f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(ROUND_MAGIC));
  let n = f32x4.sub(t, f32x4.splat(ROUND_MAGIC));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = fma(f32x4.splat(P0), r, f32x4.splat(P1));
  p = fma(p, r, f32x4.splat(P2));
  p = fma(p, r, f32x4.splat(P3));
  p = fma(p, r, f32x4.splat(P4));
  p = fma(p, r, f32x4.splat(P5));
  p = fma(p, f32x4.mul(r, r), f32x4.add(r, f32x4.splat(1)));
  // bits(t) = bits(magic) + n; shifted left by 23 only n survives, in the exponent field.
  let scale = i32x4.add(i32x4.shl(t, 23), i32x4.splat(127 << 23));
  return f32x4.mul(p, scale);
}

@inline export function expS(x0: f32): f32 {
  let x = min(max(x0, EXP_LO), EXP_HI);
  let n = nearest<f32>(x * LOG2E);
  let r = x - n * LN2_HI;
  r = r - n * LN2_LO;
  let p = P0 * r + P1;
  p = p * r + P2;
  p = p * r + P3;
  p = p * r + P4;
  p = p * r + P5;
  p = p * (r * r) + (r + 1);
  return p * reinterpret<f32>((<i32>n + 127) << 23);
}

// σ(x) = 1 / (1 + e^−x): in [0, 1] for every input, 0 and 1 reached only in the limit.
@inline export function sigmoidV(x: v128): v128 {
  let one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, expV(f32x4.neg(x))));
}

@inline export function sigmoidS(x: f32): f32 {
  return 1 / (1 + expS(-x));
}

// tanh(x) = 2σ(2x) − 1: absolute error ≤ 2·err(σ) + 1 ulp, bounded by ±1.
@inline export function tanhV(x: v128): v128 {
  let two = f32x4.splat(2);
  return f32x4.sub(f32x4.mul(two, sigmoidV(f32x4.mul(two, x))), f32x4.splat(1));
}

@inline export function tanhS(x: f32): f32 {
  return 2 * sigmoidS(2 * x) - 1;
}

// Loads and stores of the first n (< 4) lanes, for row tails when H is not a multiple of 4.
@inline export function loadPartial(p: usize, n: i32): v128 {
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

@inline export function storePartial(p: usize, v: v128, n: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

// ---- Gate options (assembly/abi.ts FLAG_HARD_GATES, FLAG_CLIP) ----
// The general gate kernels take these as vectors built once per call: a hard sigmoid
// min(max(α·x + β, 0), 1) in place of σ, and a clamp of every pre-activation to [lo, hi]
// (±∞ when there is no clip, which leaves every value, NaN included, unchanged).

@inline export function clampV(x: v128, lo: v128, hi: v128): v128 {
  return f32x4.pmin(f32x4.pmax(x, lo), hi);
}

@inline export function clampS(x: f32, lo: f32, hi: f32): f32 {
  return x < lo ? lo : x > hi ? hi : x;
}

@inline export function hardSigmoidV(x: v128, alpha: v128, beta: v128): v128 {
  return f32x4.pmin(f32x4.pmax(fma(alpha, x, beta), f32x4.splat(0)), f32x4.splat(1));
}

@inline export function hardSigmoidS(x: f32, alpha: f32, beta: f32): f32 {
  let v = alpha * x + beta;
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

// The recurrent gate activation: σ, or the hard sigmoid (FLAG_HARD_GATES).
@inline export function gateV(x: v128, hard: bool, alpha: v128, beta: v128): v128 {
  return hard ? hardSigmoidV(x, alpha, beta) : sigmoidV(x);
}

@inline export function gateS(x: f32, hard: bool, alpha: f32, beta: f32): f32 {
  return hard ? hardSigmoidS(x, alpha, beta) : sigmoidS(x);
}

// dσ/dx from the activation a: a(1 − a), or α inside the hard sigmoid's linear part and 0 outside.
@inline export function gateSlopeV(a: v128, hard: bool, alpha: v128): v128 {
  if (hard) return v128.and(alpha, v128.and(f32x4.gt(a, f32x4.splat(0)), f32x4.lt(a, f32x4.splat(1))));
  return f32x4.mul(a, f32x4.sub(f32x4.splat(1), a));
}

@inline export function gateSlopeS(a: f32, hard: bool, alpha: f32): f32 {
  if (hard) return a > 0 && a < 1 ? alpha : 0;
  return a * (1 - a);
}

// 1 where a lies strictly between the activations of the clip bounds (the pre-activation was not
// clamped, so the clamp passes gradient), else 0, as an all-ones / all-zeros lane mask.
@inline export function unclippedV(a: v128, aLo: v128, aHi: v128): v128 {
  return v128.and(f32x4.gt(a, aLo), f32x4.lt(a, aHi));
}
