// Next-word prediction on the lecture notes' three sentences: "Dog scares Cat. Cat scares
// Mouse. Mouse scares Dog." After "X scares" the next word depends on X, two words back, so a
// model that remembers only the last word ("scares") can be right at most a third of the time.
import type { DogcatData, DogcatQuestions } from './task-data.js';

/** The Dog-scares-Cat text: after "X scares" the next word depends on X, two words back. */
export const DOGCAT_TEXT = 'Dog scares Cat. Cat scares Mouse. Mouse scares Dog.';
/** Its vocabulary; a token's id is its index here. */
export const DOGCAT_VOCAB = ['Dog', 'scares', 'Cat', 'Mouse', '.'];

/** Words and full stops of `text`, in order (whitespace-separated; '.' is a token of its own). */
export function tokenize(text: string): string[] {
  return text.replace(/\./g, ' . ').split(/\s+/).filter(Boolean);
}

/** Windows of `context` token ids -> the next token id, over the text repeated `repeats` times:
 *  x `[n, context]`, y `[n]` (class ids for sparseCategoricalCrossentropy), and the vocabulary. */
export function dogcatData(context = 3, repeats = 4): DogcatData {
  const ids = Array.from({ length: repeats }, () => tokenize(DOGCAT_TEXT))
    .flat()
    .map((w) => DOGCAT_VOCAB.indexOf(w));
  const n = ids.length - context,
    x = new Float32Array(n * context),
    y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < context; t++) x[i * context + t] = ids[i + t]!;
    y[i] = ids[i + context]!;
  }
  return { x: { data: x, shape: [n, context] }, y: { data: y, shape: [n] }, vocab: DOGCAT_VOCAB };
}

/** The three questions the task asks: for each subject X, the context ending in "X scares" (x
 *  `[3, context]`), the object expected (`answers`, ids) and the question as text (`prompts`). */
export function dogcatQuestions(context = 3): DogcatQuestions {
  const words = tokenize(DOGCAT_TEXT),
    prompts: string[] = [],
    answers: number[] = [],
    rows: number[][] = [];
  for (let i = 0; i + 2 < words.length; i++) {
    if (words[i + 1] !== 'scares') continue;
    const start = i + 2 - context;
    const ctx =
      start >= 0 ? words.slice(start, i + 2) : [...words.slice(words.length + start), ...words.slice(0, i + 2)];
    rows.push(ctx.map((w) => DOGCAT_VOCAB.indexOf(w)));
    answers.push(DOGCAT_VOCAB.indexOf(words[i + 2]!));
    prompts.push(`${words[i]} scares`);
  }
  return { x: { data: Float32Array.from(rows.flat()), shape: [rows.length, context] }, answers, prompts };
}
