// Where everything lives inside the buffers a sequence call uses, computed here once: the drivers
// read it, and the host asks for the same numbers through the exports (seqRegion, seqCacheFloats,
// seqWorkFloats, seqScratchFloats) to size what it allocates. Every region starts on 16 floats (64 B).
import {
  REGION_PROJ, REGION_STATE, REGION_AUX, REGION_CACHE_END, REGION_DZ, REGION_DZH, REGION_WHH_T, REGION_WIH_T,
  REGION_DW_SCRATCH, REGION_ROWS, REGION_WORK_END,
} from './abi';
import { roundFloats } from './desc';
import { gemmDyTXScratchFloats } from './gemm';
import { cellUnits, cellColumns, cellStateWidth, cellAuxWidth, cellSplitRecurrent } from './cells';

/**
 * Float offset of `region` (REGION_*) for a cell with T steps, B rows, K inputs, H units: cache regions
 * from the start of the cache, work regions from the start of the backward workspace. *_END = size.
 *   cache: proj [T,B,N] | state [T,B,STATE·U] | aux [T,B,AUX·U]
 *   work:  dz [T,B,N] | dzh [T,B,N] (split cells; else dz) | W_hhᵀ | W_ihᵀ | dW packing | rows [4,B,U]
 * rows: dhCarry, dcSave (padding carries), tmpA, tmpB (the cell's step scratch).
 */
export function seqRegion(cell: i32, T: i32, B: i32, K: i32, H: i32, region: i32): i32 {
  let TB = T * B, N = cellColumns(cell, H), U = cellUnits(cell, H);
  let at = 0;
  // cache
  if (region == REGION_PROJ) return at;
  at += roundFloats(TB * N);
  if (region == REGION_STATE) return at;
  at += roundFloats(TB * cellStateWidth(cell, H));
  if (region == REGION_AUX) return at;
  at += roundFloats(TB * cellAuxWidth(cell, H));
  if (region == REGION_CACHE_END) return at;
  // work
  at = 0;
  if (region == REGION_DZ) return at;
  at += roundFloats(TB * N);
  if (region == REGION_DZH) return cellSplitRecurrent(cell) ? at : 0;
  if (cellSplitRecurrent(cell)) at += roundFloats(TB * N);
  if (region == REGION_WHH_T) return at;
  at += roundFloats(((H + 7) & ~7) * N);
  if (region == REGION_WIH_T) return at;
  at += roundFloats(((K + 7) & ~7) * N);
  if (region == REGION_DW_SCRATCH) return at;
  at += roundFloats(gemmDyTXScratchFloats(N, max(K, H)));
  if (region == REGION_ROWS) return at;
  at += 4 * roundFloats(B * U);
  if (region == REGION_WORK_END) return at;
  return -1;
}

/** Floats of the cache a forward fills for backward (SEQ_CACHE). */
export function seqCacheFloats(cell: i32, T: i32, B: i32, H: i32): i32 {
  return seqRegion(cell, T, B, 0, H, REGION_CACHE_END);
}

/** Floats of the backward workspace (SEQ_WORK). */
export function seqWorkFloats(cell: i32, T: i32, B: i32, K: i32, H: i32): i32 {
  return seqRegion(cell, T, B, K, H, REGION_WORK_END);
}

/** Floats of a step's scratch (SEQ_SCRATCH): [B, N]. */
export function seqScratchFloats(cell: i32, B: i32, H: i32): i32 {
  return roundFloats(B * cellColumns(cell, H));
}
