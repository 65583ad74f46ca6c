// The built-in generated data sets, exported from the main entry as the `tasks` namespace (its
// description is on that export in src/index.ts).
export { addingProblem } from './adding.js';
export { copyTask, COPY_DISTRACTORS } from './copy.js';
export { sineTask, type SineTaskOptions } from './sine.js';
export { dogcatData, dogcatQuestions, tokenize, DOGCAT_TEXT, DOGCAT_VOCAB } from './dogcat.js';
export { charData, type CharData } from './text.js';
export type { CopyTaskData, DogcatData, DogcatQuestions, SineTaskData, TaskData } from './task-data.js';
