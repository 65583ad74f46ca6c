// Optimizers over a layer's packed parameter block: one wasm call per layer per update.
import { LSTMError, describe } from './errors.js';

/** Anything whose parameters live in one packed block with a gradient block of the same layout. */
export interface Trainable {
  _blocks(): { runtime: { kernels: { sgdStep(w: number, g: number, n: number, lr: number): void } }; params: number; grads: number; floats: number };
}

export interface SGDOptions { learningRate?: number }

/** Plain stochastic gradient descent: w ← w − lr·∂L/∂w. */
export class SGD {
  readonly learningRate: number;

  constructor(options: SGDOptions = {}) {
    const lr = options.learningRate ?? 0.01;
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
      throw new LSTMError('INVALID_ARGUMENT', 'must be a finite non-negative number',
        { argument: 'learningRate', expected: 'a number ≥ 0', actual: describe(lr) });
    }
    this.learningRate = lr;
  }

  /** Apply one update to each layer from its accumulated gradients (which are left as they are). */
  step(...layers: Trainable[]): void {
    for (const layer of layers) {
      const b = layer._blocks();
      b.runtime.kernels.sgdStep(b.params, b.grads, b.floats, this.learningRate);
    }
  }
}
