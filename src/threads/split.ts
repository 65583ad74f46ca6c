// What layers and optimizers call instead of the kernels, and all they see of threads: on a
// threaded runtime each call goes to its pool's split (split-ops.ts, loaded with the pool on the first
// init({ threads }), so pages that never ask for threads do not download it); otherwise, or once the
// pool is terminated, it is the plain one-thread kernel call.
import type { Descriptor } from '../kernel/descriptor.js';
import type { Kernels, Runtime } from '../runtime.js';

type Ops = typeof import('./split-ops.js');
const ops = (rt: Runtime): Ops | null => (rt.pool && !rt.pool.terminated ? rt.pool.ops : null);

/** seqForward of one layer's directions (`descs`, consecutive slots), batch B, T steps. */
export function forwardLayer(rt: Runtime, descs: readonly Descriptor[], B: number, T: number): void {
  const o = ops(rt);
  if (o) o.forwardLayer(rt, descs, B, T);
  else for (const d of descs) rt.kernels.seqForward(d.ptr, 0, B);
}

/** seqBackward of one layer's directions (consecutive slots; they share SEQ_DX, which each adds to). */
export function backwardLayer(rt: Runtime, descs: readonly Descriptor[], B: number, T: number): void {
  const o = ops(rt);
  if (o) o.backwardLayer(rt, descs, B, T);
  else for (const d of descs) rt.kernels.seqBackward(d.ptr);
}

/** transpose3: dst [B, A, F] = src [A, B, F] (batch-first ↔ time-major). */
export function transpose3(rt: Runtime, src: number, A: number, B: number, F: number, dst: number): void {
  const o = ops(rt);
  if (o) o.transpose3(rt, src, A, B, F, dst);
  else rt.kernels.transpose3(src, A, B, F, dst);
}

/** denseForward: x [M, K] → y [M, NP]. */
export function denseForward(rt: Runtime, ...a: Parameters<Kernels['denseForward']>): void {
  const o = ops(rt);
  if (o) o.denseForward(rt, ...a);
  else rt.kernels.denseForward(...a);
}

/** denseForwardInt8 (Dense with int8 weights; x quantized per row into the last argument, scratch). */
export function denseForwardInt8(rt: Runtime, ...a: Parameters<Kernels['denseForwardInt8']>): void {
  const o = ops(rt);
  if (o) o.denseForwardInt8(rt, ...a);
  else rt.kernels.denseForwardInt8(...a);
}

/** denseBackward, same arguments as the kernel. */
export function denseBackward(rt: Runtime, ...a: Parameters<Kernels['denseBackward']>): void {
  const o = ops(rt);
  if (o) o.denseBackward(rt, ...a);
  else rt.kernels.denseBackward(...a);
}

export type Elementwise = 'sgdStep' | 'sgdMomentumStep' | 'adamStep' | 'rmspropStep' | 'scaleArray' | 'clipArray';

/** An update over n floats of the blocks `ptrs` (kernel(…ptrs, n, …scalars)). */
export function elementwise(rt: Runtime, kernel: Elementwise, ptrs: number[], n: number, ...scalars: number[]): void {
  const o = ops(rt);
  if (o) o.elementwise(rt, kernel, ptrs, n, ...scalars);
  else (rt.kernels[kernel] as unknown as (...a: number[]) => void)(...ptrs, n, ...scalars);
}

/** Σ g² over n floats (float64). */
export function sumSquares(rt: Runtime, g: number, n: number): number {
  const o = ops(rt);
  return o ? o.sumSquares(rt, g, n) : rt.kernels.sumSquares(g, n);
}
