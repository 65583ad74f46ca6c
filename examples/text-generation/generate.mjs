// Text generation through the API: a character-level LSTM trained on declaration.txt (the first
// two paragraphs of the United States Declaration of Independence, 1776, as transcribed by the
// National Archives; public domain), then sampled character by character with model.generate().
//
// Embedding → LSTM (returnSequences) → Dense(softmax): at every position the model predicts the
// next character (many-to-many). Windows of 64 characters, half overlapping. After training it
// reports the loss in bits per character (the text's own character frequencies, with no context,
// need about 4.2) and samples from a prompt.
//
//   node examples/text-generation/generate.mjs [--text FILE] [--epochs N] [--prompt "We hold"]
//                                              [--length 300] [--temperature 0.5] [--json]
//   EXAMPLES_QUICK=1 node examples/text-generation/generate.mjs    (the short settings CI uses)
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Adam, Dense, Embedding, LSTM, Sequential, init, tasks } from 'wasm-lstm';

const { values: args } = parseArgs({
  options: {
    text: { type: 'string', default: new URL('./declaration.txt', import.meta.url).pathname },
    epochs: { type: 'string' },
    prompt: { type: 'string', default: 'We hold ' },
    length: { type: 'string', default: '300' },
    temperature: { type: 'string', default: '0.5' },
    json: { type: 'boolean', default: false },
  },
});
const quick = process.env.EXAMPLES_QUICK === '1';
const EPOCHS = Number(args.epochs ?? (quick ? 40 : 100)); // ~3 s and ~8 s
const STEPS = 64;

const text = readFileSync(args.text, 'utf8').replace(/\s+/g, ' ').trim();
const data = tasks.charData(text, STEPS, STEPS / 2); // x, y [N, 64] token ids; vocab; encode/decode
const V = data.vocab.length;

// What a model without context scores: the entropy of the character frequencies, in bits.
const counts = new Map();
for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
const unigramBits = -[...counts.values()].reduce((a, n) => a + (n / text.length) * Math.log2(n / text.length), 0);

await init();
const model = new Sequential([
  new Embedding({ numEmbeddings: V, embeddingDim: 24, seed: 1 }),
  new LSTM({ inputSize: 24, hiddenSize: 128, returnSequences: true, seed: 2 }),
  new Dense({ inputSize: 128, outputSize: V, activation: 'softmax', seed: 3 }),
]);
model.compile({ loss: 'sparseCategoricalCrossentropy', optimizer: new Adam({ learningRate: 1e-2, clipNorm: 1 }) });
const t0 = performance.now();
const history = await model.fit(data.x, data.y, { epochs: EPOCHS, batchSize: 16, shuffle: true, seed: 1 });
const seconds = (performance.now() - t0) / 1000;
const bitsPerChar = history.history.loss.at(-1) / Math.LN2;

const sample = data.decode(
  model.generate({
    prompt: data.encode(args.prompt),
    steps: Number(args.length),
    temperature: Number(args.temperature),
    seed: 1,
  }),
);
// How much of the sample is made of the text's own words (a model that learned nothing writes
// letter soup; one that learned the text writes its words, in new orders).
const vocabulary = new Set(text.toLowerCase().match(/[a-z]+/g));
const words = (args.prompt + sample).toLowerCase().match(/[a-z]+/g) ?? [];
const known = words.filter((w) => vocabulary.has(w)).length;

const result = {
  characters: text.length,
  vocabulary: V,
  windows: data.x.shape[0],
  epochs: EPOCHS,
  seconds: +seconds.toFixed(1),
  bitsPerChar,
  unigramBitsPerChar: unigramBits,
  sample: args.prompt + sample,
  words: words.length,
  knownWordFraction: words.length ? known / words.length : 0,
};
model.dispose();
if (args.json) console.log(JSON.stringify(result));
else {
  console.log(
    `${result.characters} characters, ${V} distinct; ${result.windows} windows of ${STEPS}; ${EPOCHS} epochs in ${result.seconds} s`,
  );
  console.log(`loss ${bitsPerChar.toFixed(2)} bits/char (character frequencies alone: ${unigramBits.toFixed(2)})`);
  console.log(`sample (temperature ${args.temperature}):\n${result.sample}`);
  console.log(`${known}/${words.length} words of the sample are words of the text`);
}
