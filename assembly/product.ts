// The weight products of the recurrent cells and the sequence driver, in the dtype of the layer's
// parameter block (SEQ_DTYPE): the cells and the driver ask for "x·W_ihᵀ" or "h·W_hhᵀ" over a range
// of columns and never branch on the dtype; this registry picks the f32 GEMM (gemm.ts) or the int8
// one (qgemm.ts, which quantizes the rows of X per call).
import {
  SEQ_DTYPE, SEQ_WIH, SEQ_WHH, SEQ_SIH, SEQ_SHH, SEQ_QSCRATCH,
} from './abi';
import { dI32, dPtr } from './desc';
import { gemmXWt, panelOffset } from './gemm';
import { qgemmXWt, qPanelOffset } from './qgemm';

// Y [M, ldy] += X [M, ldx] · W[n0, n1)ᵀ for the descriptor's weight `wField` (its scales: sField).
// Y points at column n0 of the output; n0, n1 are multiples of 8.
type WeightProduct = (d: usize, wField: i32, sField: i32, X: usize, ldx: i32, M: i32, K: i32, n0: i32, n1: i32,
                      Y: usize, ldy: i32) => void;

function productF32(d: usize, wField: i32, sField: i32, X: usize, ldx: i32, M: i32, K: i32, n0: i32, n1: i32,
                    Y: usize, ldy: i32): void {
  gemmXWt(X, ldx, M, K, dPtr(d, wField) + panelOffset(n0, K), n1 - n0, Y, ldy);
}

function productI8(d: usize, wField: i32, sField: i32, X: usize, ldx: i32, M: i32, K: i32, n0: i32, n1: i32,
                   Y: usize, ldy: i32): void {
  qgemmXWt(X, ldx, M, K, dPtr(d, wField) + qPanelOffset(n0, K), dPtr(d, sField) + (<usize>n0 << 2), n1 - n0, Y, ldy,
    dPtr(d, SEQ_QSCRATCH));
}

// indexed by DTYPE_* (DTYPE_F32 = 0, DTYPE_I8 = 1)
const PRODUCT: StaticArray<WeightProduct> = [productF32, productI8];

/** Y += X · W_ih[n0, n1)ᵀ (X: [M, K] inputs). */
@inline export function inputProduct(d: usize, X: usize, ldx: i32, M: i32, K: i32, n0: i32, n1: i32, Y: usize,
                                     ldy: i32): void {
  unchecked(PRODUCT[dI32(d, SEQ_DTYPE)])(d, SEQ_WIH, SEQ_SIH, X, ldx, M, K, n0, n1, Y, ldy);
}

/** Y += X · W_hh[n0, n1)ᵀ (X: [M, H], h_{t−1} or what the cell multiplies W_hh with). */
@inline export function recurrentProduct(d: usize, X: usize, ldx: i32, M: i32, K: i32, n0: i32, n1: i32, Y: usize,
                                         ldy: i32): void {
  unchecked(PRODUCT[dI32(d, SEQ_DTYPE)])(d, SEQ_WHH, SEQ_SHH, X, ldx, M, K, n0, n1, Y, ldy);
}
