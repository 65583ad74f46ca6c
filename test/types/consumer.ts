// A user's TypeScript file, type-checked by test/types.test.ts against the BUILT package's declarations
// (dist/types through the exports map, as `import … from 'wasm-lstm'` resolves in a project) under
// `strict`, without skipLibCheck, with and without the workerd condition. Never run. Each block uses a
// type users need to name; the @ts-expect-error lines fail the check if @internal members come back
// into the .d.ts (a stale @ts-expect-error is itself an error).
import {
  type Activation,
  type AdamOptions,
  type BackwardOptions,
  type BuildName,
  type Callback,
  type CompileOptions,
  type DenseOptions,
  type EarlyStoppingOptions,
  type EpochLogs,
  type EpochMetrics,
  type FitOptions,
  type ForwardOptions,
  type ForwardResult,
  type GRUOptions,
  type History,
  type InitInfo,
  type InitOptions,
  type LossResult,
  type LSTMErrorCode,
  type LSTMState,
  type LSTMVariantOptions,
  type MergeMode,
  type ModelCheckpointOptions,
  type MonitorMode,
  type RecurrentActivation,
  type ReduceLROnPlateauOptions,
  type SaveOptions,
  type SGDOptions,
  type SimpleRNNOptions,
  type StateDict,
  type StepLROptions,
  type TensorLike,
  type ThreadStatus,
  type WasmSource,
  type WeightSpec,
  Adam,
  computeLoss,
  Dense,
  EarlyStopping,
  GRU,
  init,
  LSTM,
  LSTMError,
  ReduceLROnPlateau,
  SGD,
  Sequential,
  SimpleRNN,
  StepLR,
  terminate,
  threadStatus,
} from 'wasm-lstm';
import {
  formatReport,
  formatThreadsReport,
  runBenchmark,
  runThreadsBenchmark,
  type BenchmarkOptions,
  type ThreadsReport,
} from 'wasm-lstm/bench';
import { OnnxSession, toOnnx, type OnnxFeed } from 'wasm-lstm/onnx';
import simdKernels from 'wasm-lstm/build/lstm.simd.wasm';

export async function start(): Promise<InitInfo> {
  const wasm: WasmSource = simdKernels; // the .wasm subpath's default export is something init() takes
  const options: InitOptions = { wasm, warmUp: false };
  const build: BuildName = (await init(options)).build;
  const threaded: InitInfo = await init({ build, threads: 'auto', workerUrl: new URL('https://example.com/w.js') });
  const why: string | undefined = threaded.features.threadsReason;
  const status: ThreadStatus = threadStatus();
  terminate();
  void [why, status.workersReady, status.errors.length];
  return init({ build });
}

export function layers(): number {
  const lstmOptions: LSTMVariantOptions = { inputSize: 3, hiddenSize: 4, peephole: true, mergeMode: 'sum' };
  const merge: MergeMode | undefined = lstmOptions.mergeMode;
  const gate: RecurrentActivation = { name: 'hardSigmoid', alpha: 0.2, beta: 0.5 };
  const gru: GRUOptions = { inputSize: 3, hiddenSize: 4, resetAfter: false, recurrentActivation: gate };
  const rnn: SimpleRNNOptions = { inputSize: 3, hiddenSize: 4, nonlinearity: 'relu' };
  const lstm = new LSTM(lstmOptions);
  const x = new Float32Array(2 * 5 * 3);
  const forward: ForwardOptions = { batch: 2, steps: 5 };
  const result: ForwardResult = lstm.forward(x, forward);
  const backward: BackwardOptions = { dh: new Float32Array(result.h.length) };
  const dx: Float32Array = lstm.backward(new Float32Array(result.output.length), backward).dx;
  const state: LSTMState = lstm.createState(1);
  const y: Float32Array = lstm.step(new Float32Array(3), state);
  // @ts-expect-error the optimizers' packed block is internal
  lstm._blocks();
  // @ts-expect-error truncated BPTT's carry switch is internal
  lstm.setCarry(true);
  new SGD({ learningRate: 0.1 } satisfies SGDOptions).step(lstm); // a layer is something an optimizer steps
  const dict: StateDict = lstm.stateDict();
  const others = [new GRU(gru), new SimpleRNN(rnn)];
  for (const l of [lstm, ...others]) l.dispose();
  return dx.length + y.length + Object.keys(dict).length + (merge === 'sum' ? 1 : 0);
}

export async function train(): Promise<History> {
  const activation: Activation = 'sigmoid';
  const dense: DenseOptions = { inputSize: 4, outputSize: 1, activation };
  const model = new Sequential([new LSTM({ inputSize: 1, hiddenSize: 4 }), new Dense(dense)]);
  const schedule: StepLROptions = { stepSize: 2 };
  const plateau: ReduceLROnPlateauOptions = { monitor: 'loss', patience: 1 };
  const adam: AdamOptions = { learningRate: 1e-2, schedule: new StepLR(schedule) };
  const compile: CompileOptions = { loss: 'binaryCrossentropy', optimizer: new Adam(adam), metrics: ['accuracy'] };
  model.compile(compile);
  void new ReduceLROnPlateau(plateau);
  // @ts-expect-error optimizer state export is internal (model files save it)
  model.optimizer?._exportState(model.layers[0]!);
  const x: TensorLike = [[[0], [1]]];
  const y: TensorLike = new Float32Array([1]);
  const mode: MonitorMode = 'min';
  const stopping: EarlyStoppingOptions = { monitor: 'loss', patience: 2, mode };
  const checkpoint: ModelCheckpointOptions = { save: (bytes: Uint8Array, epoch: number) => void [bytes, epoch] };
  const logger: Callback = { onEpochEnd: (_epoch: number, logs: EpochLogs) => void logs.loss };
  const fit: FitOptions = { epochs: 2, callbacks: [new EarlyStopping(stopping), logger], seed: 1 };
  void checkpoint;
  const history = await model.fit(x, y, fit);
  const save: SaveOptions = { dtype: 'f16', metadata: { note: 'typed' } };
  await Sequential.load(model.save(save));
  const loss: LossResult = computeLoss('mse', new Float32Array([1]), new Float32Array([0]), 1, false);
  const metrics: EpochMetrics = { loss: loss.loss };
  return { ...history, epochs: history.epochs + (metrics.loss ?? 0) };
}

export function errors(e: unknown): LSTMErrorCode | null {
  return e instanceof LSTMError ? e.code : null;
}

export async function subpaths(bytes: Uint8Array, spec: WeightSpec): Promise<string> {
  const session = await OnnxSession.create(bytes);
  const feed: OnnxFeed = { data: new Float32Array(6), shape: [1, 2, 3] };
  const outputs = session.run({ [session.inputNames[0]!]: feed });
  const onnx: Uint8Array = toOnnx(new LSTM({ inputSize: 3, hiddenSize: 2 }));
  const options: BenchmarkOptions = { quick: true, only: ['W1'] };
  const threads: ThreadsReport = await runThreadsBenchmark({ threads: 2, quick: true });
  const worker: typeof import('wasm-lstm/thread-worker.js') = {}; // the worker script exports nothing
  void worker;
  return (
    formatReport(await runBenchmark(options)) +
    formatThreadsReport(threads) +
    Object.keys(outputs).join() +
    onnx.length +
    spec.name
  );
}
