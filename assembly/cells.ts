// The cell registry: what the sequence drivers (assembly/sequence.ts) need to know of each cell,
// one entry per cell, indexed by its CELL_* id (assembly/abi.ts). The drivers never branch on the
// cell: they ask these tables. Adding a cell = its step kernels in its own file, one entry here,
// its id in abi.ts, a host class (src/layers/) and its tests.
import { SEQ_CELL, SEQ_H, SEQ_WHH } from './abi';
import { dI32, dPtr } from './desc';
import { packTransposed } from './gemm';
import { lstmStepForward, lstmStepBackward } from './lstm';
import { gruStepForward, gruStepBackward } from './gru';
import { rnnStepForward, rnnStepBackward } from './rnn';
import { gruBeforeStepForward, gruBeforeStepBackward, gruBeforePackWhhT, gruBeforeWeightGradients } from './gru-reset-before';
import { weightGradients } from './weights';

// One step forward for nb rows. The driver has put bias + W_ih·x_t in p [nb, N]; the step adds its
// recurrent product(s) and applies the gates:
//   rec [nb, ldr]: h_{t−1} as the recurrent product reads it (multiplied by the dropout mask, if any);
//   hPrev [nb, ldh]: h_{t−1} itself (direct paths); sPrev, sNow [nb, U]: the cell state (0 if none);
//   aux [nb, AUX·U]: per-step extras kept for backward (0 if none); y [nb, ldy]: h_t (H columns);
//   scratch [nb, N]: the step's own temporary space.
// p is left holding whatever the cell keeps for backward (REGION_PROJ).
export type ForwardStep = (d: usize, p: usize, rec: usize, ldr: i32, hPrev: usize, ldh: i32, sPrev: usize,
                           sNow: usize, aux: usize, y: usize, ldy: i32, scratch: usize, nb: i32) => void;

// One step backward for nb rows: ∂L/∂h_t = dy + dh, dc [nb, U] = ∂L/∂c_t (in) -> ∂L/∂c_{t−1} (out).
// Writes dz [nb, N] = ∂L/∂(input projection) and dzh [nb, N] = ∂L/∂(recurrent projection) (the same
// buffer unless SPLIT_RECURRENT), and leaves ∂L/∂h_{t−1} in dh [nb, H] (through W_hh, multiplied by
// the dropout mask when there is one, plus the cell's direct paths). whhT: W_hh transposed and packed
// by the cell's PACK_WHH_T; tmpA, tmpB [nb, U]: the step's own temporary space.
export type BackwardStep = (d: usize, p: usize, aux: usize, rec: usize, ldr: i32, hPrev: usize, ldh: i32,
                            sPrev: usize, sNow: usize, dy: usize, ldy: i32, dh: usize, dc: usize, dz: usize,
                            dzh: usize, whhT: usize, tmpA: usize, tmpB: usize, mask: usize, nb: i32) => void;

// Where gate `gate` (the kernel's gate order: LSTM i, f, g, o = 0..3; GRU r, z, n = 0..2) of unit u sits among the N projection columns (U units after padding). The host
// packs PyTorch's [G·H, K] weights by asking this (cellGateColumn), so the layout is declared here only.
export type GateColumn = (gate: i32, u: i32, U: i32) => i32;

// Gate-interleaved by four units: one block of 4·gates columns holds every gate of four units, so a
// gate kernel reads the gates of four units as consecutive f32x4 (LSTM: 16 per block, GRU: 12).
function interleaved4(gate: i32, u: i32, U: i32): i32 {
  return (u >> 2) * 16 + gate * 4 + (u & 3);
}

function interleaved3(gate: i32, u: i32, U: i32): i32 {
  return (u >> 2) * 12 + gate * 4 + (u & 3);
}

function oneColumn(gate: i32, u: i32, U: i32): i32 {
  return u;
}

// GRU with the reset before: r, z interleaved by four units (8 per block) in [0, 2U), n in [2U, 3U).
function resetBeforeColumns(gate: i32, u: i32, U: i32): i32 {
  return gate < 2 ? (u >> 2) * 8 + gate * 4 + (u & 3) : 2 * U + u;
}

// W_hh -> the transposed, packed form BackwardStep reads (done once per backward call).
export type PackWhhT = (d: usize, whhT: usize) => void;

// The weight gradients once BPTT is done: dz, dzh [T·B, N] (the same buffer unless SPLIT_RECURRENT),
// aux the cache's REGION_AUX, scratch gemmDyTX's packing space (assembly/weights.ts). Over the
// gradient columns [n0, n1) (multiples of 8), so threads can take disjoint column ranges.
export type WeightGradients = (d: usize, dz: usize, dzh: usize, aux: usize, N: i32, n0: i32, n1: i32,
                               scratch: usize) => void;

function packWhhT(d: usize, whhT: usize): void {
  let H = dI32(d, SEQ_H);
  packTransposed(dPtr(d, SEQ_WHH), cellColumns(dI32(d, SEQ_CELL), H), H, whhT);
}

// ---- the registry: one column per cell, in CELL_* order (CELL_LSTM = 0, …, CELL_GRU_RESET_BEFORE = 4) ----
//                                          LSTM   GRU   RNN_TANH  RNN_RELU  GRU_RESET_BEFORE
// Projection columns per unit (gates).
const GATES: StaticArray<i32> = [4, 3, 1, 1, 3];
// Units are padded to a multiple of this, so that the columns fill whole 8-column GEMM panels and
// the gate kernels read whole f32x4 groups.
const ALIGN: StaticArray<i32> = [4, 8, 8, 8, 8];
// Cell-state floats per unit kept per step (REGION_STATE).
const STATE: StaticArray<i32> = [1, 0, 0, 0, 0];
// Extra floats per unit kept per step (REGION_AUX).
const AUX: StaticArray<i32> = [0, 4, 0, 0, 4];
// 1: the recurrent projection has its own bias and gradient (b_hh sits inside the reset product).
const SPLIT_RECURRENT: StaticArray<i32> = [0, 1, 0, 0, 0];
export const GATE_COLUMN: StaticArray<GateColumn> = [
  interleaved4, interleaved3, oneColumn, oneColumn, resetBeforeColumns,
];
export const FORWARD_STEP: StaticArray<ForwardStep> = [
  lstmStepForward, gruStepForward, rnnStepForward, rnnStepForward, gruBeforeStepForward,
];
export const BACKWARD_STEP: StaticArray<BackwardStep> = [
  lstmStepBackward, gruStepBackward, rnnStepBackward, rnnStepBackward, gruBeforeStepBackward,
];
export const PACK_WHH_T: StaticArray<PackWhhT> = [packWhhT, packWhhT, packWhhT, packWhhT, gruBeforePackWhhT];
export const WEIGHT_GRADIENTS: StaticArray<WeightGradients> = [
  weightGradients, weightGradients, weightGradients, weightGradients, gruBeforeWeightGradients,
];

/** Units after padding (U). */
export function cellUnits(cell: i32, H: i32): i32 {
  let a = unchecked(ALIGN[cell]);
  return (H + a - 1) & ~(a - 1);
}

/** Projection columns (N = gates · U). */
export function cellColumns(cell: i32, H: i32): i32 {
  return unchecked(GATES[cell]) * cellUnits(cell, H);
}

/** The projection column of gate `gate` (the kernel's gate order) of unit u, for H units. */
export function cellGateColumn(cell: i32, gate: i32, u: i32, H: i32): i32 {
  return unchecked(GATE_COLUMN[cell])(gate, u, cellUnits(cell, H));
}

@inline export function cellStateWidth(cell: i32, H: i32): i32 {
  return unchecked(STATE[cell]) * cellUnits(cell, H);
}

@inline export function cellAuxWidth(cell: i32, H: i32): i32 {
  return unchecked(AUX[cell]) * cellUnits(cell, H);
}

@inline export function cellSplitRecurrent(cell: i32): bool {
  return unchecked(SPLIT_RECURRENT[cell]) != 0;
}
