// What the built-in tasks return: inputs and targets as tensors, plus what each task adds.
import type { Tensor } from '../tensor.js';

/** A generated data set: inputs and targets with the sample axis first. */
export interface TaskData {
  /** Inputs, `[samples, …]`. */
  x: Tensor;
  /** Targets, `[samples, …]`. */
  y: Tensor;
}

/** {@link copyTask}'s data: x one-hot, y class ids. */
export interface CopyTaskData extends TaskData {
  /** Number of classes (the symbols). */
  classes: number;
}

/** {@link sineTask}'s data. */
export interface SineTaskData extends TaskData {
  /** RMSE of the naive forecast x̂_{t+1} = x_t on the same targets: the baseline to beat. */
  naiveRmse: number;
}

/** {@link dogcatData}'s data. */
export interface DogcatData extends TaskData {
  /** The words; an id is an index here. */
  vocab: string[];
}

/** {@link dogcatQuestions}'s questions. */
export interface DogcatQuestions {
  /** One context per question, `[3, context]` token ids. */
  x: Tensor;
  /** The id of the word each question expects. */
  answers: number[];
  /** Each question as text ("Dog scares", …). */
  prompts: string[];
}
