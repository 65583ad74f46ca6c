// TensorFlow.js (CPU backend) as the reference for the Keras import/export tests: build a model
// with tfjs' defaults, train it a few steps so no weight is at its initial value, save it through
// tf.io.withSaveHandler, and compare predictions.
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../reference/rng.js';

export { tf };

let ready: Promise<void> | null = null;
export function tfReady(): Promise<void> {
  ready ??= tf.setBackend('cpu').then(() => undefined);
  return ready;
}

export interface Artifacts {
  modelTopology: unknown;
  weightSpecs: unknown;
  weightData: unknown;
}

/** The ModelArtifacts tfjs hands to a save handler. */
export async function saveArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return artifacts!;
}

/** Seeded inputs: floats in [-1, 1], or token ids in [1, vocab). `lengths` pads the tail
 *  (value 0 / id 0) of each sequence. */
export function makeInput(
  seed: number,
  shape: [number, number, number] | [number, number],
  opts: { vocab?: number; lengths?: number[] } = {},
): Float32Array {
  const rng = mulberry32(seed);
  const [N, T] = shape,
    F = shape[2] ?? 1,
    data = new Float32Array(N * T * F);
  for (let n = 0; n < N; n++)
    for (let t = 0; t < T; t++)
      for (let f = 0; f < F; f++) {
        const i = (n * T + t) * F + f;
        if (opts.lengths && t >= opts.lengths[n]!) data[i] = 0;
        else data[i] = opts.vocab ? 1 + Math.floor(rng() * (opts.vocab - 1)) : 2 * rng() - 1;
      }
  return data;
}

/** A few optimizer steps on random targets (tfjs' defaults otherwise), so biases move off zero. */
export async function trainFew(model: tf.LayersModel, x: Float32Array, xShape: number[], seed: number): Promise<void> {
  const outShape = model.outputs[0]!.shape.map((d, i) => (i === 0 ? xShape[0]! : (d ?? xShape[i]!)));
  const rng = mulberry32(seed + 1000);
  const n = outShape.reduce((a, b) => a * b, 1);
  const y = tf.tensor(
    Float32Array.from({ length: n }, () => rng()),
    outShape,
  );
  const xt = tf.tensor(x, xShape);
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
  await model.fit(xt, y, { epochs: 3, batchSize: xShape[0], verbose: 0, shuffle: false });
  xt.dispose();
  y.dispose();
}

export function tfPredict(model: tf.LayersModel, x: Float32Array, shape: number[]): Float32Array {
  const xt = tf.tensor(x, shape);
  const y = model.predict(xt) as tf.Tensor;
  const out = y.dataSync() as Float32Array;
  xt.dispose();
  y.dispose();
  return Float32Array.from(out);
}

export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return Number.isNaN(m) ? Number.POSITIVE_INFINITY : m;
}
