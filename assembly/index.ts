// The ABI: every export the host calls. Kernels take pointers (byte offsets) and sizes, write
// into memory the host gave them, allocate nothing and keep no state between calls.
export { gemmXWt, gemmDyW, gemmDyTX, gemmDyTXScratchFloats, colSum, packTransposed, fillBias2, transpose3 } from './gemm';
export { seqForward, seqBackward, seqStep, cellUnits, cellColumns, cacheFloats, forwardScratchFloats, workFloats, stepScratchFloats } from './recurrent';
export { sigmoidArray, tanhArray } from './activations';
export { sgdStep, sgdMomentumStep, adamStep, rmspropStep, sumSquares, scaleArray, clipArray } from './optim';

// Where the host's allocator may start (past any static data the compiler placed).
export function heapBase(): usize { return __heap_base; }
export { peakMulAdd, peakFlopsPerIteration } from './peak';
export { denseForward, denseBackward, activationForward, activationBackward } from './dense';
