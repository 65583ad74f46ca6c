export { addingProblem } from './adding.js';
export { copyTask, COPY_DISTRACTORS } from './copy.js';
export { sineTask } from './sine.js';
export { dogcatData, dogcatQuestions, tokenize, DOGCAT_TEXT, DOGCAT_VOCAB } from './dogcat.js';
export { charData, type CharData } from './text.js';
