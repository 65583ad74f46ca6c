export { addingProblem } from './adding.js';
export { dogcatData, dogcatQuestions, tokenize, DOGCAT_TEXT, DOGCAT_VOCAB } from './dogcat.js';
