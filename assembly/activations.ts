// Element-wise σ and tanh over arrays: the vectorised functions exposed for the accuracy test
// (every f32 is checked against Math's through these) and for layers that need them.
import { sigmoidV, tanhV, sigmoidS, tanhS } from './simd';

// y [n] = σ(x [n]); x and y may alias.
export function sigmoidArray(x: usize, y: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) v128.store(y + (<usize>i << 2), sigmoidV(v128.load(x + (<usize>i << 2))));
  }
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), sigmoidS(load<f32>(x + (<usize>i << 2))));
}

// y [n] = tanh(x [n]); x and y may alias.
export function tanhArray(x: usize, y: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) v128.store(y + (<usize>i << 2), tanhV(v128.load(x + (<usize>i << 2))));
  }
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), tanhS(load<f32>(x + (<usize>i << 2))));
}
