// Type-checked by test/runtimes/node.mjs as a user's file would be (moduleResolution nodenext,
// with and without the workerd condition): the package's `exports` map must lead TypeScript to
// declarations for both entries. Never run.
import { init, LSTM, Sequential, Dense, Adam, tasks, type InitInfo, type BuildName } from 'wasm-lstm';

export async function use(): Promise<number> {
  const info: InitInfo = await init({ build: 'simd' satisfies BuildName });
  const model = new Sequential([new LSTM({ inputSize: 1, hiddenSize: 8 }), new Dense({ inputSize: 8, outputSize: 1 })]);
  model.compile({ loss: 'mse', optimizer: new Adam({ learningRate: 1e-2 }) });
  const { x, y } = tasks.sineTask(8, 10, { manyToOne: true, seed: 1 });
  return model.trainOnBatch(x, y) + info.build.length;
}
