// The ABI: every export the host calls (src/ reaches the kernels only through these; their
// TypeScript signatures are generated from this file at build time into src/kernels.generated.ts).
// Kernels take pointers (byte offsets) and sizes, write into memory the host gave them, allocate
// nothing and keep no state between calls. Constants shared with the host: assembly/abi.ts.
// The threaded builds (*.mt.wasm) also export assembly/index-threads.ts.
export { gemmXWt, gemmDyW, gemmDyTX, gemmDyTXScratchFloats, colSum, packTransposed, fillBias2, transpose3 } from './gemm';
export {
  seqForward, seqBackward, seqBackwardPrepare, seqBackwardSteps, seqBackwardWeights, seqBackwardInput, seqStep,
} from './sequence';
export { cellUnits, cellColumns, cellGateColumn } from './cells';
export { seqRegion, seqCacheFloats, seqWorkFloats, seqScratchFloats } from './layout';
export { sigmoidArray, tanhArray } from './activations';
export { sgdStep, sgdMomentumStep, adamStep, rmspropStep, sumSquares, scaleArray, clipArray } from './optim';
export { denseForward, denseForwardInt8, denseBackward, activationForward, activationBackward } from './dense';
export { qgemmScratchBytes } from './qgemm';
export { peakMulAdd, peakFlopsPerIteration } from './peak';

// Where the host's allocator may start (past any static data the compiler placed).
export function heapBase(): usize {
  return __heap_base;
}
export { warmUp, warmUpScratchBytes } from './warmup';
