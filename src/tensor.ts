// The tensor type at the API boundary: a flat row-major Float32Array and its shape.
export interface Tensor { shape: number[]; data: Float32Array }

/** Named tensors in PyTorch's names, shapes and order (nn.Module.state_dict()). */
export type StateDict = Record<string, Tensor>;

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
