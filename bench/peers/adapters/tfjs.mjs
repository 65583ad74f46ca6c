// TensorFlow.js (@tensorflow/tfjs) on its pure-JS 'cpu' backend and on @tensorflow/tfjs-backend-wasm
// (XNNPACK, SIMD; single-threaded in Node, which has no SharedArrayBuffer workers for it).
//
// Weight conversion from PyTorch (gates i, f, g, o as row blocks of [4H, K]):
//  - tf.layers.lstm (Keras): kernel [I, 4H] = W_ihᵀ, recurrent kernel [H, 4H] = W_hhᵀ, ONE bias
//    [4H] = b_ih + b_hh; Keras's gate order i, f, c, o is PyTorch's, so only the transposes.
//    recurrentActivation must be 'sigmoid' (tfjs defaults to 'hardSigmoid').
//  - tf.basicLSTMCell (W1): one kernel [I + H, 4H] applied to concat(x, h), gate order i, j(=g), f, o,
//    so the blocks are reordered with PyTorch indices [0, 2, 1, 3]; forgetBias = 0.
// Every result is read back to JS (dataSync), as our API returns Float32Arrays.
import { createRequire } from 'node:module';
import path from 'node:path';
import { STREAM_CHECK_STEPS, LEARNING_RATE, optimizerOf, transpose, reorderGates, addArrays } from '../common.mjs';

let tf;

async function loadTf() {
  tf ??= await import('@tensorflow/tfjs');
  return tf;
}

function makeTfjsPeer(backend) {
  return {
    id: `tfjs-${backend}`,
    label: backend === 'cpu' ? 'tfjs cpu' : 'tfjs wasm',
    slow: backend === 'cpu',
    note:
      backend === 'wasm'
        ? 'single-threaded (no worker threads in Node); W1 via tf.basicLSTMCell, W2–W4 via tf.layers.lstm'
        : 'W1 via tf.basicLSTMCell, W2–W4 via tf.layers.lstm',
    async load() {
      await loadTf();
      if (backend === 'wasm') {
        // The wasm backend must register with the same tfjs-core instance as @tensorflow/tfjs
        // (npm dedupes both to one copy) and find its .wasm files in node_modules.
        const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
        const require = createRequire(import.meta.url);
        setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), path.sep));
      }
      if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') failed`);
      await tf.ready();
      const extra =
        backend === 'wasm'
          ? `, simd ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}, threads ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 'yes' : 'no'}`
          : '';
      return { version: `${tf.version.tfjs}${extra}` };
    },

    async make(w, data) {
      await tf.setBackend(backend); // both tfjs peers share one tf module: pick this one's backend
      return w.kind === 'stream' ? makeStream(w, data) : makeLayer(w, data);
    },
  };
}

/** W1: tf.basicLSTMCell, one call per step, state (h, c) [1, H] carried between calls. */
function makeStream(w, { weights, xs }) {
  const { I, H } = w;
  const ORDER = [0, 2, 1, 3]; // tfjs i, j, f, o ← PyTorch i, f, g, o
  // [4H, I + H] rows reordered, then transposed to the kernel [I + H, 4H].
  const wih = reorderGates(weights.weight_ih_l0.data, H, I, ORDER);
  const whh = reorderGates(weights.weight_hh_l0.data, H, H, ORDER);
  const wcat = new Float32Array(4 * H * (I + H));
  for (let r = 0; r < 4 * H; r++) {
    wcat.set(wih.subarray(r * I, (r + 1) * I), r * (I + H));
    wcat.set(whh.subarray(r * H, (r + 1) * H), r * (I + H) + I);
  }
  const kernel = tf.tensor2d(transpose(wcat, 4 * H, I + H), [I + H, 4 * H]);
  const bias = tf.tensor1d(reorderGates(addArrays(weights.bias_ih_l0.data, weights.bias_hh_l0.data), H, 1, ORDER));
  const forgetBias = tf.scalar(0);
  const xt = xs.map((v) => tf.tensor2d(v, [1, I]));

  /** One step: returns the new [c, h]; the caller disposes the old ones. */
  const step = (x, c, h) => tf.tidy(() => tf.basicLSTMCell(forgetBias, kernel, bias, x, c, h));

  let h = tf.zeros([1, H]),
    c = tf.zeros([1, H]);
  return {
    units: w.calls,
    run() {
      for (let s = 0; s < w.calls; s++) {
        const [c2, h2] = step(xt[s & 15], c, h);
        c.dispose();
        h.dispose();
        c = c2;
        h = h2;
        h.dataSync(); // the step's output, read back like our step() result
      }
    },
    check() {
      const out = new Float32Array(STREAM_CHECK_STEPS * H);
      let hc = tf.zeros([1, H]),
        cc = tf.zeros([1, H]);
      for (let s = 0; s < STREAM_CHECK_STEPS; s++) {
        const [c2, h2] = step(xt[s & 15], cc, hc);
        cc.dispose();
        hc.dispose();
        cc = c2;
        hc = h2;
        out.set(hc.dataSync(), s * H);
      }
      cc.dispose();
      hc.dispose();
      return { out };
    },
    dispose() {
      tf.dispose([kernel, bias, forgetBias, ...xt, h, c]);
    },
  };
}

/** W2–W4: a tf.layers.lstm layer (returnSequences) applied to x [B, T, I] → [B, T, H]. */
function makeLayer(w, { weights, x, dOut }) {
  const { B, T, I, H } = w;
  // Zero initializers: the weights are overwritten below, and the default orthogonal initializer
  // of the recurrent kernel runs a JS QR decomposition that takes minutes at H = 256.
  const layer = tf.layers.lstm({
    units: H,
    returnSequences: true,
    recurrentActivation: 'sigmoid',
    kernelInitializer: 'zeros',
    recurrentInitializer: 'zeros',
    biasInitializer: 'zeros',
  });
  tf.tidy(() => layer.apply(tf.zeros([1, 1, I]))); // builds the layer (build() alone leaves it unbuilt)
  const initial = [
    tf.tensor2d(transpose(weights.weight_ih_l0.data, 4 * H, I), [I, 4 * H]),
    tf.tensor2d(transpose(weights.weight_hh_l0.data, 4 * H, H), [H, 4 * H]),
    tf.tensor1d(addArrays(weights.bias_ih_l0.data, weights.bias_hh_l0.data)),
  ];
  layer.setWeights(initial); // the variables take their own reference: ours can go
  tf.dispose(initial);
  const xT = tf.tensor3d(x, [B, T, I]);
  const forward = () => layer.apply(xT);
  const forwardData = () => {
    const y = tf.tidy(forward);
    const d = y.dataSync();
    y.dispose();
    return d;
  };
  const disposeAll = () => {
    xT.dispose();
    layer.dispose();
  };

  if (w.kind === 'infer')
    return { units: 1, run: forwardData, check: () => ({ out: forwardData() }), dispose: disposeAll };

  // Training: loss = Σ output·dOut, whose gradient w.r.t. the output is dOut (what our backward takes).
  const dOutT = tf.tensor3d(dOut, [B, T, H]);
  const loss = () => tf.sum(tf.mul(forward(), dOutT));
  const vars = layer.trainableWeights.map((v) => v.read()); // kernel, recurrent_kernel, bias (tf.Variables)
  // PyTorch's defaults (and ours): Adam β = (0.9, 0.999), ε = 1e-8 (tfjs's default ε is 1e-7).
  const optimizer =
    optimizerOf(w) === 'adam' ? tf.train.adam(LEARNING_RATE, 0.9, 0.999, 1e-8) : tf.train.sgd(LEARNING_RATE);
  return {
    units: 1,
    run: () => {
      optimizer.minimize(loss, false, vars);
    }, // forward + backward + optimizer update
    check() {
      const out = forwardData();
      const { value, grads } = tf.variableGrads(loss, vars);
      const l = value.dataSync()[0];
      // dL/d(recurrent kernel) [H, 4H] → PyTorch's dL/dW_hh [4H, H] (same gate order).
      const dWhh = transpose(grads[vars[1].name].dataSync(), H, 4 * H);
      tf.dispose([value, ...Object.values(grads)]);
      return { out, loss: l, dWhh };
    },
    dispose() {
      disposeAll();
      dOutT.dispose();
      optimizer.dispose();
    },
  };
}

export const tfjsCpu = makeTfjsPeer('cpu');
export const tfjsWasm = makeTfjsPeer('wasm');
