import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
const require = createRequire(import.meta.url);
const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + '/dist/';
setWasmPaths(dir);
for (const be of ['cpu','wasm']) {
  const t0 = performance.now();
  console.log(be, await tf.setBackend(be), tf.getBackend(), performance.now()-t0);
  const layer = tf.layers.lstm({units: 8, returnSequences: true, recurrentActivation: 'sigmoid'});
  const x = tf.randomUniform([2,3,4]);
  const y = layer.apply(x);
  console.log(y.shape, layer.getWeights().map(t=>t.shape), layer.trainableWeights.map(v=>v.read().name));
  const opt = tf.train.sgd(1e-3);
  const vars = layer.trainableWeights.map(v=>v.read());
  const g = tf.variableGrads(() => tf.sum(layer.apply(x)), vars);
  console.log(Object.keys(g.grads), g.value.dataSync());
  if (be==='wasm') console.log(tf.backend().wasm ? 'wasm module' : '', tf.env().getBool('WASM_HAS_SIMD_SUPPORT'), tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'));
}
