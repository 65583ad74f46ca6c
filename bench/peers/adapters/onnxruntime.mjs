// onnxruntime: onnxruntime-node (native CPU execution provider, 1 and 2 intra-op threads) and
// onnxruntime-web (its wasm build, single-threaded) running an ONNX model with one LSTM node that
// bench/peers/onnx-model.mjs writes from the same PyTorch-layout weights.
//
// ONNX's LSTM is time-major: the batch-first x [B, T, I] is transposed to [T, B, I] once, before
// timing, and Y [T, 1, B, H] back to [B, T, H] for the output check only (the timed run reads the
// result tensor but leaves it time-major, ONNX's native layout). W1 uses a T = 1 model whose
// Y_h / Y_c are fed back as the next call's initial_h / initial_c.
// onnxruntime runs inference only: the training workloads are reported as such.
import { STREAM_CHECK_STEPS, swapBatchTime, pkgVersion } from '../common.mjs';
import { lstmModel } from '../onnx-model.mjs';

function makeOrtPeer({ id, label, pkg, threads }) {
  let ort;
  const sessionOptions =
    pkg === 'onnxruntime-node'
      ? {
          executionProviders: ['cpu'],
          intraOpNumThreads: threads,
          interOpNumThreads: 1,
          executionMode: 'sequential',
          graphOptimizationLevel: 'all',
        }
      : { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
  return {
    id,
    label,
    slow: false,
    note: 'inference only; fed time-major x [T, B, I] (the transposes from/to batch-first are outside the timing)',
    async load() {
      ort = await import(pkg);
      if (pkg === 'onnxruntime-web') ort.env.wasm.numThreads = threads; // 1: no worker threads
      return { version: pkgVersion(pkg) };
    },

    async make(w, { weights, x, xs }) {
      if (w.kind === 'train') return { skip: 'cannot train' };
      const { B, T, I, H } = w;
      const Tensor = ort.Tensor;
      if (w.kind === 'stream') {
        const session = await ort.InferenceSession.create(
          lstmModel({ I, H, B, T: 1, weights, withState: true }),
          sessionOptions,
        );
        const xt = xs.map((v) => new Tensor('float32', v.slice(), [1, B, I])); // [T=1, B, I]
        const zeros = () => new Tensor('float32', new Float32Array(B * H), [1, B, H]);
        let h = zeros(),
          c = zeros();
        const step = async (x, h0, c0) => {
          const r = await session.run({ X: x, initial_h: h0, initial_c: c0 });
          return [r.Y_h, r.Y_c];
        };
        return {
          units: w.calls,
          async run() {
            for (let s = 0; s < w.calls; s++) [h, c] = await step(xt[s & 15], h, c);
          },
          async check() {
            const out = new Float32Array(STREAM_CHECK_STEPS * H);
            let hc = zeros(),
              cc = zeros();
            for (let s = 0; s < STREAM_CHECK_STEPS; s++) {
              [hc, cc] = await step(xt[s & 15], hc, cc);
              out.set(hc.data, s * H);
            }
            return { out };
          },
          dispose: () => session.release(),
        };
      }
      const session = await ort.InferenceSession.create(lstmModel({ I, H, B, T, weights }), sessionOptions);
      const X = new Tensor('float32', swapBatchTime(x, B, T, I), [T, B, I]);
      const forward = async () => (await session.run({ X })).Y.data; // [T, 1, B, H]
      return {
        units: 1,
        run: forward,
        check: async () => ({ out: swapBatchTime(await forward(), T, B, H) }),
        dispose: () => session.release(),
      };
    },
  };
}

export const ortNode1 = makeOrtPeer({ id: 'ort-node-1t', label: 'ort-node 1t', pkg: 'onnxruntime-node', threads: 1 });
export const ortNode2 = makeOrtPeer({ id: 'ort-node-2t', label: 'ort-node 2t', pkg: 'onnxruntime-node', threads: 2 });
export const ortWeb = makeOrtPeer({ id: 'ort-web', label: 'ort-web wasm 1t', pkg: 'onnxruntime-web', threads: 1 });
