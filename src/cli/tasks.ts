// The built-in tasks as the CLI trains them: data, model, the headline metric and a short report,
// and what is saved with the model so that `predict` can run it again (task, steps, vocabulary).
import { Dense } from '../layers/dense.js';
import { Embedding } from '../layers/embedding.js';
import { LSTM } from '../layers/lstm.js';
import { Sequential } from '../model/sequential.js';
import { Adam } from '../optim/rules.js';
import { addingProblem } from '../tasks/adding.js';
import { copyTask } from '../tasks/copy.js';
import { dogcatData, dogcatQuestions } from '../tasks/dogcat.js';
import { sineTask } from '../tasks/sine.js';
import { charData } from '../tasks/text.js';
import type { Tensor } from '../tensor.js';
import { type TaskName, UsageError } from './args.js';

export interface TaskSetup {
  model: Sequential;
  train: { x: Tensor; y: Tensor };
  metricName: string;
  metric: () => number; // the task's headline number after training
  report: () => string[]; // what a person reads at the end
  /** Saved with the model (save({ metadata })): what `predict` needs to run it again. */
  metadata: Record<string, string>;
}

export interface TaskOptions {
  hidden: number;
  lr: number;
  seed: number;
  steps: number;
  samples: number;
  text?: string;
  generate: number;
  temperature: number;
}

export const DEFAULTS: Record<
  TaskName,
  { epochs: number; hidden: number; batch: number; lr: number; steps: number; samples: number }
> = {
  adding: { epochs: 25, hidden: 32, batch: 64, lr: 1e-2, steps: 100, samples: 4096 },
  copy: { epochs: 20, hidden: 32, batch: 32, lr: 3e-3, steps: 50, samples: 2048 },
  sine: { epochs: 10, hidden: 32, batch: 32, lr: 1e-2, steps: 50, samples: 1024 },
  dogcat: { epochs: 60, hidden: 16, batch: 8, lr: 0.05, steps: 3, samples: 0 },
  text: { epochs: 20, hidden: 128, batch: 32, lr: 5e-3, steps: 64, samples: 0 },
};

export function setupTask(task: TaskName, o: TaskOptions): TaskSetup {
  if (task === 'copy') {
    const train = copyTask(o.samples, o.steps, 4, o.seed),
      test = copyTask(512, o.steps, 4, o.seed + 1000),
      F = train.x.shape[2]!;
    const model = new Sequential([
      new LSTM({ inputSize: F, hiddenSize: o.hidden, forgetBias: 1, seed: o.seed }),
      new Dense({ inputSize: o.hidden, outputSize: 4, activation: 'softmax', seed: o.seed + 1 }),
    ]);
    model.compile({
      loss: 'sparseCategoricalCrossentropy',
      optimizer: new Adam({ learningRate: o.lr, clipNorm: 1 }),
      metrics: ['accuracy'],
    });
    const metric = () => model.evaluate(test.x, test.y).accuracy!;
    return {
      model,
      train,
      metadata: { task, steps: String(o.steps) },
      metricName: `recall accuracy after ${o.steps} distractors`,
      metric,
      report: () => [`test accuracy ${metric().toFixed(3)} (chance 0.25)`],
    };
  }
  if (task === 'sine') {
    const train = sineTask(o.samples, o.steps, { seed: o.seed }),
      test = sineTask(256, o.steps, { seed: o.seed + 1000 });
    const model = new Sequential([
      new LSTM({ inputSize: 1, hiddenSize: o.hidden, returnSequences: true, seed: o.seed }),
      new Dense({ inputSize: o.hidden, outputSize: 1, seed: o.seed + 1 }),
    ]);
    model.compile({ loss: 'mse', optimizer: new Adam({ learningRate: o.lr, clipNorm: 1 }) });
    const metric = () => Math.sqrt(model.evaluate(test.x, test.y).loss);
    return {
      model,
      train,
      metadata: { task, steps: String(o.steps) },
      metricName: 'test RMSE (next value)',
      metric,
      report: () => [`RMSE ${metric().toFixed(4)} vs the naive last-value forecast ${test.naiveRmse.toFixed(4)}`],
    };
  }
  if (task === 'text') {
    if (o.text === undefined) throw new UsageError('train text needs --text FILE');
    const data = charData(o.text, o.steps, Math.max(1, Math.floor(o.steps / 2)));
    if (data.x.shape[0] === 0) throw new UsageError(`the text is too short for --steps ${o.steps}`);
    const V = data.vocab.length;
    const model = new Sequential([
      new Embedding({ numEmbeddings: V, embeddingDim: Math.min(32, V), seed: o.seed }),
      new LSTM({ inputSize: Math.min(32, V), hiddenSize: o.hidden, returnSequences: true, seed: o.seed + 1 }),
      new Dense({ inputSize: o.hidden, outputSize: V, activation: 'softmax', seed: o.seed + 2 }),
    ]);
    model.compile({
      loss: 'sparseCategoricalCrossentropy',
      optimizer: new Adam({ learningRate: o.lr, clipNorm: 1 }),
      metrics: ['accuracy'],
    });
    const prompt = Array.from(o.text).slice(0, Math.min(16, o.steps)).join('');
    return {
      model,
      train: { x: data.x, y: data.y },
      metadata: { task, steps: String(o.steps), vocab: JSON.stringify(data.vocab) },
      metricName: 'next-character accuracy',
      metric: () => model.evaluate(data.x, data.y).accuracy!,
      report: () => [
        `sample (temperature ${o.temperature}):`,
        prompt +
          data.decode(
            model.generate({
              prompt: data.encode(prompt),
              steps: o.generate,
              temperature: o.temperature,
              seed: o.seed,
            }),
          ),
      ],
    };
  }
  if (task === 'adding') {
    const train = addingProblem(o.samples, o.steps, o.seed),
      test = addingProblem(512, o.steps, o.seed + 1000);
    const model = new Sequential([
      new LSTM({ inputSize: 2, hiddenSize: o.hidden, seed: o.seed }),
      new Dense({ inputSize: o.hidden, outputSize: 1, seed: o.seed + 1 }),
    ]);
    model.compile({ loss: 'mse', optimizer: new Adam({ learningRate: o.lr, clipNorm: 1 }) });
    return {
      model,
      train,
      metadata: { task, steps: String(o.steps) },
      metricName: 'test MSE (predicting the mean scores ≈ 0.167)',
      metric: () => model.evaluate(test.x, test.y).loss,
      report: () => {
        const p = model.predict({ data: test.x.data.subarray(0, 5 * o.steps * 2), shape: [5, o.steps, 2] }).data;
        return [
          ...Array.from(
            p,
            (v, i) => `  sum of the two marked values ${test.y.data[i]!.toFixed(3)}  LSTM says ${v.toFixed(3)}`,
          ),
        ];
      },
    };
  }
  const { x, y, vocab } = dogcatData(3, 4),
    q = dogcatQuestions(3);
  const model = new Sequential([
    new Embedding({ numEmbeddings: vocab.length, embeddingDim: 8, seed: o.seed }),
    new LSTM({ inputSize: 8, hiddenSize: o.hidden, seed: o.seed + 1 }),
    new Dense({ inputSize: o.hidden, outputSize: vocab.length, activation: 'softmax', seed: o.seed + 2 }),
  ]);
  model.compile({
    loss: 'sparseCategoricalCrossentropy',
    optimizer: new Adam({ learningRate: o.lr }),
    metrics: ['accuracy'],
  });
  const answers = () => {
    const p = model.predict(q.x).data;
    return q.answers.map((_, i) => {
      const row = Array.from(p.subarray(i * vocab.length, (i + 1) * vocab.length));
      return row.indexOf(Math.max(...row));
    });
  };
  return {
    model,
    train: { x, y },
    metadata: { task },
    metricName: 'accuracy on "X scares ?"',
    metric: () => answers().filter((a, i) => a === q.answers[i]).length / q.answers.length,
    report: () =>
      answers().map(
        (a, i) =>
          `  ${q.prompts[i]} → ${vocab[a]} ${a === q.answers[i] ? '✓' : `✗ (expected ${vocab[q.answers[i]!]})`}`,
      ),
  };
}
