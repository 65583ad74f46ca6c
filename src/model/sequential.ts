// A stack of layers trained end to end: compile, trainOnBatch, fit, predict, evaluate, save/load.
// Every layer's forward/backward is one or a few wasm calls over the whole batch and sequence;
// this file only moves tensors between layers and batches.
import { init, hasRuntime } from '../runtime.js';
import { LSTMError, describe } from '../errors.js';
import { type Tensor, type StateDict, tensor as makeTensor, shapeString } from '../tensor.js';
import { mulberry32 } from '../random.js';
import type { Layer } from '../layers/layer.js';
import { LSTM } from '../layers/lstm.js';
import { GRU } from '../layers/gru.js';
import { SimpleRNN } from '../layers/rnn.js';
import { Recurrent } from '../layers/recurrent.js';
import { Dense } from '../layers/dense.js';
import { Embedding } from '../layers/embedding.js';
import { Dropout } from '../layers/dropout.js';
import { type Optimizer, SGD, Adam, AdamW, RMSprop, type Trainable } from '../optim.js';
import { computeLoss, LOSSES, type LossName } from './losses.js';
import { readSafetensorsWithMetadata, writeSafetensors } from '../io/safetensors.js';
import { writeFileAtomic } from '../platform.js';

export interface CompileOptions {
  loss: LossName;
  optimizer: Optimizer;
  metrics?: 'accuracy'[];
}

export interface EpochLogs {
  loss: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
  seconds: number;
  /** Keras' names for valLoss / valAccuracy. */
  val_loss?: number;
  val_accuracy?: number;
}

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  /** Fraction of samples, taken from the end as in Keras, held out for validation. */
  validationSplit?: number;
  /** Seed of the shuffling (same seed, same data -> bit-identical losses). */
  seed?: number;
  /** Per-sequence lengths [N] of a padded x: padded steps neither update state nor count in the loss. */
  lengths?: ArrayLike<number>;
  /** Truncated BPTT: each batch runs in windows of k steps, one update per window, with the
   *  LSTM state carried (detached) from window to window. With per-step targets [N, T, …] every
   *  window has a loss; with one target per sequence only the last window does. */
  tbptt?: { k: number };
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void | Promise<void>;
  onBatchEnd?: (batch: number, logs: { loss: number; batches: number }) => void;
}

export interface History {
  history: { loss: number[]; accuracy: number[]; valLoss: number[]; valAccuracy: number[] };
  epochs: number;
}

type TensorLike = Tensor | unknown[] | Float32Array;
type StepResult = ReturnType<typeof computeLoss> & { out: Tensor };

const LAYER_CLASSES: Record<string, new (o: never) => Layer> = {
  LSTM: LSTM as never,
  GRU: GRU as never,
  SimpleRNN: SimpleRNN as never,
  Dense: Dense as never,
  Embedding: Embedding as never,
  Dropout: Dropout as never,
};
const OPTIMIZERS: Record<string, new (o: never) => Optimizer> = {
  SGD: SGD as never,
  Adam: Adam as never,
  AdamW: AdamW as never,
  RMSprop: RMSprop as never,
};
const FORMAT = 'wasm-lstm/1';

function asTensor(v: TensorLike, argument: string): Tensor {
  if (v && typeof v === 'object' && 'data' in v && 'shape' in v) {
    const t = v as Tensor;
    if (!(t.data instanceof Float32Array))
      throw new LSTMError('INVALID_ARGUMENT', 'tensor data must be a Float32Array', {
        argument,
        expected: 'Float32Array',
        actual: describe(t.data),
      });
    return t;
  }
  try {
    return makeTensor(v);
  } catch (e) {
    if (e instanceof LSTMError)
      throw new LSTMError(e.code, e.message, { argument, expected: e.expected, actual: e.actual });
    throw e;
  }
}

/** Rows [from, to) of a tensor along its first axis (a copy). */
function rows(t: Tensor, index: Int32Array | number[], from: number, to: number): Tensor {
  const per = t.data.length / t.shape[0]!,
    out = new Float32Array((to - from) * per);
  for (let i = from; i < to; i++) out.set(t.data.subarray(index[i]! * per, (index[i]! + 1) * per), (i - from) * per);
  return { data: out, shape: [to - from, ...t.shape.slice(1)] };
}

export class Sequential {
  readonly layers: Layer[];
  #loss: LossName | null = null;
  #optimizer: Optimizer | null = null;
  #metrics: string[] = [];
  #disposed = false;

  constructor(layers: Layer[]) {
    if (!Array.isArray(layers) || layers.length === 0) {
      throw new LSTMError('INVALID_ARGUMENT', 'a model needs at least one layer', {
        argument: 'layers',
        expected: 'a non-empty array of layers',
        actual: describe(layers),
      });
    }
    layers.forEach((l, i) => {
      if (!l || typeof (l as Layer).forwardTensor !== 'function') {
        throw new LSTMError('INVALID_ARGUMENT', 'not a layer', {
          argument: `layers[${i}]`,
          expected: 'LSTM, Dense, Embedding, …',
          actual: describe(l),
        });
      }
    });
    this.layers = layers.slice();
  }

  compile(options: CompileOptions): void {
    this.#live();
    if (!options || !LOSSES.includes(options.loss)) {
      throw new LSTMError('INVALID_ARGUMENT', 'unknown loss', {
        argument: 'loss',
        expected: LOSSES.join(' | '),
        actual: describe(options?.loss),
      });
    }
    if (!options.optimizer || typeof options.optimizer.step !== 'function') {
      throw new LSTMError('INVALID_ARGUMENT', 'an optimizer is required', {
        argument: 'optimizer',
        expected: 'new Adam(…), new SGD(…), …',
        actual: describe(options.optimizer),
      });
    }
    this.#loss = options.loss;
    this.#optimizer = options.optimizer;
    this.#metrics = options.metrics ?? [];
  }

  get optimizer(): Optimizer | null {
    return this.#optimizer;
  }
  get loss(): LossName | null {
    return this.#loss;
  }

  #trainables(): Trainable[] {
    return this.layers.filter((l) => l._blocks() !== null) as unknown as Trainable[];
  }

  /** Does the last layer's activation fold into the loss gradient (softmax/sigmoid + cross-entropy)? */
  #fused(): boolean {
    const last = this.layers[this.layers.length - 1];
    if (!(last instanceof Dense)) return false;
    return (
      (last.activation === 'softmax' &&
        (this.#loss === 'categoricalCrossentropy' || this.#loss === 'sparseCategoricalCrossentropy')) ||
      (last.activation === 'sigmoid' && this.#loss === 'binaryCrossentropy')
    );
  }

  #forward(x: Tensor, training: boolean, lengths?: Int32Array): Tensor {
    let t = x;
    for (const l of this.layers) t = l.forwardTensor(t, lengths ? { training, lengths } : { training });
    return t;
  }

  /** Loss weights for a padded batch: for per-step outputs [N, T, F], 0 past each length. */
  static #stepWeights(out: Tensor, lengths: Int32Array | undefined): Float32Array | undefined {
    if (!lengths || out.shape.length !== 3) return undefined;
    const [N, T] = out.shape as [number, number, number],
      w = new Float32Array(N * T);
    for (let n = 0; n < N; n++) for (let t = 0; t < T; t++) w[n * T + t] = t < lengths[n]! ? 1 : 0;
    return w;
  }

  #step(x: Tensor, y: Tensor, train: boolean, lengths?: Int32Array): StepResult {
    const loss = this.#loss;
    if (!loss || !this.#optimizer)
      throw new LSTMError('INVALID_ARGUMENT', 'compile() the model first', {
        argument: 'model',
        expected: 'compile({ loss, optimizer })',
        actual: 'not compiled',
      });
    if (train) for (const l of this.layers) l.zeroGrad();
    const out = this.#forward(x, train, lengths);
    const classes = out.shape[out.shape.length - 1]!;
    const fused = this.#fused();
    const r = computeLoss(loss, out.data, y.data, classes, fused, Sequential.#stepWeights(out, lengths));
    if (train) {
      let g: Tensor | null = { data: r.grad, shape: out.shape };
      for (let i = this.layers.length - 1; i >= 0 && g; i--) {
        const l = this.layers[i]!;
        g = i === this.layers.length - 1 && fused ? (l as Dense).backwardTensor(g, true) : l.backwardTensor(g);
      }
      this.#optimizer.step(this.#trainables());
    }
    return { ...r, out };
  }

  /** Slices [from, to) of axis 1 (time) of a [N, T, …] tensor. */
  static #window(t: Tensor, from: number, to: number): Tensor {
    const [N, T] = t.shape as [number, number],
      per = t.data.length / (N * T),
      out = new Float32Array(N * (to - from) * per);
    for (let n = 0; n < N; n++)
      out.set(t.data.subarray((n * T + from) * per, (n * T + to) * per), n * (to - from) * per);
    return { data: out, shape: [N, to - from, ...t.shape.slice(2)] };
  }

  #stepTbptt(x: Tensor, y: Tensor, k: number) {
    const T = x.shape[1]!,
      perStep =
        y.shape.length >= 2 && y.shape[1] === T && this.layers.some((l) => l instanceof Recurrent && l.returnSequences);
    const lstms = this.layers.filter((l): l is Recurrent => l instanceof Recurrent);
    for (const l of lstms) l._setCarry(true);
    try {
      let sum = 0,
        steps = 0,
        last: StepResult | null = null;
      for (let from = 0; from < T; from += k) {
        const to = Math.min(T, from + k),
          xw = Sequential.#window(x, from, to);
        if (perStep) {
          last = this.#step(xw, Sequential.#window(y, from, to), true);
          sum += last.loss * (to - from);
          steps += to - from;
        } else if (to < T)
          this.#forward(xw, true); // carry the state forward only
        else {
          last = this.#step(xw, y, true);
          sum = last.loss;
          steps = 1;
        }
      }
      return { ...last!, loss: sum / steps };
    } finally {
      for (const l of lstms) l._setCarry(false);
    }
  }

  /** One optimizer step on one batch; returns the batch loss (before the update). */
  trainOnBatch(x: TensorLike, y: TensorLike, options: { lengths?: ArrayLike<number> } = {}): number {
    this.#live();
    const lengths = options.lengths ? Int32Array.from(options.lengths) : undefined;
    return this.#step(asTensor(x, 'x'), asTensor(y, 'y'), true, lengths).loss;
  }

  /**
   * Sample a continuation of `prompt` (token ids), one step at a time through each LSTM's streaming
   * state (no recomputation of the prefix). The model must map tokens to a distribution over the
   * same tokens: [Embedding →] LSTM… → Dense(softmax); without an Embedding, tokens are one-hot.
   */
  generate(options: { prompt: number[]; steps: number; temperature?: number; seed?: number }): number[] {
    this.#live();
    const { prompt, steps } = options,
      temperature = options.temperature ?? 1;
    if (!Array.isArray(prompt) || prompt.length === 0)
      throw new LSTMError('INVALID_ARGUMENT', 'prompt must be a non-empty array of token ids', {
        argument: 'prompt',
        expected: 'number[]',
        actual: describe(prompt),
      });
    if (!Number.isInteger(steps) || steps < 0)
      throw new LSTMError('INVALID_ARGUMENT', 'steps must be an integer ≥ 0', {
        argument: 'steps',
        expected: 'an integer ≥ 0',
        actual: describe(steps),
      });
    if (!(temperature > 0))
      throw new LSTMError('INVALID_ARGUMENT', 'temperature must be > 0', {
        argument: 'temperature',
        expected: 'a number > 0',
        actual: describe(temperature),
      });
    const last = this.layers[this.layers.length - 1];
    if (!(last instanceof Dense) || last.activation !== 'softmax')
      throw new LSTMError('INVALID_ARGUMENT', 'generate() needs a model ending in Dense(softmax)', {
        argument: 'model',
        expected: 'last layer Dense with activation softmax',
        actual: last?.kind ?? 'none',
      });
    const vocab = last.outputSize,
      rng = mulberry32(options.seed ?? 1);
    const states = new Map<Layer, ReturnType<Recurrent['createState']>>();
    for (const l of this.layers) if (l instanceof Recurrent) states.set(l, l.createState(1));
    const feed = (token: number): Float32Array => {
      // (one [1, …] tensor per layer per step: generation is interactive-speed, not a hot path)
      let t: Tensor = { data: new Float32Array([token]), shape: [1, 1] };
      if (!(this.layers[0] instanceof Embedding)) {
        const oneHot = new Float32Array(vocab);
        oneHot[token] = 1;
        t = { data: oneHot, shape: [1, 1, vocab] };
      }
      for (const l of this.layers) {
        if (l instanceof Recurrent) t = { data: l.step(t.data, states.get(l)!).slice(), shape: [1, l.hiddenSize] };
        else if (l instanceof Dropout) continue;
        else t = l.forwardTensor(t, { training: false });
      }
      return t.data;
    };
    try {
      let probs: Float32Array = new Float32Array(0);
      for (const tok of prompt) {
        if (!Number.isInteger(tok) || tok < 0 || tok >= vocab)
          throw new LSTMError('INVALID_ARGUMENT', 'token id out of range', {
            argument: 'prompt',
            expected: `integers in [0, ${vocab})`,
            actual: String(tok),
          });
        probs = feed(tok);
      }
      const out: number[] = [];
      for (let s = 0; s < steps; s++) {
        const w = Array.from(probs, (p) => Math.max(p, 1e-30) ** (1 / temperature));
        let u = rng() * w.reduce((a, b) => a + b, 0),
          pick = 0;
        while (pick < w.length - 1) {
          u -= w[pick]!;
          if (u <= 0) break;
          pick++;
        }
        out.push(pick);
        probs = feed(pick);
      }
      return out;
    } finally {
      for (const st of states.values()) st.dispose();
    }
  }

  async fit(x: TensorLike, y: TensorLike, options: FitOptions = {}): Promise<History> {
    this.#live();
    const X = asTensor(x, 'x'),
      Y = asTensor(y, 'y');
    const N = X.shape[0]!;
    if (Y.shape[0] !== N)
      throw new LSTMError('SHAPE_MISMATCH', 'x and y have different numbers of samples', {
        argument: 'y',
        expected: `${N} samples`,
        actual: `${Y.shape[0]}`,
      });
    const epochs = options.epochs ?? 1,
      batchSize = Math.min(options.batchSize ?? 32, N);
    for (const [k, v, lo] of [
      ['epochs', epochs, 1],
      ['batchSize', batchSize, 1],
    ] as const) {
      if (!Number.isInteger(v) || v < lo)
        throw new LSTMError('INVALID_ARGUMENT', 'must be a positive integer', {
          argument: k,
          expected: 'an integer ≥ 1',
          actual: describe(v),
        });
    }
    const split = options.validationSplit ?? 0;
    if (!(split >= 0 && split < 1))
      throw new LSTMError('INVALID_ARGUMENT', 'must be in [0, 1)', {
        argument: 'validationSplit',
        expected: 'a fraction in [0, 1)',
        actual: describe(split),
      });
    const nVal = Math.floor(N * split),
      nTrain = N - nVal;
    if (nTrain < 1)
      throw new LSTMError('INVALID_ARGUMENT', 'no training samples left after the validation split', {
        argument: 'validationSplit',
        expected: `fewer than ${N} validation samples`,
        actual: `${nVal}`,
      });
    const rng = mulberry32(options.seed ?? 1);
    const order = Int32Array.from({ length: nTrain }, (_, i) => i);
    const valIndex = Int32Array.from({ length: nVal }, (_, i) => nTrain + i);
    const history: History['history'] = { loss: [], accuracy: [], valLoss: [], valAccuracy: [] };
    let lengths: Int32Array | undefined;
    if (options.lengths !== undefined) {
      const T = X.shape[1] ?? 0;
      if (options.lengths.length !== N)
        throw new LSTMError('SHAPE_MISMATCH', 'one length per sample', {
          argument: 'lengths',
          expected: `${N} lengths`,
          actual: `${options.lengths.length}`,
        });
      lengths = Int32Array.from(options.lengths, (v, i) => {
        if (!Number.isInteger(v) || v < 0 || v > T)
          throw new LSTMError('INVALID_ARGUMENT', 'length out of range', {
            argument: `lengths[${i}]`,
            expected: `an integer in [0, ${T}]`,
            actual: String(v),
          });
        return v;
      });
    }
    if (options.tbptt !== undefined) {
      const k = options.tbptt?.k;
      if (!Number.isInteger(k) || k < 1)
        throw new LSTMError('INVALID_ARGUMENT', 'tbptt.k must be a positive integer', {
          argument: 'tbptt.k',
          expected: 'an integer ≥ 1',
          actual: describe(k),
        });
      if (X.shape.length < 2 || lengths !== undefined)
        throw new LSTMError('INVALID_ARGUMENT', 'truncated BPTT needs unpadded sequences [N, T, …]', {
          argument: 'tbptt',
          expected: 'x of rank ≥ 2, no lengths',
          actual: shapeString(X.shape),
        });
    }
    const pick = (idx: Int32Array, from: number, to: number) =>
      lengths ? Int32Array.from(idx.subarray(from, to), (i) => lengths![i]!) : undefined;
    const wantAcc = this.#metrics.includes('accuracy');
    for (let epoch = 0; epoch < epochs; epoch++) {
      const t0 = performance.now();
      if (options.shuffle ?? true) {
        for (let i = nTrain - 1; i > 0; i--) {
          const j = Math.floor(rng() * (i + 1));
          const t = order[i]!;
          order[i] = order[j]!;
          order[j] = t;
        }
      }
      let sum = 0,
        seen = 0,
        correct = 0,
        counted = 0;
      const batches = Math.ceil(nTrain / batchSize);
      for (let b = 0; b < batches; b++) {
        const from = b * batchSize,
          to = Math.min(nTrain, from + batchSize);
        const r = options.tbptt
          ? this.#stepTbptt(rows(X, order, from, to), rows(Y, order, from, to), options.tbptt.k)
          : this.#step(rows(X, order, from, to), rows(Y, order, from, to), true, pick(order, from, to));
        sum += r.loss * (to - from);
        seen += to - from;
        if (r.correct !== null) {
          correct += r.correct;
          counted += r.count;
        }
        options.onBatchEnd?.(b, { loss: r.loss, batches });
      }
      const logs: EpochLogs = { loss: sum / seen, seconds: 0 };
      if (wantAcc && counted) logs.accuracy = correct / counted;
      if (nVal) {
        const v = this.#evaluateTensors(
          rows(X, valIndex, 0, nVal),
          rows(Y, valIndex, 0, nVal),
          batchSize,
          pick(valIndex, 0, nVal),
        );
        logs.valLoss = logs.val_loss = v.loss;
        if (wantAcc && v.accuracy !== undefined) logs.valAccuracy = logs.val_accuracy = v.accuracy;
      }
      logs.seconds = (performance.now() - t0) / 1000;
      history.loss.push(logs.loss);
      if (logs.accuracy !== undefined) history.accuracy.push(logs.accuracy);
      if (logs.valLoss !== undefined) history.valLoss.push(logs.valLoss);
      if (logs.valAccuracy !== undefined) history.valAccuracy.push(logs.valAccuracy);
      await options.onEpochEnd?.(epoch, logs);
      await new Promise((resolve) => setTimeout(resolve, 0)); // let a UI or a signal in between epochs
    }
    return { history, epochs };
  }

  predict(x: TensorLike, options: { batchSize?: number; lengths?: ArrayLike<number> } = {}): Tensor {
    this.#live();
    if (options.lengths) {
      const X = asTensor(x, 'x');
      return this.#forward(X, false, Int32Array.from(options.lengths));
    }
    const X = asTensor(x, 'x'),
      N = X.shape[0]!,
      bs = options.batchSize ?? Math.max(N, 1);
    const parts: Tensor[] = [];
    const all = Int32Array.from({ length: N }, (_, i) => i);
    for (let from = 0; from < N; from += bs)
      parts.push(this.#forward(rows(X, all, from, Math.min(N, from + bs)), false));
    const per = parts[0]!.data.length / parts[0]!.shape[0]!;
    const out = new Float32Array(N * per);
    let at = 0;
    for (const p of parts) {
      out.set(p.data, at);
      at += p.data.length;
    }
    return { data: out, shape: [N, ...parts[0]!.shape.slice(1)] };
  }

  evaluate(x: TensorLike, y: TensorLike, options: { batchSize?: number } = {}): { loss: number; accuracy?: number } {
    this.#live();
    return this.#evaluateTensors(asTensor(x, 'x'), asTensor(y, 'y'), options.batchSize ?? 256);
  }

  #evaluateTensors(X: Tensor, Y: Tensor, batchSize: number, lengths?: Int32Array): { loss: number; accuracy?: number } {
    const N = X.shape[0]!,
      all = Int32Array.from({ length: N }, (_, i) => i);
    let sum = 0,
      correct = 0,
      counted = 0,
      isClass = false;
    for (let from = 0; from < N; from += batchSize) {
      const to = Math.min(N, from + batchSize);
      const r = this.#step(rows(X, all, from, to), rows(Y, all, from, to), false, lengths?.subarray(from, to));
      sum += r.loss * (to - from);
      if (r.correct !== null) {
        isClass = true;
        correct += r.correct;
        counted += r.count;
      }
    }
    return isClass ? { loss: sum / N, accuracy: correct / counted } : { loss: sum / N };
  }

  /** One safetensors file: weights as `layers.{i}.{name}` (PyTorch names), the architecture,
   *  compile settings and optimizer state in `__metadata__` and `optimizer.*` tensors. */
  save(): Uint8Array {
    this.#live();
    const tensors: StateDict = {};
    this.layers.forEach((l, i) => {
      for (const [k, t] of Object.entries(l.stateDict())) tensors[`layers.${i}.${k}`] = t;
    });
    const optimizer = this.#optimizer;
    const optState: { layer: number; steps: number; buffers: number }[] = [];
    if (optimizer) {
      this.layers.forEach((l, i) => {
        if (l._blocks() === null) return;
        const st = optimizer._exportState(l as unknown as Trainable);
        if (!st) return;
        st.buffers.forEach((b, k) => {
          tensors[`optimizer.${i}.${k}`] = { shape: [b.length], data: b };
        });
        optState.push({ layer: i, steps: st.steps, buffers: st.buffers.length });
      });
    }
    const metadata = {
      format: FORMAT,
      architecture: JSON.stringify(this.layers.map((l) => ({ kind: l.kind, config: l.config() }))),
      compile: JSON.stringify(
        this.#loss
          ? { loss: this.#loss, metrics: this.#metrics, optimizer: optimizer?.config() ?? null, state: optState }
          : null,
      ),
    };
    return writeSafetensors(tensors, metadata);
  }

  /** Node: write the model to `path` atomically (a temporary file, then rename). */
  async saveFile(path: string): Promise<void> {
    await writeFileAtomic(path, this.save());
  }

  static async load(bytes: Uint8Array | ArrayBuffer): Promise<Sequential> {
    if (!hasRuntime()) await init(); // keep a build the caller chose (or a host-loaded module)
    const { tensors, metadata } = readSafetensorsWithMetadata(bytes);
    if (metadata.format !== FORMAT) {
      throw new LSTMError('SAFETENSORS_INVALID', 'not a wasm-lstm model file', {
        argument: 'bytes',
        expected: `__metadata__.format = ${FORMAT}`,
        actual: describe(metadata.format),
      });
    }
    let arch: { kind: string; config: Record<string, unknown> }[];
    let compile: {
      loss: LossName;
      metrics: 'accuracy'[];
      optimizer: { kind: string; options: Record<string, unknown> } | null;
      state: { layer: number; steps: number; buffers: number }[];
    } | null;
    try {
      arch = JSON.parse(metadata.architecture ?? '');
      compile = JSON.parse(metadata.compile ?? 'null');
    } catch {
      throw new LSTMError('SAFETENSORS_INVALID', 'model metadata is not valid JSON', {
        argument: 'architecture',
        expected: 'JSON',
        actual: 'unparseable',
      });
    }
    if (!Array.isArray(arch))
      throw new LSTMError('SAFETENSORS_INVALID', 'architecture must be a list of layers', {
        argument: 'architecture',
        expected: 'an array',
        actual: describe(arch),
      });
    const layers = arch.map((a, i) => {
      const Cls = LAYER_CLASSES[a?.kind];
      if (!Cls)
        throw new LSTMError('SAFETENSORS_INVALID', 'unknown layer kind', {
          argument: `architecture[${i}]`,
          expected: Object.keys(LAYER_CLASSES).join(' | '),
          actual: describe(a?.kind),
        });
      return new Cls(a.config as never);
    });
    const model = new Sequential(layers);
    layers.forEach((l, i) => {
      const prefix = `layers.${i}.`,
        dict: StateDict = {};
      for (const [k, t] of Object.entries(tensors)) if (k.startsWith(prefix)) dict[k.slice(prefix.length)] = t;
      l.loadStateDict(dict);
    });
    if (compile?.optimizer) {
      const Opt = OPTIMIZERS[compile.optimizer.kind];
      if (!Opt)
        throw new LSTMError('SAFETENSORS_INVALID', 'unknown optimizer', {
          argument: 'optimizer',
          expected: Object.keys(OPTIMIZERS).join(' | '),
          actual: describe(compile.optimizer.kind),
        });
      const opt = new Opt(compile.optimizer.options as never);
      model.compile({ loss: compile.loss, optimizer: opt, metrics: compile.metrics });
      for (const s of compile.state) {
        const buffers = Array.from({ length: s.buffers }, (_, k) => {
          const t = tensors[`optimizer.${s.layer}.${k}`];
          if (!t)
            throw new LSTMError('SAFETENSORS_INVALID', 'optimizer state tensor missing', {
              argument: `optimizer.${s.layer}.${k}`,
              expected: 'a tensor',
              actual: 'nothing',
            });
          return t.data;
        });
        opt._importState(layers[s.layer] as unknown as Trainable, { steps: s.steps, buffers });
      }
    }
    return model;
  }

  /** Frees every layer (and the optimizer's state). */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#optimizer?.dispose();
    for (const l of this.layers) l.dispose();
  }

  #live(): void {
    if (this.#disposed)
      throw new LSTMError('DISPOSED', 'this model was disposed', {
        argument: 'this',
        expected: 'a live model',
        actual: 'disposed',
      });
  }
}
