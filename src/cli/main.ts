// The command line: wasm-lstm train <task> | predict --model FILE | gradflow | bench.
// On a TTY each epoch shows a progress bar (cli-progress, bundled at build time so the package
// keeps zero runtime dependencies); without a TTY one plain line per epoch; --json one JSON
// object per epoch and a final summary. Bad flags and bad input: one message and exit code 2.
import { reportFailure, USAGE, UsageError } from './args.js';
import { bench } from './bench.js';
import { gradflow } from './gradflow.js';
import { predict } from './predict.js';
import { train } from './train.js';

export async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  try {
    if (command === 'train') await train(rest);
    else if (command === 'predict') await predict(rest);
    else if (command === 'bench') await bench(rest);
    else if (command === 'gradflow') await gradflow(rest);
    else if (command === '--help' || command === '-h' || command === 'help') console.log(USAGE);
    else throw new UsageError(command ? `unknown command ${JSON.stringify(command)}` : 'missing command');
  } catch (e) {
    process.exitCode = reportFailure(e);
  }
}
