// The command line: wasm-lstm train <task> | predict --model FILE | gradflow | bench.
// On a TTY each epoch shows a progress bar (cli-progress, bundled at build time so the package
// keeps zero runtime dependencies); without a TTY one plain line per epoch; --json one JSON
// object per epoch and a final summary. Bad flags and bad input: one message and exit code 2.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { reportFailure, USAGE, UsageError } from './args.js';
import { gradflow } from './gradflow.js';
import { predict } from './predict.js';
import { train } from './train.js';

function bench(argv: string[]): void {
  const script = fileURLToPath(new URL('../bench/bench.mjs', import.meta.url));
  if (!existsSync(script))
    throw new UsageError('the benchmark ships with the repository (bench/bench.mjs), not the npm package');
  const r = spawnSync(process.execPath, [script, ...argv], { stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
}

export async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  try {
    if (command === 'train') await train(rest);
    else if (command === 'predict') await predict(rest);
    else if (command === 'bench') bench(rest);
    else if (command === 'gradflow') await gradflow(rest);
    else if (command === '--help' || command === '-h' || command === 'help') console.log(USAGE);
    else throw new UsageError(command ? `unknown command ${JSON.stringify(command)}` : 'missing command');
  } catch (e) {
    process.exitCode = reportFailure(e);
  }
}
