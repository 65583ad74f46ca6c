// Checking a whole Sequential call before any layer runs: x against every layer (by shape
// inference), y against what the model will output and the loss, and the layers' run state to put
// back if the call fails anyway. Together they make "a failed call changes nothing" hold.
import { describe, LSTMError } from '../errors.js';
import type { Layer, RunState } from '../layers/layer.js';
import { shapeSize, shapeString, type Tensor } from '../tensor.js';
import type { LossName } from './losses.js';

/** The model's output shape for input `shape`, or the typed error the first failing layer would
 *  throw; null when some layer cannot tell without running. */
export function inferOutputShape(layers: readonly Layer[], shape: readonly number[]): number[] | null {
  let s = shape.slice();
  for (const l of layers) {
    if (!l.outputShape) return null;
    s = l.outputShape(s);
  }
  return s;
}

/** y fits `out` (the model's output shape) for `loss`: as many values (sparse: one class id per
 *  output row, each an integer in [0, classes)), and one target per sample. */
export function checkTargets(loss: LossName, out: readonly number[], y: Tensor): void {
  const sparse = loss === 'sparseCategoricalCrossentropy',
    classes = out[out.length - 1] ?? 1,
    rows = shapeSize(out) / classes,
    want = sparse ? rows : shapeSize(out);
  if (y.shape[0] !== out[0] || y.data.length !== want) {
    throw new LSTMError('SHAPE_MISMATCH', 'targets do not match what the model outputs', {
      argument: 'y',
      expected: sparse
        ? `${rows} class ids (one per row of the output ${shapeString(out)})`
        : `${want} values in ${out[0]} samples (the output is ${shapeString(out)})`,
      actual: `${y.data.length} values, shape ${shapeString(y.shape)}`,
    });
  }
  if (sparse) {
    for (let r = 0; r < rows; r++) {
      const id = y.data[r]!;
      if (!Number.isInteger(id) || id < 0 || id >= classes) {
        throw new LSTMError('INVALID_ARGUMENT', 'class id out of range', {
          argument: `y[${r}]`,
          expected: `an integer in [0, ${classes})`,
          actual: describe(id),
        });
      }
    }
  }
}

/** x and y hold the same number of samples. */
export function checkSamples(x: Tensor, y: Tensor): void {
  if (y.shape[0] !== x.shape[0]) {
    throw new LSTMError('SHAPE_MISMATCH', 'x and y have different numbers of samples', {
      argument: 'y',
      expected: `${x.shape[0]} samples`,
      actual: `${y.shape[0]}`,
    });
  }
}

/** Runs `fn`; if it throws, every layer's run state (dropout streams, carried states) is put back. */
export function atomically<T>(layers: readonly Layer[], fn: () => T): T {
  const saved: (RunState | undefined)[] = layers.map((l) => l._runState?.());
  try {
    return fn();
  } catch (e) {
    layers.forEach((l, i) => {
      const s = saved[i];
      if (s) l._setRunState?.(s);
    });
    throw e;
  }
}

/** The layers a Sequential is built from: at least one, each a layer, none twice (a layer keeps one
 *  forward's activations for its backward, so it cannot appear twice). */
export function checkLayers(layers: unknown): Layer[] {
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
    const first = layers.indexOf(l);
    if (first !== i) {
      throw new LSTMError('INVALID_ARGUMENT', 'the same layer appears twice', {
        argument: `layers[${i}]`,
        expected: 'distinct layer objects',
        actual: `the layer at layers[${first}]`,
      });
    }
  });
  return layers.slice() as Layer[];
}

/** The error fit and trainOnBatch raise for a model with int8 layers (null: every layer can train). */
export function notTrainableModel(layers: readonly Layer[]): LSTMError | null {
  const i = layers.findIndex((l) => l.inferenceOnly === true);
  if (i < 0) return null;
  return new LSTMError('NOT_TRAINABLE', 'this model has int8 weights and is for inference only', {
    argument: `layers[${i}]`,
    expected: 'f32 layers (train the f32 model, then quantize())',
    actual: `${layers[i]!.kind} with int8 weights`,
  });
}

/** generate() needs a model ending in Dense(softmax): its vocabulary is that layer's outputs. */
export function generationVocabulary(layers: readonly Layer[]): number {
  const last = layers[layers.length - 1]!,
    vocab = (last as { outputSize?: number }).outputSize;
  if (last.outputActivation !== 'softmax' || vocab === undefined) {
    throw new LSTMError('INVALID_ARGUMENT', 'generate() needs a model ending in Dense(softmax)', {
      argument: 'model',
      expected: 'last layer Dense with activation softmax',
      actual: last.kind,
    });
  }
  return vocab;
}
