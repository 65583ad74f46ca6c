// A pool of worker threads over the one shared WebAssembly.Memory, behind a synchronous API: the
// caller writes a job (a list of tasks, each one kernel export and its arguments) into a table in
// shared memory, wakes the workers, takes tasks itself, and spins on an Atomics counter until every
// task is done (then, where it may block, sleeps on it: browsers forbid waiting on a page's main
// thread, so there the caller only spins). Workers sleep in Atomics.wait between jobs. Tasks are claimed with one compare-exchange each, so a job
// finishes even while workers are still starting (the caller then runs every task itself): the
// first calls after init() never wait for a worker, and the split of a job never depends on which
// thread ran what, so results do not either.
//
// Control block (Int32, in shared memory): GEN the wake-up generation, JOB = count << 16 | next (one
// word, so a claim can never pair an old count with a new table), DONE tasks finished, STOP, ERROR
// (1 + the first failed task), SPIN iterations a worker spins before sleeping, READY workers started,
// TAKEN tasks the workers have run (all jobs).
// Task table: SLOTS float64 per task: the kernel's index in TASK_KERNELS, then up to 14 arguments
// (pointers, sizes and f32 values are all exact in a float64).
import type { Arena } from '../arena.js';
import type { Kernels } from '../kernels.generated.js';
import * as splitOps from './split-ops.js';
import { WORKER_SOURCE } from './worker-source.js';

/** The kernel exports a task may call (the table stores the index). */
export const TASK_KERNELS = [
  'seqProjectRows',
  'seqForwardSteps',
  'seqBackwardPackRecurrent',
  'seqBackwardZeroRows',
  'seqBackwardPackInput',
  'seqBackwardSteps',
  'seqBackwardWeightColumns',
  'seqBackwardInputRows',
  'denseForward',
  'denseForwardInt8',
  'activationBackward',
  'packTransposed',
  'gemmDyTX',
  'colSum',
  'gemmDyW',
  'sgdStep',
  'sgdMomentumStep',
  'adamStep',
  'rmspropStep',
  'sumSquaresTo',
  'transpose3Range',
  'scaleArray',
  'clipArray',
] as const satisfies readonly (keyof Kernels)[];
export type TaskKernel = (typeof TASK_KERNELS)[number];
const KERNEL_INDEX = Object.fromEntries(TASK_KERNELS.map((n, i) => [n, i])) as Record<TaskKernel, number>;

const LAYOUT = { GEN: 0, JOB: 1, DONE: 2, STOP: 3, ERROR: 4, SPIN: 5, READY: 6, TAKEN: 7 } as const;
const CTL_INTS = 16;
const SLOTS = 16;
/** Most tasks in one job (the JOB word holds 16-bit counts; 256 is far more than a split needs). */
export const MAX_TASKS = 256;
/** Spin iterations (one Atomics.load each, a few ns) before a worker sleeps: about 0.1 ms, enough
 *  to catch the next job of a forward/backward without a futex wake-up. */
const SPIN_ITERATIONS = 20_000;
/** Spin iterations of the caller before it sleeps on DONE (where it may). */
const CALLER_SPIN_ITERATIONS = 20_000;

/** Can this thread block in Atomics.wait? (A page's main thread cannot.) */
function threadCanWait(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0); // 'not-equal' at once where allowed
    return true;
  } catch {
    return false;
  }
}

/** How the pool starts a worker on this runtime (src/threads/spawn.ts). */
export interface WorkerHandle {
  post(message: unknown): void;
  /** Called once with the worker's first message ({ ready } or { error }). */
  onFirstMessage(f: (m: { ready?: boolean; error?: string }) => void): void;
  terminate(): void;
}
export type SpawnWorker = (source: string) => WorkerHandle;

export class Pool {
  /** Threads a job is split for, the caller included. */
  readonly threads: number;
  readonly #kernels: Kernels;
  readonly #arena: Arena;
  readonly #ctl: Int32Array;
  readonly #tasks: Float64Array;
  readonly #fns: ((...a: number[]) => unknown)[];
  readonly #workers: WorkerHandle[] = [];
  #count = 0;
  #terminated = false;
  #scratch = 0;
  #scratchBytes = 0;
  readonly #canWait = threadCanWait();
  /** Messages of workers that failed to start (they never claim tasks; the job still completes). */
  readonly failures: string[] = [];
  /** Jobs run so far (tests check that a call was split). */
  jobs = 0;
  /** How calls are split into jobs (split.ts hands calls on a threaded runtime to these). */
  readonly ops = splitOps;

  constructor(
    arena: Arena,
    kernels: Kernels,
    module: WebAssembly.Module,
    threads: number,
    spawn: SpawnWorker,
    source = WORKER_SOURCE,
  ) {
    this.threads = threads;
    this.#kernels = kernels;
    this.#arena = arena;
    // Allocated before any worker starts and never moved: the workers' views cover it.
    const ctl = arena.alloc(CTL_INTS * 4 + MAX_TASKS * SLOTS * 8, 'thread pool control block');
    const table = ctl + 64;
    this.#ctl = new Int32Array(arena.memory.buffer, ctl, CTL_INTS);
    this.#tasks = new Float64Array(arena.memory.buffer, table, MAX_TASKS * SLOTS);
    this.#fns = TASK_KERNELS.map((n) => kernels[n] as unknown as (...a: number[]) => unknown);
    Atomics.store(this.#ctl, LAYOUT.SPIN, SPIN_ITERATIONS);
    const message = {
      module,
      memory: arena.memory,
      ctl,
      ctlInts: CTL_INTS,
      table,
      capacity: MAX_TASKS,
      slots: SLOTS,
      names: TASK_KERNELS,
      layout: LAYOUT,
    };
    // Started here, not in a later task: a worker boots on its own thread, so it comes up even while
    // this thread runs a long synchronous loop of calls (which take every task until it does).
    for (let i = 1; i < threads; i++) {
      try {
        const w = spawn(source);
        w.onFirstMessage((m) => {
          if (m.error !== undefined) this.failures.push(m.error);
        });
        w.post(message);
        this.#workers.push(w);
      } catch (e) {
        this.failures.push(String((e as Error)?.message ?? e));
      }
    }
  }

  /** Workers that have started and take tasks. */
  get ready(): number {
    return Atomics.load(this.#ctl, LAYOUT.READY);
  }

  /** Tasks the workers (not the caller) have run so far. */
  get workerTasks(): number {
    return Atomics.load(this.#ctl, LAYOUT.TAKEN);
  }

  get terminated(): boolean {
    return this.#terminated;
  }

  /** Queue one task of the next job: a kernel and its arguments. */
  task(kernel: TaskKernel, ...args: number[]): void {
    if (this.#count >= MAX_TASKS) throw new RangeError(`a job holds at most ${MAX_TASKS} tasks`);
    const o = this.#count++ * SLOTS,
      t = this.#tasks;
    t[o] = KERNEL_INDEX[kernel];
    for (let i = 0; i < SLOTS - 1; i++) t[o + 1 + i] = args[i] ?? 0;
  }

  /** Tasks queued for the next run(). */
  get queued(): number {
    return this.#count;
  }

  /** Run the queued tasks on every thread and return when all are done (synchronous). */
  run(): void {
    const n = this.#count,
      ctl = this.#ctl;
    this.#count = 0;
    if (n === 0) return;
    this.jobs++;
    if (n === 1) {
      // nothing to share: no wake-up, the caller runs it
      const t = this.#tasks;
      this.#fns[t[0]!]!(
        t[1]!,
        t[2]!,
        t[3]!,
        t[4]!,
        t[5]!,
        t[6]!,
        t[7]!,
        t[8]!,
        t[9]!,
        t[10]!,
        t[11]!,
        t[12]!,
        t[13]!,
        t[14]!,
      );
      return;
    }
    Atomics.store(ctl, LAYOUT.DONE, 0);
    Atomics.store(ctl, LAYOUT.JOB, n << 16);
    if (this.#workers.length > 0) {
      Atomics.add(ctl, LAYOUT.GEN, 1);
      Atomics.notify(ctl, LAYOUT.GEN);
    }
    let failure: unknown = null;
    for (;;) {
      const v = Atomics.load(ctl, LAYOUT.JOB),
        next = v & 0xffff;
      if (next >= v >>> 16) break;
      if (Atomics.compareExchange(ctl, LAYOUT.JOB, v, v + 1) !== v) continue;
      const o = next * SLOTS,
        t = this.#tasks;
      try {
        this.#fns[t[o]!]!(
          t[o + 1]!,
          t[o + 2]!,
          t[o + 3]!,
          t[o + 4]!,
          t[o + 5]!,
          t[o + 6]!,
          t[o + 7]!,
          t[o + 8]!,
          t[o + 9]!,
          t[o + 10]!,
          t[o + 11]!,
          t[o + 12]!,
          t[o + 13]!,
          t[o + 14]!,
        );
      } catch (e) {
        failure ??= e;
      }
      Atomics.add(ctl, LAYOUT.DONE, 1);
    }
    // Wait for the workers' tasks: spin a little (they are usually about done), then, where this
    // thread may block (not a page's main thread), sleep on DONE: a worker finishing the last task
    // wakes it. Sleeping gives the core back when workers were preempted on a busy machine.
    let done = Atomics.load(ctl, LAYOUT.DONE);
    for (let spins = 0; done < n; spins++) {
      if (this.#canWait && spins > CALLER_SPIN_ITERATIONS) Atomics.wait(ctl, LAYOUT.DONE, done, 1);
      done = Atomics.load(ctl, LAYOUT.DONE);
    }
    const failed = Atomics.exchange(ctl, LAYOUT.ERROR, 0);
    if (failure) throw failure;
    if (failed !== 0) {
      const kernel = TASK_KERNELS[this.#tasks[(failed - 1) * SLOTS]!];
      throw new Error(`wasm-lstm: kernel ${kernel} failed on a worker thread (task ${failed - 1} of ${n})`);
    }
  }

  /** `bytes` of arena memory for the tasks of the next job (per-task partial sums, descriptor copies,
   *  packing space): valid until the next call, contents undefined. Grows (and may throw
   *  OUT_OF_MEMORY) before anything of the job is written. */
  scratch(bytes: number): number {
    if (bytes > this.#scratchBytes) {
      const p = this.#arena.alloc(bytes, 'thread scratch');
      if (this.#scratch) this.#arena.free(this.#scratch);
      this.#scratch = p;
      this.#scratchBytes = bytes;
    }
    return this.#scratch;
  }

  /** End the workers and give back the pool's memory; the runtime's calls then run on the calling
   *  thread alone. Safe to call twice. */
  terminate(): void {
    if (this.#terminated) return;
    this.#terminated = true;
    Atomics.store(this.#ctl, LAYOUT.STOP, 1);
    Atomics.add(this.#ctl, LAYOUT.GEN, 1);
    Atomics.notify(this.#ctl, LAYOUT.GEN);
    for (const w of this.#workers) w.terminate();
    this.#workers.length = 0;
    if (this.#scratch) this.#arena.free(this.#scratch);
    this.#scratch = 0;
    this.#scratchBytes = 0;
    // The control block stays: a worker may still be spinning on it until its termination lands,
    // and it must keep reading STOP = 1 there (33 KB per pool ever started).
  }

  /** @internal The kernels of the calling thread (a one-thread fallback for callers). */
  get kernels(): Kernels {
    return this.#kernels;
  }
}
