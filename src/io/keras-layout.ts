// Shared by the Keras importer and exporter (kept apart so that a bundle using only
// toLayersModel does not carry the importer): Keras <-> PyTorch weight layout helpers and the
// UNSUPPORTED_LAYER error.
import { LSTMError } from '../errors.js';

/** [R, C] row-major -> [C, R]. */
export function transpose(data: Float32Array, R: number, C: number): Float32Array {
  const out = new Float32Array(R * C);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[c * R + r] = data[r * C + c]!;
  return out;
}

/** Keras GRU gate blocks z, r, h <-> PyTorch r, z, n along the leading axis of [3H, K] (its own inverse). */
export function swapGruGates(rows: Float32Array, H: number, K: number): Float32Array {
  const out = rows.slice(),
    block = H * K;
  out.set(rows.subarray(block, 2 * block), 0);
  out.set(rows.subarray(0, block), block);
  return out;
}

export function unsupported(
  layer: { name: string; className: string } | string,
  option: string,
  detail: string,
  expected?: string,
): LSTMError {
  const where = typeof layer === 'string' ? layer : `layer "${layer.name}" (${layer.className})`;
  return new LSTMError('UNSUPPORTED_LAYER', `${where}: ${detail}`, {
    argument: option,
    ...(expected !== undefined ? { expected } : {}),
    actual: typeof layer === 'string' ? layer : `${layer.className} "${layer.name}"`,
  });
}
