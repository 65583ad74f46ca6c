// The threaded builds' exports besides assembly/index.ts (scripts/build-wasm.mjs compiles the *-mt
// targets with this file as a second entry): the parts of a call each thread takes (ranges.ts) and
// the recurrence of seqForward without its projection. The one-thread builds leave them out, so a
// page that never asks for threads downloads none of them.
export { seqForwardSteps } from './sequence';
export {
  seqProjectRows, seqBackwardPackRecurrent, seqBackwardZeroRows, seqBackwardPackInput, seqBackwardInputRows,
  seqBackwardWeightColumns, sumSquaresTo, transpose3Range,
} from './ranges';
