// model.quantize(): a new inference-only model whose layers carry int8 weights. Layers with a
// weight matrix (LSTM, GRU, SimpleRNN, Dense) quantize themselves; the others are copied in f32:
// Embedding (a lookup has no product to speed up, and its table is small next to the recurrent
// weights) and Dropout (the identity at inference).
import { LSTMError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import { checkQuantizeOptions, type QuantizeOptions } from '../layers/quantize.js';
import { LAYER_CLASSES } from './model-file.js';

export function quantizeLayers(layers: readonly Layer[], options: QuantizeOptions): Layer[] {
  checkQuantizeOptions(options);
  const out: Layer[] = [];
  try {
    for (const [i, l] of layers.entries()) {
      if (l.quantize) {
        out.push(l.quantize(options));
        continue;
      }
      const Kind = Object.hasOwn(LAYER_CLASSES, l.kind) ? LAYER_CLASSES[l.kind] : undefined;
      if (!Kind) {
        throw new LSTMError('INVALID_ARGUMENT', 'cannot quantize or copy this layer', {
          argument: `layers[${i}]`,
          expected: `a layer with quantize() or one of ${Object.keys(LAYER_CLASSES).join(', ')}`,
          actual: l.kind,
        });
      }
      const copy = new Kind(l.config() as never);
      out.push(copy);
      copy.loadStateDict(l.stateDict());
    }
  } catch (e) {
    for (const l of out) l.dispose();
    throw e;
  }
  return out;
}
