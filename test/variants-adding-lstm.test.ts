// Each variant in a Sequential model on the adding problem (T=100): the LSTM variants and the GRU
// solve it (test MSE < 0.01; predicting the mean scores ≈ 0.172 on these test targets), the plain
// RNN does not. A solving run stops (model.stopTraining) at the first epoch whose test MSE is below
// 0.01; the epoch budgets are those the runs had before they stopped early.
import { beforeAll, describe, expect, it } from 'vitest';
import { init, LSTM } from '../src/index.js';
import { trainAdding } from './helpers/adding.js';

describe('LSTM variants on the adding problem, T=100', () => {
  beforeAll(async () => {
    await init();
  });
  // Measured test MSE per epoch (relaxed-simd build), and the time of one epoch with its evaluation.
  it('peephole LSTM solves it', async () => {
    // At the plateau (≈ 0.171) for 10 epochs, 0.028 at 11, 0.0059 at epoch 12 (stop); 0.0015 by 19. 0.56 s/epoch.
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 32, peephole: true, seed: 1 });
    expect(await trainAdding(lstm, 24, 0.01)).toBeLessThan(0.01);
  }, 120_000);
  it('coupled input-forget LSTM solves it', async () => {
    // 0.17 for 3 epochs, 0.073 at 4, 0.0034 at epoch 5 (stop); 0.0007 by 9. 0.54 s/epoch.
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 32, coupledInputForget: true, seed: 1 });
    expect(await trainAdding(lstm, 24, 0.01)).toBeLessThan(0.01);
  }, 120_000);
});
