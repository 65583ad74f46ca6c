// Training a recurrent layer + Dense on the adding problem (T=100) for the variant tests, stopping
// (model.stopTraining) at the first epoch whose test MSE is below `stopBelow`.
import { Adam, Dense, type Layer, Sequential, tasks } from '../../src/index.js';

export /** The best test MSE over the epochs run; with `stopBelow`, training ends once it is reached. */
async function trainAdding(layer: Layer, epochs: number, stopBelow = 0): Promise<number> {
  const train = tasks.addingProblem(4096, 100, 1),
    test = tasks.addingProblem(512, 100, 2);
  const m = new Sequential([layer, new Dense({ inputSize: 32, outputSize: 1, seed: 2 })]);
  m.compile({ loss: 'mse', optimizer: new Adam({ learningRate: 1e-2, clipNorm: 1 }) });
  let best = Infinity;
  await m.fit(train.x, train.y, {
    epochs,
    batchSize: 64,
    onEpochEnd: () => {
      best = Math.min(best, m.evaluate(test.x, test.y).loss);
      m.stopTraining = best < stopBelow;
    },
  });
  m.dispose();
  return best;
}
