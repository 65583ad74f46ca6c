// wasm-lstm bench: the benchmark table (src/bench/), every build the engine has.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatReport } from '../bench/report.js';
import { runBenchmark } from '../bench/run.js';
import { formatThreadsReport, runThreadsBenchmark } from '../bench/threads.js';
import { WORKLOADS } from '../bench/workloads.js';
import { BUILDS, type BuildName, supportedBuilds } from '../runtime.js';
import { int, UsageError } from './args.js';

const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';

/**
 * The benchmark (src/bench/), the same table as the repository's `npm run bench` without the
 * plain-JS baseline. Node 20 validates relaxed SIMD only behind a V8 flag: unless --no-relaxed,
 * the command runs itself again in a child node with that flag, so one command measures every
 * build the engine has. (v8.setFlagsFromString after startup is documented as undefined behaviour,
 * which a measurement should not rest on; a child process costs ~50 ms of a run of a minute.)
 */
export async function bench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      only: { type: 'string' },
      builds: { type: 'string' },
      'no-relaxed': { type: 'boolean', default: false },
      threads: { type: 'string' },
    },
  });
  const list = (v: string | undefined) => (v === undefined ? undefined : v.split(',').filter(Boolean));
  const only = list(values.only);
  const builds = list(values.builds);
  const ids = WORKLOADS.map((w) => w.id);
  const badId = only?.find((id) => !ids.includes(id));
  if (badId !== undefined)
    throw new UsageError(`--only: unknown workload ${JSON.stringify(badId)} (known: ${ids.join(', ')})`);
  const badBuild = builds?.find((b) => !(BUILDS as readonly string[]).includes(b));
  if (badBuild !== undefined)
    throw new UsageError(`--builds: unknown build ${JSON.stringify(badBuild)} (known: ${BUILDS.join(', ')})`);

  if (
    !values['no-relaxed'] &&
    !supportedBuilds().includes('relaxed-simd') &&
    (builds === undefined || builds.includes('relaxed-simd')) &&
    !process.execArgv.includes(RELAXED_FLAG) &&
    process.env.WASM_LSTM_BENCH_CHILD !== '1'
  ) {
    const script = fileURLToPath(import.meta.url);
    const r = spawnSync(process.execPath, [...process.execArgv, RELAXED_FLAG, script, 'bench', ...argv], {
      stdio: 'inherit',
      env: { ...process.env, WASM_LSTM_BENCH_CHILD: '1' },
    });
    // Exit code 9: this node does not know the flag; measure here without relaxed SIMD.
    if (!r.error && r.status !== 9) {
      process.exitCode = r.status ?? 1;
      return;
    }
  }

  if (values.threads !== undefined) {
    // the 1- and N-thread rows of the same run, for the best build asked for (src/bench/threads.ts)
    const threads = int('threads', values.threads, 2, 2, 64);
    const build = builds?.find((b) => supportedBuilds().includes(b as BuildName)) as BuildName | undefined;
    const report = await runThreadsBenchmark({
      threads,
      quick: values.quick,
      ...(only ? { only } : {}),
      ...(build ? { build } : {}),
    });
    console.log(values.json ? JSON.stringify(report, null, 2) : formatThreadsReport(report));
    return;
  }
  const progress = !values.json && process.stderr.isTTY;
  const total = only?.length ?? WORKLOADS.length;
  let done = 0;
  if (progress) process.stderr.write('measuring the peak of each build…');
  const report = await runBenchmark({
    quick: values.quick,
    ...(only ? { only } : {}),
    ...(builds ? { builds: builds as BuildName[] } : {}),
    runtime: `node ${process.version}`,
    onRow: (row) => {
      done++;
      if (progress) process.stderr.write(`\r\x1b[K${row.id} ${row.name} done (${done}/${total})`);
    },
  });
  if (progress) process.stderr.write('\r\x1b[K');
  console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
}
