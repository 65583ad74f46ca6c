// The seam between kernels and host, declared once. This file is compiled by AssemblyScript (into
// the kernels) AND by TypeScript (imported by src/), so it holds only `export const NAME = <integer
// expression>`, which means the same in both languages. Nothing else may go here.
//
// Pointers in descriptors are byte offsets into the one wasm memory, stored as u32 (the host
// writes them with `>>> 0`, so offsets past 2 GiB survive). Floats are f32. Every field is 4 bytes.

// ---- Weight packing (assembly/gemm.ts) ----
// A weight W [N, K] (PyTorch's [out, in]) is stored as N/8 panels [K][8]: panel j holds columns
// 8j..8j+7 of every k. N is always padded to a multiple of PANEL.
export const PANEL = 8;

// ---- Weight dtypes: a property of a parameter block (assembly/product.ts picks the product for it) ----
export const DTYPE_F32 = 0; // f32 panels [N/8][K][8] (above)
// Symmetric int8 with one f32 scale per output column (per gate unit), for inference. Panels of 8
// columns interleaved by pairs of k, [N/8][Kp/2][8][2] with Kp = K rounded up to even (pad k = 0):
// v128.load8x8_s takes 4 columns × 2 k and i32x4.dot_i16x8_s multiplies them with a splat pair of
// int16 activations (assembly/qgemm.ts). Activations are quantized per row and call to int16.
export const DTYPE_I8 = 1;
export const DTYPE_COUNT = 2;
// Rows of activations quantized at a time: the int8 products take scratch for this many rows
// (qgemmScratchBytes).
export const QROWS = 32;

// ---- Recurrent cells (assembly/cells.ts registers their kernels and shapes) ----
export const CELL_LSTM = 0; // i, f, g, o (PyTorch nn.LSTM), plus the peephole and coupled variants
export const CELL_GRU = 1; // r, z, n with the reset applied after W_hn·h (PyTorch nn.GRU)
export const CELL_RNN_TANH = 2; // h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (nn.RNN)
export const CELL_RNN_RELU = 3; // same with relu
export const CELL_GRU_RESET_BEFORE = 4; // n = tanh(W_in x + b_in + W_hn (r∘h) + b_hn) (Keras reset_after=False)
export const CELL_COUNT = 5;

// Options of a cell (SEQ_FLAGS), combinable.
export const FLAG_PEEPHOLE = 1; // LSTM: i, f see c_{t−1}, o sees c_t (SEQ_PEEP weights)
export const FLAG_CIFG = 2; // LSTM: coupled input-forget gate, i = 1 − f
export const FLAG_HARD_GATES = 4; // gate activation min(max(α·x + β, 0), 1) instead of σ (SEQ_ALPHA, SEQ_BETA)
export const FLAG_CLIP = 8; // every gate pre-activation clamped to [−SEQ_CLIP, SEQ_CLIP] (ONNX `clip`)

// ---- Sequence descriptor: one layer in one direction (seqForward, seqBackward*, seqStep) ----
// Shapes: T steps, B batch rows, K inputs, H units; buffers are time-major [T, B, ·].
export const SEQ_CELL = 0; // CELL_*
export const SEQ_FLAGS = 4; // FLAG_*
export const SEQ_T = 8;
export const SEQ_B = 12;
export const SEQ_K = 16;
export const SEQ_H = 20;
export const SEQ_REVERSE = 24; // 1: run t = T−1 … 0
export const SEQ_ALPHA = 28; // f32: hard-gate slope
export const SEQ_BETA = 32; // f32: hard-gate offset
export const SEQ_CLIP = 36; // f32: clip threshold
// parameters, packed (assembly/gemm.ts panels, gate columns as assembly/cells.ts lays them out)
export const SEQ_WIH = 40; // [N/8][K][8]
export const SEQ_WHH = 44; // [N/8][H][8]
export const SEQ_BIH = 48; // [N]
export const SEQ_BHH = 52; // [N]
export const SEQ_PEEP = 56; // [3·U] p_i, p_f, p_o (FLAG_PEEPHOLE)
// forward
export const SEQ_X = 60; // x [T, B, ldx]
export const SEQ_LDX = 64; // floats per row of x
export const SEQ_H0 = 68; // [B, H] (seqStep: the carried h, updated in place)
export const SEQ_C0 = 72; // [B, U] (seqStep: the carried c)
export const SEQ_Y = 76; // h_t [T, B, ldy] (columns 0..H−1 from this pointer)
export const SEQ_LDY = 80;
export const SEQ_CACHE = 84; // what forward keeps for backward: seqCacheFloats
export const SEQ_SCRATCH = 88; // seqScratchFloats
export const SEQ_LENGTHS = 92; // i32 [B] or 0: steps t ≥ lengths[b] are padding
export const SEQ_DROP_MASK = 96; // [B, H] or 0: recurrent dropout mask on h_{t−1}
export const SEQ_H_MASKED = 100; // [T, B, H]: h_{t−1}∘mask per step (when SEQ_DROP_MASK)
export const SEQ_HN = 104; // [B, H] out: the final h (each row's own last step)
export const SEQ_CN = 108; // [B, H] out: the final c (cells with a state)
// backward
export const SEQ_DY = 112; // ∂L/∂y [T, B, ldy]
export const SEQ_DH = 116; // [B, H]: ∂L/∂h_n in, ∂L/∂h0 out
export const SEQ_DC = 120; // [B, U]: ∂L/∂c_n in, ∂L/∂c0 out
export const SEQ_WORK = 124; // seqWorkFloats
export const SEQ_DX = 128; // ∂L/∂x [T, B, ldx] (accumulated) or 0
export const SEQ_GWIH = 132; // gradients, packed like the parameters (accumulated)
export const SEQ_GWHH = 136;
export const SEQ_GBIH = 140;
export const SEQ_GBHH = 144;
export const SEQ_GPEEP = 148;
export const SEQ_GRAD_NORMS = 152; // [T] or 0: ‖∂L/∂h_t‖ per step, mean over the batch
// weight dtype (DTYPE_*) of SEQ_WIH / SEQ_WHH; for DTYPE_I8 their per-column scales and the scratch in
// which activations are quantized (qgemmScratchBytes of the largest K)
export const SEQ_DTYPE = 156;
export const SEQ_SIH = 160; // f32 [N]
export const SEQ_SHH = 164; // f32 [N]
export const SEQ_QSCRATCH = 168; // one per descriptor: row ranges run on several threads need one each
export const SEQ_BYTES = 176;

// Regions of the cache and the backward workspace (seqRegion(desc, REGION_*) gives float offsets).
export const REGION_PROJ = 0; // cache: gate pre-activations, then what the cell keeps [T, B, N]
export const REGION_STATE = 1; // cache: the cell state c_t [T, B, U] (LSTM)
export const REGION_AUX = 2; // cache: per-step extras [T, B, A] (GRU gates)
export const REGION_CACHE_END = 3;
export const REGION_DZ = 4; // work: ∂L/∂(input projection) [T, B, N]
export const REGION_DZH = 5; // work: ∂L/∂(recurrent projection) [T, B, N] (cells that keep it apart)
export const REGION_WHH_T = 6; // work: W_hh transposed and packed
export const REGION_WIH_T = 7; // work: W_ih transposed and packed
export const REGION_DW_SCRATCH = 8; // work: gemmDyTX packing
export const REGION_ROWS = 9; // work: per-row carries [4, B, U]
export const REGION_WORK_END = 10;

// ---- Dense activations (assembly/dense.ts) ----
export const ACT_LINEAR = 0;
export const ACT_RELU = 1;
export const ACT_SIGMOID = 2;
export const ACT_TANH = 3;
export const ACT_SOFTMAX = 4;
