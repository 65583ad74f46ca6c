// src/errors.ts
var LSTMError = class extends Error {
  code;
  argument;
  expected;
  actual;
  constructor(code, message, detail = {}) {
    const parts2 = [message];
    if (detail.expected !== void 0) parts2.push(`expected ${detail.expected}`);
    if (detail.actual !== void 0) parts2.push(`got ${detail.actual}`);
    super(`[${code}]${detail.argument ? ` ${detail.argument}:` : ""} ${parts2.join("; ")}`);
    this.name = "LSTMError";
    this.code = code;
    this.argument = detail.argument;
    this.expected = detail.expected;
    this.actual = detail.actual;
  }
};
function describe(value) {
  if (value === null) return "null";
  if (value === void 0) return "undefined";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}\u2026` : value);
  if (ArrayBuffer.isView(value))
    return `${value.constructor.name}(${value.length ?? value.byteLength})`;
  if (Array.isArray(value)) return `Array(${value.length})`;
  return typeof value;
}
function checkSize(argument, value, max = 1 << 24, min = 1) {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new LSTMError("INVALID_ARGUMENT", "must be an integer in range", {
      argument,
      expected: `an integer in [${min}, ${max}]`,
      actual: describe(value)
    });
  }
  return value;
}
function checkFloat32(argument, value, length, shape) {
  if (!(value instanceof Float32Array)) {
    throw new LSTMError("INVALID_ARGUMENT", "must be a Float32Array", {
      argument,
      expected: `Float32Array of length ${length} ${shape}`,
      actual: describe(value)
    });
  }
  if (value.length !== length) {
    throw new LSTMError("SHAPE_MISMATCH", "wrong length", {
      argument,
      expected: `length ${length} ${shape}`,
      actual: `length ${value.length}`
    });
  }
  return value;
}

// src/arena.ts
var ALIGN = 64;
var PAGE = 65536;
var MAX_MEMORY_BYTES = 65536 * PAGE;
var Arena = class {
  memory;
  #top;
  // first byte never handed out
  #free = [];
  // sorted by start, coalesced
  #sizes = /* @__PURE__ */ new Map();
  // live block start -> size
  #live = 0;
  // Σ sizes
  #f32;
  #i32;
  /** The most bytes this memory may hold: 4 GiB, or a shared memory's declared maximum. */
  maxBytes;
  constructor(memory, base, maxBytes = MAX_MEMORY_BYTES) {
    this.memory = memory;
    this.maxBytes = Math.min(maxBytes, MAX_MEMORY_BYTES);
    this.#top = Math.ceil(Math.max(base, ALIGN) / ALIGN) * ALIGN;
    this.#f32 = new Float32Array(memory.buffer);
    this.#i32 = new Int32Array(memory.buffer);
  }
  /** Float32 view of the whole memory, valid until the next alloc. */
  get f32() {
    if (this.#f32.buffer !== this.memory.buffer) this.#refresh();
    return this.#f32;
  }
  get i32() {
    if (this.#i32.buffer !== this.memory.buffer) this.#refresh();
    return this.#i32;
  }
  #refresh() {
    this.#f32 = new Float32Array(this.memory.buffer);
    this.#i32 = new Int32Array(this.memory.buffer);
  }
  /** Bytes handed out and not freed (for leak tests). */
  get liveBytes() {
    return this.#live;
  }
  /** The float index of byte offset `ptr`. */
  static index(ptr) {
    return ptr >>> 2;
  }
  /** A fresh copy of `n` floats at `ptr`. */
  read(ptr, n) {
    const i = ptr >>> 2;
    return this.f32.slice(i, i + n);
  }
  /** Copy `data` to `ptr`. */
  write(ptr, data) {
    this.f32.set(data, ptr >>> 2);
  }
  /** Set `n` floats at `ptr` to `value` (0). */
  fill(ptr, n, value = 0) {
    const i = ptr >>> 2;
    this.f32.fill(value, i, i + n);
  }
  /** A view of `n` floats at `ptr`, valid until the next alloc (which may grow the memory). */
  view(ptr, n) {
    const i = ptr >>> 2;
    return this.f32.subarray(i, i + n);
  }
  /** A zero-filled block of `bytes`; its byte offset. Throws OUT_OF_MEMORY, leaving state unchanged. */
  alloc(bytes, what = "buffer") {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    if (!Number.isFinite(size) || size > this.maxBytes) throw this.#oom(what, bytes);
    let ptr = -1;
    for (let i = 0; i < this.#free.length; i++) {
      const b = this.#free[i];
      if (b.size >= size) {
        ptr = b.start;
        if (b.size === size) this.#free.splice(i, 1);
        else {
          b.start += size;
          b.size -= size;
        }
        break;
      }
    }
    if (ptr < 0) {
      const end = this.#top + size;
      if (end > this.maxBytes) throw this.#oom(what, bytes);
      const have = this.memory.buffer.byteLength;
      if (end > have) {
        const needPages = Math.ceil((end - have) / PAGE);
        const wantPages = Math.max(needPages, Math.min(have / PAGE, this.maxBytes / PAGE - have / PAGE));
        try {
          this.memory.grow(wantPages);
        } catch {
          try {
            this.memory.grow(needPages);
          } catch {
            throw this.#oom(what, bytes);
          }
        }
      }
      ptr = this.#top;
      this.#top = end;
    }
    this.#sizes.set(ptr, size);
    this.#live += size;
    this.fill(ptr, size / 4);
    return ptr;
  }
  free(ptr) {
    const size = this.#sizes.get(ptr);
    if (size === void 0) return;
    this.#sizes.delete(ptr);
    this.#live -= size;
    if (ptr + size === this.#top) {
      this.#top = ptr;
      const last = this.#free[this.#free.length - 1];
      if (last && last.start + last.size === this.#top) {
        this.#top = last.start;
        this.#free.pop();
      }
      return;
    }
    let i = 0;
    while (i < this.#free.length && this.#free[i].start < ptr) i++;
    this.#free.splice(i, 0, { start: ptr, size });
    const next = this.#free[i + 1];
    if (next && ptr + size === next.start) {
      this.#free[i].size += next.size;
      this.#free.splice(i + 1, 1);
    }
    const prev = this.#free[i - 1];
    if (prev && prev.start + prev.size === ptr) {
      prev.size += this.#free[i].size;
      this.#free.splice(i, 1);
    }
  }
  #oom(what, bytes) {
    return new LSTMError("OUT_OF_MEMORY", `cannot allocate ${what}`, {
      argument: what,
      expected: `at most ${this.maxBytes - this.#top} more bytes of wasm memory`,
      actual: `${bytes} bytes requested`
    });
  }
};

// src/kernels.generated.ts
var USIZE_RESULTS = ["heapBase"];

// src/threads/spawn.ts
var g = globalThis;
function serverRuntime() {
  return g.Deno !== void 0 || g.Bun !== void 0 || typeof g.process?.versions?.node === "string";
}
function threadsUnavailable(probeValidates) {
  if (!probeValidates) return "this engine does not validate WebAssembly threads (shared memory and atomics)";
  if (typeof SharedArrayBuffer === "undefined") {
    return g.crossOriginIsolated === false ? "SharedArrayBuffer is off because the page is not cross-origin isolated: serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp" : "this runtime has no SharedArrayBuffer";
  }
  const workerd = g.navigator?.userAgent === "Cloudflare-Workers";
  if (workerd || !serverRuntime() && typeof g.Worker !== "function") {
    return "this runtime has no Worker (Cloudflare Workers / workerd run one thread per request)";
  }
  return null;
}
async function autoThreads(cap) {
  let n = g.navigator?.hardwareConcurrency ?? 0;
  if (!(n > 0) && serverRuntime()) {
    try {
      const osName = "node:os";
      const os = await import(
        /* @vite-ignore */
        osName
      );
      n = typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
    } catch {
      n = 1;
    }
  }
  return Math.max(1, Math.min(cap, Math.floor(n) || 1));
}
async function workerSpawner(workerUrl) {
  if (serverRuntime()) {
    const wtName = "node:worker_threads";
    const { Worker } = await import(
      /* @vite-ignore */
      wtName
    );
    return (source) => {
      const w2 = new Worker(source, { eval: true });
      w2.unref();
      w2.on("error", () => {
      });
      return {
        post: (m) => w2.postMessage(m),
        onFirstMessage: (f) => w2.once("message", (m) => f(m)),
        terminate: () => void w2.terminate()
      };
    };
  }
  const WebWorker = g.Worker;
  return (source) => {
    let url;
    let revoke = () => {
    };
    if (workerUrl !== void 0) url = workerUrl;
    else {
      url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
      const blobUrl = url;
      revoke = () => URL.revokeObjectURL(blobUrl);
    }
    const w2 = new WebWorker(url, { type: "module", name: "wasm-lstm" });
    let first = null;
    let settled = false;
    const settle = (m) => {
      if (settled) return;
      settled = true;
      revoke();
      first?.(m);
    };
    w2.addEventListener("message", (e) => settle(e.data), { once: true });
    w2.addEventListener("error", (e) => settle({ error: e.message ?? "the worker script failed to load" }));
    return {
      post: (m) => w2.postMessage(m),
      onFirstMessage: (f) => {
        first = f;
      },
      terminate: () => {
        revoke();
        w2.terminate();
      }
    };
  };
}

// src/threads/worker-source.ts
var WORKER_SOURCE = `'use strict';
(() => {
  const wt = typeof require === 'function' ? require('node:worker_threads') : null;
  const port = wt ? wt.parentPort : null;
  const post = (m) => (port ? port.postMessage(m) : self.postMessage(m));
  const start = (m) => {
    let fns, ctl, tasks;
    try {
      const ex = new WebAssembly.Instance(m.module, { env: { memory: m.memory } }).exports;
      fns = m.names.map((n) => ex[n]);
      ctl = new Int32Array(m.memory.buffer, m.ctl, m.ctlInts);
      tasks = new Float64Array(m.memory.buffer, m.table, m.capacity * m.slots);
    } catch (e) {
      post({ error: String((e && e.message) || e) });
      return;
    }
    post({ ready: true });
    const GEN = m.layout.GEN, JOB = m.layout.JOB, DONE = m.layout.DONE, STOP = m.layout.STOP;
    const ERROR = m.layout.ERROR, SPIN = m.layout.SPIN, TAKEN = m.layout.TAKEN, SLOTS = m.slots;
    Atomics.add(ctl, m.layout.READY, 1);
    let seen = Atomics.load(ctl, GEN);
    while (Atomics.load(ctl, STOP) === 0) {
      for (;;) {
        const v = Atomics.load(ctl, JOB), next = v & 0xffff;
        if (next >= v >>> 16) break;
        if (Atomics.compareExchange(ctl, JOB, v, v + 1) !== v) continue;
        Atomics.add(ctl, TAKEN, 1);
        const o = next * SLOTS, t = tasks;
        try {
          fns[t[o]](t[o + 1], t[o + 2], t[o + 3], t[o + 4], t[o + 5], t[o + 6], t[o + 7], t[o + 8], t[o + 9],
            t[o + 10], t[o + 11], t[o + 12], t[o + 13], t[o + 14]);
        } catch (e) {
          Atomics.compareExchange(ctl, ERROR, 0, next + 1);
        }
        Atomics.add(ctl, DONE, 1);
      }
      let g = Atomics.load(ctl, GEN);
      for (let i = Atomics.load(ctl, SPIN); g === seen && i > 0; i--) g = Atomics.load(ctl, GEN);
      if (g === seen) {
        Atomics.wait(ctl, GEN, seen);
        g = Atomics.load(ctl, GEN);
      }
      seen = g;
    }
  };
  if (port) port.once('message', start);
  else self.onmessage = (e) => {
    self.onmessage = null;
    start(e.data);
  };
})();
`;

// src/threads/pool.ts
var TASK_KERNELS = [
  "seqProjectRows",
  "seqForwardSteps",
  "seqBackwardPackRecurrent",
  "seqBackwardZeroRows",
  "seqBackwardPackInput",
  "seqBackwardSteps",
  "seqBackwardWeightColumns",
  "seqBackwardInputRows",
  "denseForward",
  "activationBackward",
  "packTransposed",
  "gemmDyTX",
  "colSum",
  "gemmDyW",
  "sgdStep",
  "sgdMomentumStep",
  "adamStep",
  "rmspropStep",
  "sumSquaresTo",
  "scaleArray",
  "clipArray"
];
var KERNEL_INDEX = Object.fromEntries(TASK_KERNELS.map((n, i) => [n, i]));
var LAYOUT = { GEN: 0, JOB: 1, DONE: 2, STOP: 3, ERROR: 4, SPIN: 5, READY: 6, TAKEN: 7 };
var CTL_INTS = 16;
var SLOTS = 16;
var MAX_TASKS = 256;
var SPIN_ITERATIONS = 2e4;
var Pool = class {
  /** Threads a job is split for, the caller included. */
  threads;
  #kernels;
  #arena;
  #ctl;
  #tasks;
  #fns;
  #workers = [];
  #count = 0;
  #terminated = false;
  #scratch = 0;
  #scratchBytes = 0;
  /** Messages of workers that failed to start (they never claim tasks; the job still completes). */
  failures = [];
  /** Jobs run so far (tests check that a call was split). */
  jobs = 0;
  constructor(arena, kernels, module, threads2, spawn, source = WORKER_SOURCE) {
    this.threads = threads2;
    this.#kernels = kernels;
    this.#arena = arena;
    const ctl = arena.alloc(CTL_INTS * 4 + MAX_TASKS * SLOTS * 8, "thread pool control block");
    const table = ctl + 64;
    this.#ctl = new Int32Array(arena.memory.buffer, ctl, CTL_INTS);
    this.#tasks = new Float64Array(arena.memory.buffer, table, MAX_TASKS * SLOTS);
    this.#fns = TASK_KERNELS.map((n) => kernels[n]);
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
      layout: LAYOUT
    };
    for (let i = 1; i < threads2; i++) {
      try {
        const w2 = spawn(source);
        w2.onFirstMessage((m) => {
          if (m.error !== void 0) this.failures.push(m.error);
        });
        w2.post(message);
        this.#workers.push(w2);
      } catch (e) {
        this.failures.push(String(e?.message ?? e));
      }
    }
  }
  /** Workers that have started and take tasks. */
  get ready() {
    return Atomics.load(this.#ctl, LAYOUT.READY);
  }
  /** Tasks the workers (not the caller) have run so far. */
  get workerTasks() {
    return Atomics.load(this.#ctl, LAYOUT.TAKEN);
  }
  get terminated() {
    return this.#terminated;
  }
  /** Queue one task of the next job: a kernel and its arguments. */
  task(kernel, ...args) {
    if (this.#count >= MAX_TASKS) throw new RangeError(`a job holds at most ${MAX_TASKS} tasks`);
    const o = this.#count++ * SLOTS, t = this.#tasks;
    t[o] = KERNEL_INDEX[kernel];
    for (let i = 0; i < SLOTS - 1; i++) t[o + 1 + i] = args[i] ?? 0;
  }
  /** Tasks queued for the next run(). */
  get queued() {
    return this.#count;
  }
  /** Run the queued tasks on every thread and return when all are done (synchronous). */
  run() {
    const n = this.#count, ctl = this.#ctl;
    this.#count = 0;
    if (n === 0) return;
    this.jobs++;
    Atomics.store(ctl, LAYOUT.DONE, 0);
    Atomics.store(ctl, LAYOUT.JOB, n << 16);
    if (this.#workers.length > 0) {
      Atomics.add(ctl, LAYOUT.GEN, 1);
      Atomics.notify(ctl, LAYOUT.GEN);
    }
    let failure = null;
    for (; ; ) {
      const v = Atomics.load(ctl, LAYOUT.JOB), next = v & 65535;
      if (next >= v >>> 16) break;
      if (Atomics.compareExchange(ctl, LAYOUT.JOB, v, v + 1) !== v) continue;
      const o = next * SLOTS, t = this.#tasks;
      try {
        this.#fns[t[o]](
          t[o + 1],
          t[o + 2],
          t[o + 3],
          t[o + 4],
          t[o + 5],
          t[o + 6],
          t[o + 7],
          t[o + 8],
          t[o + 9],
          t[o + 10],
          t[o + 11],
          t[o + 12],
          t[o + 13],
          t[o + 14]
        );
      } catch (e) {
        failure ??= e;
      }
      Atomics.add(ctl, LAYOUT.DONE, 1);
    }
    while (Atomics.load(ctl, LAYOUT.DONE) < n) {
    }
    const failed = Atomics.exchange(ctl, LAYOUT.ERROR, 0);
    if (failure) throw failure;
    if (failed !== 0) {
      const kernel = TASK_KERNELS[this.#tasks[(failed - 1) * SLOTS]];
      throw new Error(`wasm-lstm: kernel ${kernel} failed on a worker thread (task ${failed - 1} of ${n})`);
    }
  }
  /** `bytes` of arena memory for the tasks of the next job (per-task partial sums, descriptor copies,
   *  packing space): valid until the next call, contents undefined. Grows (and may throw
   *  OUT_OF_MEMORY) before anything of the job is written. */
  scratch(bytes) {
    if (bytes > this.#scratchBytes) {
      const p = this.#arena.alloc(bytes, "thread scratch");
      if (this.#scratch) this.#arena.free(this.#scratch);
      this.#scratch = p;
      this.#scratchBytes = bytes;
    }
    return this.#scratch;
  }
  /** End the workers and give back the pool's memory; the runtime's calls then run on the calling
   *  thread alone. Safe to call twice. */
  terminate() {
    if (this.#terminated) return;
    this.#terminated = true;
    Atomics.store(this.#ctl, LAYOUT.STOP, 1);
    Atomics.add(this.#ctl, LAYOUT.GEN, 1);
    Atomics.notify(this.#ctl, LAYOUT.GEN);
    for (const w2 of this.#workers) w2.terminate();
    this.#workers.length = 0;
    if (this.#scratch) this.#arena.free(this.#scratch);
    this.#scratch = 0;
    this.#scratchBytes = 0;
  }
  /** @internal The kernels of the calling thread (a one-thread fallback for callers). */
  get kernels() {
    return this.#kernels;
  }
};

// src/threads/threaded-runtime.ts
var PAGE2 = 65536;
var SHARED_MEMORY_PAGES = [32768, 8192];
var extras = /* @__PURE__ */ new WeakMap();
var threaded = /* @__PURE__ */ new Set();
function sharedMemory() {
  let last = null;
  for (const pages of SHARED_MEMORY_PAGES) {
    try {
      return { memory: new WebAssembly.Memory({ initial: 1, maximum: pages, shared: true }), pages };
    } catch (e) {
      last = e;
    }
  }
  throw new LSTMError("OUT_OF_MEMORY", "cannot reserve a shared WebAssembly.Memory for threads", {
    argument: "threads",
    expected: `a shared memory of at most ${SHARED_MEMORY_PAGES.at(-1) / 16} MiB`,
    actual: String(last?.message ?? last)
  });
}
async function createThreadedRuntime(build, module, threads2, workerUrl, readResults) {
  const imports = WebAssembly.Module.imports(module);
  if (!imports.some((i) => i.module === "env" && i.name === "memory" && i.kind === "memory")) {
    throw new LSTMError("BUILD_UNAVAILABLE", "with threads, init() needs the threaded build of the kernels", {
      argument: "wasm",
      expected: `lstm.${build === "relaxed-simd" ? "relaxed" : build}.mt.wasm (imports a shared memory)`,
      actual: "a module without an imported memory"
    });
  }
  const { memory, pages } = sharedMemory();
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const kernels = readResults(instance.exports);
  const arena = new Arena(memory, kernels.heapBase(), pages * PAGE2);
  const rt2 = { build, kernels, arena, pool: null };
  extras.set(rt2, { module, workerUrl });
  threaded.add(rt2);
  await setThreads(rt2, threads2);
  return rt2;
}
async function setThreads(rt2, threads2, workerUrl) {
  const extra = extras.get(rt2);
  const sameUrl = workerUrl === void 0 || String(workerUrl) === String(extra.workerUrl);
  if (rt2.pool && !rt2.pool.terminated && rt2.pool.threads === threads2 && sameUrl) return;
  if (workerUrl !== void 0) extra.workerUrl = workerUrl;
  const spawn = await workerSpawner(extra.workerUrl);
  rt2.pool?.terminate();
  rt2.pool = new Pool(rt2.arena, rt2.kernels, extra.module, threads2, spawn);
}

// src/threads/init-threads.ts
var AUTO_THREADS_MAX = 8;
var THREADS_MAX = 64;
async function threadCount(option) {
  if (option === void 0) return 1;
  if (option === "auto") return autoThreads(AUTO_THREADS_MAX);
  if (typeof option !== "number" || !Number.isInteger(option) || option < 1 || option > THREADS_MAX) {
    throw new LSTMError("INVALID_ARGUMENT", 'threads must be a whole number of threads or "auto"', {
      argument: "threads",
      expected: `an integer from 1 to ${THREADS_MAX}, or 'auto'`,
      actual: describe(option)
    });
  }
  return option;
}
var pending = /* @__PURE__ */ new Map();
async function initThreaded(build, threads2, options, features, load, readResults) {
  if (!features.threads) return null;
  if (options.workerUrl !== void 0 && typeof options.workerUrl !== "string" && !(options.workerUrl instanceof URL)) {
    throw new LSTMError("INVALID_ARGUMENT", "workerUrl must be a URL", {
      argument: "workerUrl",
      expected: "a string or URL of wasm-lstm's dist/thread-worker.js",
      actual: describe(options.workerUrl)
    });
  }
  let p = pending.get(build);
  if (!p) {
    p = (async () => createThreadedRuntime(build, await load(options.wasm), threads2, options.workerUrl, readResults))();
    pending.set(build, p);
    p.catch(() => pending.delete(build));
  }
  let rt2;
  try {
    rt2 = await p;
  } catch (e) {
    if (e instanceof LSTMError && e.code === "BUILD_UNAVAILABLE") throw e;
    features.threads = false;
    features.threadsReason = `threads could not start: ${e?.message ?? String(e)}`;
    return null;
  }
  await setThreads(rt2, threads2, options.workerUrl);
  return rt2;
}

// src/runtime.ts
var BUILDS = ["relaxed-simd", "simd", "scalar"];
var WASM_FILE = {
  "relaxed-simd": "lstm.relaxed.wasm",
  simd: "lstm.simd.wasm",
  scalar: "lstm.scalar.wasm"
};
var MT_FILE = {
  "relaxed-simd": "lstm.relaxed.mt.wasm",
  simd: "lstm.simd.mt.wasm",
  scalar: "lstm.scalar.mt.wasm"
};
var HEADER = [0, 97, 115, 109, 1, 0, 0, 0];
var PROBE_SIMD = new Uint8Array([
  ...HEADER,
  1,
  5,
  1,
  96,
  0,
  1,
  123,
  3,
  2,
  1,
  0,
  10,
  10,
  1,
  8,
  0,
  65,
  0,
  253,
  15,
  253,
  98,
  11
]);
var PROBE_RELAXED = new Uint8Array([
  ...HEADER,
  1,
  5,
  1,
  96,
  0,
  1,
  123,
  3,
  2,
  1,
  0,
  10,
  15,
  1,
  13,
  0,
  65,
  1,
  253,
  15,
  65,
  2,
  253,
  15,
  253,
  128,
  2,
  11
]);
var PROBE_THREADS = new Uint8Array([
  ...HEADER,
  1,
  4,
  1,
  96,
  0,
  0,
  3,
  2,
  1,
  0,
  5,
  4,
  1,
  3,
  1,
  1,
  10,
  11,
  1,
  9,
  0,
  65,
  0,
  254,
  16,
  2,
  0,
  26,
  11
]);
function detectFeatures() {
  const ok = (bytes) => {
    try {
      return WebAssembly.validate(bytes);
    } catch {
      return false;
    }
  };
  const threadsReason = threadsUnavailable(ok(PROBE_THREADS));
  return {
    simd: ok(PROBE_SIMD),
    relaxedSimd: ok(PROBE_RELAXED),
    threads: threadsReason === null,
    ...threadsReason === null ? {} : { threadsReason }
  };
}
function supportedBuilds(features = detectFeatures()) {
  return BUILDS.filter((b) => b === "scalar" || (b === "simd" ? features.simd : features.simd && features.relaxedSimd));
}
async function loadModule(build, source, file = WASM_FILE[build]) {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source);
  const url = source === void 0 ? new URL(`../build/${file}`, import.meta.url) : source instanceof URL ? source : new URL(source, import.meta.url);
  if (url.protocol === "file:") {
    const fsName = "node:fs/promises";
    const fs = await import(
      /* @vite-ignore */
      fsName
    );
    return WebAssembly.compile(await fs.readFile(url));
  }
  const response = await fetch(url);
  if (!response.ok) {
    throw new LSTMError("BUILD_UNAVAILABLE", `could not fetch the ${build} build`, {
      argument: "wasm",
      expected: "HTTP 200",
      actual: `HTTP ${response.status} for ${url.href}`
    });
  }
  if (typeof WebAssembly.compileStreaming === "function" && response.headers.get("content-type")?.startsWith("application/wasm")) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}
function unsignedResults(exports) {
  const kernels = { ...exports };
  for (const name of USIZE_RESULTS) {
    const f = exports[name];
    kernels[name] = (...a) => f(...a) >>> 0;
  }
  return kernels;
}
var runtimes = /* @__PURE__ */ new Map();
var current = null;
async function init(options = {}) {
  if (options === null || typeof options !== "object") {
    throw new LSTMError("INVALID_ARGUMENT", "init options must be an object", {
      argument: "options",
      expected: "{ build?, wasm?, threads?, workerUrl? }",
      actual: describe(options)
    });
  }
  const features = detectFeatures();
  const supported = supportedBuilds(features);
  let build = options.build;
  if (build === void 0) build = supported[0];
  else if (!BUILDS.includes(build)) {
    throw new LSTMError("INVALID_ARGUMENT", "unknown build", {
      argument: "build",
      expected: BUILDS.map((b) => `'${b}'`).join(" | "),
      actual: describe(build)
    });
  } else if (!supported.includes(build)) {
    throw new LSTMError("BUILD_UNAVAILABLE", "this runtime cannot run that build", {
      argument: "build",
      expected: supported.join(" | "),
      actual: build
    });
  }
  const threads2 = await threadCount(options.threads);
  if (threads2 > 1) {
    const chosen = build;
    const rt2 = await initThreaded(
      chosen,
      threads2,
      options,
      features,
      (source) => loadModule(chosen, source, MT_FILE[chosen]),
      unsignedResults
    );
    if (rt2) {
      current = rt2;
      return { build, threads: rt2.pool.threads, features };
    }
  }
  let pending2 = runtimes.get(build);
  if (!pending2) {
    const chosen = build;
    pending2 = (async () => {
      const module = await loadModule(chosen, options.wasm);
      const instance = await WebAssembly.instantiate(module, {});
      const kernels = unsignedResults(instance.exports);
      return { build: chosen, kernels, arena: new Arena(kernels.memory, kernels.heapBase()), pool: null };
    })();
    runtimes.set(build, pending2);
    pending2.catch(() => runtimes.delete(chosen));
  }
  current = await pending2;
  return { build, threads: 1, features };
}
function currentRuntime() {
  if (!current) {
    throw new LSTMError("NOT_INITIALIZED", "call `await init()` before creating layers", {
      expected: "init() to have resolved",
      actual: "no runtime loaded"
    });
  }
  return current;
}

// assembly/abi.ts
var PANEL = 8;
var CELL_LSTM = 0;
var FLAG_PEEPHOLE = 1;
var FLAG_CIFG = 2;
var FLAG_HARD_GATES = 4;
var FLAG_CLIP = 8;
var SEQ_CELL = 0;
var SEQ_FLAGS = 4;
var SEQ_T = 8;
var SEQ_B = 12;
var SEQ_K = 16;
var SEQ_H = 20;
var SEQ_REVERSE = 24;
var SEQ_ALPHA = 28;
var SEQ_BETA = 32;
var SEQ_CLIP = 36;
var SEQ_WIH = 40;
var SEQ_WHH = 44;
var SEQ_BIH = 48;
var SEQ_BHH = 52;
var SEQ_PEEP = 56;
var SEQ_X = 60;
var SEQ_LDX = 64;
var SEQ_H0 = 68;
var SEQ_C0 = 72;
var SEQ_Y = 76;
var SEQ_LDY = 80;
var SEQ_CACHE = 84;
var SEQ_SCRATCH = 88;
var SEQ_LENGTHS = 92;
var SEQ_DROP_MASK = 96;
var SEQ_H_MASKED = 100;
var SEQ_HN = 104;
var SEQ_CN = 108;
var SEQ_DY = 112;
var SEQ_DH = 116;
var SEQ_DC = 120;
var SEQ_WORK = 124;
var SEQ_DX = 128;
var SEQ_GWIH = 132;
var SEQ_GWHH = 136;
var SEQ_GBIH = 140;
var SEQ_GBHH = 144;
var SEQ_GPEEP = 148;
var SEQ_GRAD_NORMS = 152;
var SEQ_BYTES = 160;

// src/owned.ts
var Holdings = class {
  arena;
  #ptrs = /* @__PURE__ */ new Set();
  constructor(arena) {
    this.arena = arena;
  }
  alloc(bytes, what) {
    const ptr = this.arena.alloc(bytes, what);
    this.#ptrs.add(ptr);
    return ptr;
  }
  free(ptr) {
    if (this.#ptrs.delete(ptr)) this.arena.free(ptr);
  }
  freeAll() {
    for (const p of this.#ptrs) this.arena.free(p);
    this.#ptrs.clear();
  }
  get blocks() {
    return this.#ptrs.size;
  }
};
var registry = typeof FinalizationRegistry === "function" ? new FinalizationRegistry((h) => h.freeAll()) : { register() {
}, unregister() {
} };
function own(owner, holdings) {
  registry.register(owner, holdings, owner);
}
function release(owner) {
  registry.unregister(owner);
}

// src/random.ts
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = a + 1831565813 >>> 0;
    let t = a;
    t = Math.imul(t ^ t >>> 15, t | 1);
    t ^= t + Math.imul(t ^ t >>> 7, t | 61);
    return ((t ^ t >>> 14) >>> 0) / 4294967296;
  };
}
function uniformArray(rng, n, lo, hi) {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng();
  return out;
}

// src/threads/split.ts
var splitPolicy = {
  /** Least work (matmul FLOPs) worth a thread's share: a fork/join costs about 5–20 µs, and this is
   *  about 10 µs of work. Tests set it to 0 to split the smallest shapes. */
  minWorkPerThread: 2e5,
  /** Least floats per thread for element-wise updates (an update is memory-bound). */
  minFloatsPerThread: 32768,
  /** Batches below this run each sequence's recurrence on one thread (2 row tiles of 4). */
  minBatchToSplit: 8
};
var ROW_TILE = 4;
var PANEL2 = PANEL;
function share(rt2, work, unit) {
  const pool = rt2.pool;
  if (!pool || pool.terminated || pool.threads < 2 || pool.failures.length >= pool.threads - 1) return null;
  const n = Math.min(pool.threads, Math.floor(work / Math.max(unit, 1e-9)));
  return n >= 2 ? { pool, n } : null;
}
function parts(n, count, align) {
  const blocks = Math.ceil(n / align), c = Math.max(1, Math.min(count, blocks)), out = [];
  let b = 0;
  for (let i = 0; i < c; i++) {
    const nb = Math.floor(blocks / c) + (i < blocks % c ? 1 : 0), start = b * align, end = Math.min(n, (b + nb) * align);
    if (end > start) out.push([start, end - start]);
    b += nb;
  }
  return out;
}
var round16 = (floats) => Math.ceil(floats / 16) * 16;
function shapeOf(rt2, d) {
  const cell = d.get(SEQ_CELL), H = d.get(SEQ_H);
  return { cell, K: d.get(SEQ_K), H, N: rt2.kernels.cellColumns(cell, H), U: rt2.kernels.cellUnits(cell, H) };
}
function forwardLayer(rt2, descs, B, T) {
  const k2 = rt2.kernels, { K, H, N: N2 } = shapeOf(rt2, descs[0]), D = descs.length;
  const s = share(rt2, 2 * N2 * (K + H) * B * T * D, splitPolicy.minWorkPerThread);
  if (!s) {
    for (const d of descs) k2.seqForward(d.ptr, 0, B);
    return;
  }
  const { pool, n } = s, per = Math.ceil(n / D);
  for (const d of descs) for (const [r0, nr] of parts(T * B, per, ROW_TILE)) pool.task("seqProjectRows", d.ptr, r0, nr);
  pool.run();
  const rows = B >= splitPolicy.minBatchToSplit ? parts(B, per, ROW_TILE) : [[0, B]];
  if (D === 1 && rows.length === 1) {
    k2.seqForwardSteps(descs[0].ptr, 0, B);
    return;
  }
  for (const d of descs) for (const [b0, nb] of rows) pool.task("seqForwardSteps", d.ptr, b0, nb);
  pool.run();
}
function backwardLayer(rt2, descs, B, T) {
  const k2 = rt2.kernels, { K, H, N: N2, U } = shapeOf(rt2, descs[0]), D = descs.length;
  const s = share(rt2, 4 * N2 * (K + H) * B * T * D, splitPolicy.minWorkPerThread);
  if (!s) {
    for (const d of descs) k2.seqBackward(d.ptr);
    return;
  }
  const { pool, n } = s, per = Math.ceil(n / D), arena = rt2.arena;
  const rows = B >= splitPolicy.minBatchToSplit ? parts(B, per, ROW_TILE) : [[0, B]];
  const cols = parts(N2, per, PANEL2);
  const partial = descs.map((d) => rows.length > 1 && (d.get(SEQ_GPEEP) !== 0 || d.get(SEQ_GRAD_NORMS) !== 0));
  const copies = partial.filter(Boolean).length * rows.length;
  const peepFloats = round16(3 * U), normFloats = round16(T), copyBytes = SEQ_BYTES + 4 * (peepFloats + normFloats);
  const dwFloats = round16(k2.gemmDyTXScratchFloats(N2, Math.max(K, H)));
  const base = pool.scratch(copies * copyBytes + D * cols.length * dwFloats * 4);
  for (const d of descs) {
    pool.task("seqBackwardPackRecurrent", d.ptr);
    pool.task("seqBackwardPackInput", d.ptr);
    for (const [r0, nr] of parts(T * B, per, ROW_TILE)) pool.task("seqBackwardZeroRows", d.ptr, r0, nr);
  }
  pool.run();
  const i32 = arena.i32;
  let at = base;
  const reduce = [];
  descs.forEach((d, i) => {
    for (const [b0, nb] of rows) {
      if (!partial[i]) {
        pool.task("seqBackwardSteps", d.ptr, b0, nb);
        continue;
      }
      const copy = at;
      at += copyBytes;
      i32.copyWithin(copy >>> 2, d.ptr >>> 2, d.ptr + SEQ_BYTES >>> 2);
      const peep = copy + SEQ_BYTES, norms = peep + 4 * peepFloats;
      arena.fill(peep, peepFloats + normFloats);
      if (d.get(SEQ_GPEEP) !== 0) i32[copy + SEQ_GPEEP >>> 2] = peep;
      if (d.get(SEQ_GRAD_NORMS) !== 0) i32[copy + SEQ_GRAD_NORMS >>> 2] = norms;
      reduce.push({ d, copy });
      pool.task("seqBackwardSteps", copy, b0, nb);
    }
  });
  pool.run();
  const f32 = arena.f32;
  for (const { d, copy } of reduce) {
    const gpeep = d.get(SEQ_GPEEP), norms = d.get(SEQ_GRAD_NORMS);
    if (gpeep !== 0) addInto(f32, gpeep, copy + SEQ_BYTES, 3 * U);
    if (norms !== 0) addInto(f32, norms, copy + SEQ_BYTES + 4 * peepFloats, T);
  }
  for (const d of descs) {
    for (const [n0, nn] of cols) {
      pool.task("seqBackwardWeightColumns", d.ptr, n0, n0 + nn, at);
      at += dwFloats * 4;
    }
  }
  if (descs[0].get(SEQ_DX) !== 0) {
    for (let i = 1; i < D; i++) {
      if (descs[i].ptr !== descs[0].ptr + i * SEQ_BYTES)
        throw new Error("direction descriptors must be consecutive");
    }
    for (const [r0, nr] of parts(T * B, n, ROW_TILE)) pool.task("seqBackwardInputRows", descs[0].ptr, D, r0, nr);
  }
  pool.run();
}
function addInto(f32, dst, src, n) {
  const d = dst >>> 2, s = src >>> 2;
  for (let i = 0; i < n; i++) f32[d + i] = f32[d + i] + f32[s + i];
}
function elementwise(rt2, kernel, ptrs, n, ...scalars) {
  const s = share(rt2, n, splitPolicy.minFloatsPerThread);
  if (!s) {
    rt2.kernels[kernel](...ptrs, n, ...scalars);
    return;
  }
  for (const [i0, ni] of parts(n, s.n, ROW_TILE)) {
    s.pool.task(kernel, ...ptrs.map((p) => p === 0 ? 0 : p + i0 * 4), ni, ...scalars);
  }
  s.pool.run();
}
function sumSquares(rt2, g2, n) {
  const s = share(rt2, n, splitPolicy.minFloatsPerThread);
  if (!s) return rt2.kernels.sumSquares(g2, n);
  const ranges = parts(n, s.n, ROW_TILE), out = s.pool.scratch(ranges.length * 8);
  ranges.forEach(([i0, ni], i) => {
    s.pool.task("sumSquaresTo", g2 + i0 * 4, ni, out + i * 8);
  });
  s.pool.run();
  const sums = new Float64Array(rt2.arena.memory.buffer, out, ranges.length);
  let total = 0;
  for (const v of sums) total += v;
  return total;
}

// src/layers/layer.ts
function addPrefix(dict, prefix) {
  if (!prefix) return dict;
  const out = {};
  for (const [k2, t] of Object.entries(dict)) out[`${prefix}${k2}`] = t;
  return out;
}
function selectPrefix(dict, options) {
  if (dict === null || typeof dict !== "object") {
    throw new LSTMError("INVALID_ARGUMENT", "state dict must be an object", {
      argument: "stateDict",
      expected: "Record<string, { shape, data }>",
      actual: describe(dict)
    });
  }
  const prefix = options?.prefix;
  if (prefix === void 0) return dict;
  if (typeof prefix !== "string") {
    throw new LSTMError("INVALID_ARGUMENT", "prefix must be a string", {
      argument: "prefix",
      expected: "a string such as 'rnn.'",
      actual: describe(prefix)
    });
  }
  const out = {};
  for (const [k2, t] of Object.entries(dict)) if (k2.startsWith(prefix)) out[k2.slice(prefix.length)] = t;
  return out;
}

// src/tensor.ts
function shapeSize(shape) {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
function shapeString(shape) {
  return `[${shape.join(", ")}]`;
}

// src/layers/merge.ts
function mergeForward(x2, H, mode) {
  const rows = x2.data.length / (2 * H), out = new Float32Array(rows * H), a = x2.data;
  for (let r = 0; r < rows; r++) {
    for (let u = 0; u < H; u++) {
      const f = a[r * 2 * H + u], b = a[r * 2 * H + H + u];
      out[r * H + u] = mode === "sum" ? f + b : mode === "mul" ? f * b : (f + b) / 2;
    }
  }
  return { data: out, shape: [...x2.shape.slice(0, -1), H] };
}
function mergeBackward(dy, x2, H, mode) {
  const rows = x2.data.length / (2 * H), out = new Float32Array(rows * 2 * H), g2 = dy.data, a = x2.data;
  for (let r = 0; r < rows; r++) {
    for (let u = 0; u < H; u++) {
      const d = g2[r * H + u], i = r * 2 * H + u;
      if (mode === "mul") {
        out[i] = d * a[i + H];
        out[i + H] = d * a[i];
      } else {
        out[i] = out[i + H] = mode === "ave" ? d / 2 : d;
      }
    }
  }
  return { data: out, shape: x2.shape.slice() };
}

// src/layers/recurrent-adapter.ts
var SequentialAdapter = class {
  #layer;
  #merge;
  #carry;
  #carried = null;
  #shape = null;
  #unmerged = null;
  // both directions side by side, for mergeMode 'mul'
  constructor(layer, merge) {
    this.#layer = layer;
    this.#merge = merge;
    this.#carry = layer.stateful;
  }
  forward(x2, ctx) {
    const l2 = this.#layer, shape = x2?.shape;
    if (!Array.isArray(shape) || shape.length !== 3 || shape[2] !== l2.inputSize) {
      throw new LSTMError("SHAPE_MISMATCH", `${l2.kind} input must be [batch, steps, inputSize]`, {
        argument: "x",
        expected: `[batch, steps, ${l2.inputSize}]`,
        actual: Array.isArray(shape) ? shapeString(shape) : describe(x2)
      });
    }
    const [B, T] = shape;
    const carried = this.#carry && this.#carried?.B === B ? this.#carried : null;
    const options = { batch: B, steps: T, training: ctx.training };
    if (ctx.lengths) options.lengths = ctx.lengths;
    if (carried) {
      options.h0 = carried.h;
      if (carried.c) options.c0 = carried.c;
    }
    const { output, h, c } = l2.forward(x2.data, options);
    if (this.#carry) this.#carried = { B, h, c };
    this.#shape = { B, T };
    const D = l2.directions, H = l2.hiddenSize, DH = D * H;
    let out = { data: output, shape: [B, T, DH] };
    if (!l2.returnSequences) {
      const last = new Float32Array(B * DH), top = (l2.numLayers - 1) * D;
      for (let d = 0; d < D; d++) {
        for (let b = 0; b < B; b++)
          last.set(h.subarray(((top + d) * B + b) * H, ((top + d) * B + b + 1) * H), b * DH + d * H);
      }
      out = { data: last, shape: [B, DH] };
    }
    if (D === 1 || this.#merge === "concat") return out;
    this.#unmerged = out;
    return mergeForward(out, H, this.#merge);
  }
  backward(dy) {
    const l2 = this.#layer, s = this.#shape;
    if (!s) return l2.backward(dy?.data);
    const { B, T } = s, D = l2.directions, H = l2.hiddenSize, DH = D * H, S = l2.numLayers * D;
    const g2 = D === 2 && this.#merge !== "concat" ? mergeBackward(dy, this.#unmerged, H, this.#merge) : dy;
    let result;
    if (l2.returnSequences) result = l2.backward(g2?.data);
    else {
      checkFloat32("dy", g2?.data, B * DH, `[batch=${B}, hidden\xB7directions=${DH}]`);
      const dh = new Float32Array(S * B * H), top = (l2.numLayers - 1) * D;
      for (let d = 0; d < D; d++) {
        for (let b = 0; b < B; b++)
          dh.set(g2.data.subarray(b * DH + d * H, b * DH + d * H + H), ((top + d) * B + b) * H);
      }
      result = l2.backward(new Float32Array(B * T * DH), { dh });
    }
    return { data: result.dx, shape: [B, T, l2.inputSize] };
  }
  /** Forget the carried state. */
  reset() {
    this.#carried = null;
  }
  /** Truncated BPTT: carry state between windows (a stateful layer always does). */
  setCarry(on) {
    this.#carry = on || this.#layer.stateful;
    this.#carried = null;
  }
};

// src/layers/recurrent-config.ts
var MAX_FEATURES = 1 << 24;
var MAX_HIDDEN = 1 << 16;
var MAX_LAYERS = 1024;
var MERGE_MODES = ["concat", "sum", "mul", "ave"];
function bool(argument, value, fallback) {
  if (value === void 0) return fallback;
  if (typeof value !== "boolean") {
    throw new LSTMError("INVALID_ARGUMENT", "must be a boolean", {
      argument,
      expected: "true or false",
      actual: describe(value)
    });
  }
  return value;
}
function finite(argument, value, expected) {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new LSTMError("INVALID_ARGUMENT", "must be a finite number", { argument, expected, actual: describe(value) });
  }
  return value;
}
function hardGates(spec, value) {
  if (value === void 0 || value === "sigmoid") return null;
  if (!spec.hasGates) {
    throw new LSTMError("INVALID_ARGUMENT", `${spec.kind} has no gates`, {
      argument: "recurrentActivation",
      expected: "an LSTM or GRU",
      actual: spec.kind
    });
  }
  if (value === "hardSigmoid") return { alpha: 0.2, beta: 0.5 };
  const v = value;
  if (v !== null && typeof v === "object" && v.name === "hardSigmoid") {
    return {
      alpha: finite("recurrentActivation.alpha", v.alpha, "a number such as 0.2"),
      beta: finite("recurrentActivation.beta", v.beta, "a number such as 0.5")
    };
  }
  throw new LSTMError("INVALID_ARGUMENT", "unknown recurrent activation", {
    argument: "recurrentActivation",
    expected: "'sigmoid' | 'hardSigmoid' | { name: 'hardSigmoid', alpha, beta }",
    actual: describe(value)
  });
}
function recurrentConfig(options, spec) {
  if (options === null || typeof options !== "object") {
    throw new LSTMError("INVALID_ARGUMENT", `${spec.kind} options must be an object`, {
      argument: "options",
      expected: "{ inputSize, hiddenSize, \u2026 }",
      actual: describe(options)
    });
  }
  const bidirectional = bool("bidirectional", options.bidirectional, false);
  const seed = options.seed === void 0 ? 1 : options.seed;
  if (typeof seed !== "number" || !Number.isInteger(seed)) {
    throw new LSTMError("INVALID_ARGUMENT", "must be an integer", {
      argument: "seed",
      expected: "an integer",
      actual: describe(seed)
    });
  }
  const rd = options.recurrentDropout ?? 0;
  if (typeof rd !== "number" || !(rd >= 0 && rd < 1)) {
    throw new LSTMError("INVALID_ARGUMENT", "must be in [0, 1)", {
      argument: "recurrentDropout",
      expected: "a rate in [0, 1)",
      actual: describe(rd)
    });
  }
  let forgetBias;
  if (options.forgetBias !== void 0) {
    if (spec.forgetGate < 0) {
      throw new LSTMError("INVALID_ARGUMENT", `${spec.kind} has no forget gate`, {
        argument: "forgetBias",
        expected: "an LSTM",
        actual: spec.kind
      });
    }
    forgetBias = finite("forgetBias", options.forgetBias, "a number such as 1");
  }
  const goBackwards = bool("goBackwards", options.goBackwards, false);
  if (goBackwards && bidirectional) {
    throw new LSTMError("INVALID_ARGUMENT", "a bidirectional layer already runs both ways", {
      argument: "goBackwards",
      expected: "false for a bidirectional layer",
      actual: "true"
    });
  }
  let cellClip;
  if (options.cellClip !== void 0) {
    cellClip = finite("cellClip", options.cellClip, "a number > 0");
    if (!(cellClip > 0)) {
      throw new LSTMError("INVALID_ARGUMENT", "must be > 0", {
        argument: "cellClip",
        expected: "a number > 0",
        actual: describe(cellClip)
      });
    }
  }
  const mergeMode = options.mergeMode ?? "concat";
  if (!MERGE_MODES.includes(mergeMode)) {
    throw new LSTMError("INVALID_ARGUMENT", "unknown merge mode", {
      argument: "mergeMode",
      expected: MERGE_MODES.map((m) => `'${m}'`).join(" | "),
      actual: describe(mergeMode)
    });
  }
  const hard = hardGates(spec, options.recurrentActivation);
  return {
    inputSize: checkSize("inputSize", options.inputSize, MAX_FEATURES),
    hiddenSize: checkSize("hiddenSize", options.hiddenSize, MAX_HIDDEN),
    numLayers: checkSize("numLayers", options.numLayers === void 0 ? 1 : options.numLayers, MAX_LAYERS),
    bidirectional,
    directions: bidirectional ? 2 : 1,
    seed,
    returnSequences: bool("returnSequences", options.returnSequences, false),
    forgetBias,
    stateful: bool("stateful", options.stateful, false),
    recurrentDropout: rd,
    hardGates: hard,
    goBackwards,
    cellClip,
    mergeMode,
    flags: spec.flags | (hard ? FLAG_HARD_GATES : 0) | (cellClip !== void 0 ? FLAG_CLIP : 0)
  };
}
function configOptions(c) {
  return {
    inputSize: c.inputSize,
    hiddenSize: c.hiddenSize,
    numLayers: c.numLayers,
    bidirectional: c.bidirectional,
    seed: c.seed,
    returnSequences: c.returnSequences,
    stateful: c.stateful,
    recurrentDropout: c.recurrentDropout,
    ...c.forgetBias !== void 0 ? { forgetBias: c.forgetBias } : {},
    ...c.hardGates ? { recurrentActivation: { name: "hardSigmoid", ...c.hardGates } } : {},
    ...c.goBackwards ? { goBackwards: true } : {},
    ...c.cellClip !== void 0 ? { cellClip: c.cellClip } : {},
    ...c.mergeMode !== "concat" ? { mergeMode: c.mergeMode } : {}
  };
}

// src/layers/recurrent-checks.ts
var MAX_ROWS = 2 ** 30;
function checkLengths(lengths, B, T) {
  if (!lengths || typeof lengths !== "object" || lengths.length !== B) {
    throw new LSTMError("SHAPE_MISMATCH", "one length per sequence", {
      argument: "lengths",
      expected: `${B} integers in [0, ${T}]`,
      actual: describe(lengths)
    });
  }
  const out = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const v = lengths[b];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > T) {
      throw new LSTMError("INVALID_ARGUMENT", "length out of range", {
        argument: `lengths[${b}]`,
        expected: `an integer in [0, ${T}]`,
        actual: describe(v)
      });
    }
    out[b] = v;
  }
  return out;
}
function checkState(name, spec, value, length, shape, cell) {
  if (value === void 0) return;
  if (cell && !spec.hasCell) {
    throw new LSTMError("INVALID_ARGUMENT", `${spec.kind} has no cell state`, {
      argument: name,
      expected: `no ${name}`,
      actual: describe(value)
    });
  }
  checkFloat32(name, value, length, shape);
}
function checkForwardArgs(c, spec, x2, options) {
  const I = c.inputSize, H = c.hiddenSize, S = c.numLayers * c.directions;
  if (!(x2 instanceof Float32Array)) {
    throw new LSTMError("INVALID_ARGUMENT", "must be a Float32Array", {
      argument: "x",
      expected: `Float32Array [batch, steps, ${I}]`,
      actual: describe(x2)
    });
  }
  if (options === null || typeof options !== "object") {
    throw new LSTMError("INVALID_ARGUMENT", "forward options must be an object", {
      argument: "options",
      expected: "{ batch, steps, h0?, c0? }",
      actual: describe(options)
    });
  }
  const B = checkSize("batch", options.batch ?? 1, MAX_ROWS);
  let T;
  if (options.steps !== void 0) T = checkSize("steps", options.steps, MAX_ROWS);
  else {
    const per = B * I;
    if (x2.length === 0 || x2.length % per !== 0) {
      throw new LSTMError("SHAPE_MISMATCH", "x length is not a whole number of steps", {
        argument: "x",
        expected: `a multiple of batch\xB7inputSize = ${per}`,
        actual: `length ${x2.length}`
      });
    }
    T = x2.length / per;
  }
  checkFloat32("x", x2, B * T * I, `[batch=${B}, steps=${T}, inputSize=${I}]`);
  const shape = `[numLayers\xB7directions=${S}, batch=${B}, hidden=${H}]`;
  checkState("h0", spec, options.h0, S * B * H, shape, false);
  checkState("c0", spec, options.c0, S * B * H, shape, true);
  return { B, T, lengths: options.lengths === void 0 ? null : checkLengths(options.lengths, B, T) };
}
function checkBackwardArgs(c, spec, dOutput, options, B, T) {
  const H = c.hiddenSize, S = c.numLayers * c.directions, DH = c.directions * H;
  checkFloat32(
    "dOutput",
    dOutput,
    B * T * DH,
    `[batch=${B}, steps=${T}, hidden\xB7directions=${DH}] (the last forward's output shape)`
  );
  if (options === null || typeof options !== "object") {
    throw new LSTMError("INVALID_ARGUMENT", "backward options must be an object", {
      argument: "options",
      expected: "{ dh?, dc? }",
      actual: describe(options)
    });
  }
  const shape = `[numLayers\xB7directions=${S}, batch=${B}, hidden=${H}]`;
  checkState("dh", spec, options.dh, S * B * H, shape, false);
  checkState("dc", spec, options.dc, S * B * H, shape, true);
}

// src/io/torch.ts
function packRows(src, K, cols, dst, at) {
  for (let r = 0; r < cols.length; r++) {
    const p = cols[r];
    const base = at + Math.floor(p / PANEL) * K * PANEL + p % PANEL;
    const row = r * K;
    for (let k2 = 0; k2 < K; k2++) dst[base + k2 * PANEL] = src[row + k2];
  }
}
function unpackRows(src, at, K, cols) {
  const out = new Float32Array(cols.length * K);
  for (let r = 0; r < cols.length; r++) {
    const p = cols[r];
    const base = at + Math.floor(p / PANEL) * K * PANEL + p % PANEL;
    const row = r * K;
    for (let k2 = 0; k2 < K; k2++) out[row + k2] = src[base + k2 * PANEL];
  }
  return out;
}
function packVector(src, cols, dst, at) {
  for (let r = 0; r < cols.length; r++) dst[at + cols[r]] = src[r];
}
function unpackVector(src, at, cols) {
  const out = new Float32Array(cols.length);
  for (let r = 0; r < cols.length; r++) out[r] = src[at + cols[r]];
  return out;
}
function recurrentParamNames(layer, reverse) {
  const s = `_l${layer}${reverse ? "_reverse" : ""}`;
  return [`weight_ih${s}`, `weight_hh${s}`, `bias_ih${s}`, `bias_hh${s}`];
}

// src/layers/recurrent-params.ts
var RecurrentParams = class {
  slots = [];
  /** floats of the packed block */
  floats;
  /** projection columns and units after padding (assembly/cells.ts) */
  N;
  U;
  shapes = [];
  #H;
  /** the kernel column of each stored gate row, [G·H] (the kernel's cellGateColumn) */
  #cols;
  #spec;
  constructor(c, spec, kernels) {
    const H = c.hiddenSize, G = spec.storedGates.length;
    this.#H = H;
    this.#spec = spec;
    this.N = kernels.cellColumns(spec.cell, H);
    this.U = kernels.cellUnits(spec.cell, H);
    this.#cols = new Int32Array(G * H);
    spec.storedGates.forEach((slot, j) => {
      for (let u = 0; u < H; u++) this.#cols[j * H + u] = kernels.cellGateColumn(spec.cell, slot, u, H);
    });
    let at = 0;
    for (let layer = 0; layer < c.numLayers; layer++) {
      const K = layer === 0 ? c.inputSize : H * c.directions;
      for (let dir = 0; dir < c.directions; dir++) {
        const slot = { layer, dir, K, wih: at, whh: 0, bih: 0, bhh: 0, peep: -1 };
        at += this.N * K;
        slot.whh = at;
        at += this.N * H;
        slot.bih = at;
        at += this.N;
        slot.bhh = at;
        at += this.N;
        if (spec.peephole) {
          slot.peep = at;
          at += 3 * this.U;
        }
        this.slots.push(slot);
        const names = recurrentParamNames(layer, dir === 1);
        const shapes = [[G * H, K], [G * H, H], [G * H], [G * H]];
        for (let part = 0; part < 4; part++) this.shapes.push({ name: names[part], shape: shapes[part], slot, part });
        if (spec.peephole) {
          this.shapes.push({
            name: `weight_peephole_l${layer}${dir === 1 ? "_reverse" : ""}`,
            shape: [3 * H],
            slot,
            part: 4
          });
        }
      }
    }
    this.floats = at;
  }
  /** PyTorch's reset_parameters: every parameter U(−1/√H, 1/√H), in state_dict order; forgetBias
   *  (Keras' unit_forget_bias) sets bias_ih's forget rows to it and bias_hh's to 0. */
  initial(seed, forgetBias) {
    const rng = mulberry32(seed), H = this.#H, bound = 1 / Math.sqrt(H), out = {};
    for (const p of this.shapes)
      out[p.name] = { shape: p.shape.slice(), data: uniformArray(rng, shapeSize(p.shape), -bound, bound) };
    if (forgetBias !== void 0) {
      const f = this.#spec.forgetGate;
      for (const p of this.shapes) {
        if (p.part === 2) out[p.name].data.fill(forgetBias, f * H, (f + 1) * H);
        if (p.part === 3) out[p.name].data.fill(0, f * H, (f + 1) * H);
      }
    }
    return out;
  }
  /** A complete, well-formed state dict for these parameters, or a typed error (nothing written). */
  check(dict) {
    const names = new Set(this.shapes.map((p) => p.name));
    for (const name of Object.keys(dict)) {
      if (!names.has(name)) {
        throw new LSTMError("STATE_DICT_UNEXPECTED", "tensor not in this layer", {
          argument: name,
          expected: `one of ${[...names].join(", ")}`,
          actual: name
        });
      }
    }
    const checked = {};
    for (const p of this.shapes) checked[p.name] = checkTensor(p.name, dict[p.name], p.shape);
    return checked;
  }
  /** Write a checked state dict into the block at byte offset `block`. */
  write(arena, dict, block) {
    const f32 = arena.f32, base = block >>> 2, H = this.#H, U = this.U, cols = this.#cols;
    for (const p of this.shapes) {
      const data = dict[p.name].data, s = p.slot;
      if (p.part === 0) packRows(data, s.K, cols, f32, base + s.wih);
      else if (p.part === 1) packRows(data, H, cols, f32, base + s.whh);
      else if (p.part === 2) packVector(data, cols, f32, base + s.bih);
      else if (p.part === 3) packVector(data, cols, f32, base + s.bhh);
      else for (let q = 0; q < 3; q++) for (let u = 0; u < H; u++) f32[base + s.peep + q * U + u] = data[q * H + u];
    }
  }
  /** The block at byte offset `block` as a PyTorch state dict (fresh arrays). */
  read(arena, block) {
    const f32 = arena.f32, base = block >>> 2, H = this.#H, U = this.U, cols = this.#cols, out = {};
    for (const p of this.shapes) {
      const s = p.slot;
      let data;
      if (p.part === 0) data = unpackRows(f32, base + s.wih, s.K, cols);
      else if (p.part === 1) data = unpackRows(f32, base + s.whh, H, cols);
      else if (p.part === 2) data = unpackVector(f32, base + s.bih, cols);
      else if (p.part === 3) data = unpackVector(f32, base + s.bhh, cols);
      else {
        data = new Float32Array(3 * H);
        for (let q = 0; q < 3; q++) for (let u = 0; u < H; u++) data[q * H + u] = f32[base + s.peep + q * U + u];
      }
      out[p.name] = { shape: p.shape.slice(), data };
    }
    return out;
  }
  /** Number of trainable parameters (PyTorch's count, without padding). */
  get count() {
    return this.shapes.reduce((n, p) => n + shapeSize(p.shape), 0);
  }
};
function checkTensor(name, t, shape) {
  if (t === void 0) {
    throw new LSTMError("STATE_DICT_MISSING", "tensor missing from state dict", {
      argument: name,
      expected: `a tensor of shape ${shapeString(shape)}`,
      actual: "nothing"
    });
  }
  const given = t?.shape, data = t?.data;
  if (!Array.isArray(given) || given.length !== shape.length || given.some((d, i) => d !== shape[i])) {
    throw new LSTMError("STATE_DICT_SHAPE", "wrong shape", {
      argument: name,
      expected: shapeString(shape),
      actual: Array.isArray(given) ? `[${given.map((d) => describe(d)).join(", ")}]` : describe(given)
    });
  }
  const n = shapeSize(shape);
  const typed = ArrayBuffer.isView(data) && !(data instanceof DataView) && !(data instanceof BigInt64Array) && !(data instanceof BigUint64Array);
  const numeric = typed || Array.isArray(data) && data.every((v) => typeof v === "number" && Number.isFinite(v));
  if (!numeric) {
    throw new LSTMError("STATE_DICT_SHAPE", "data must be numbers", {
      argument: name,
      expected: "a Float32Array (or another numeric typed array, or an array of finite numbers)",
      actual: describe(data)
    });
  }
  const length = data.length;
  if (length !== n) {
    throw new LSTMError("STATE_DICT_SHAPE", "data length does not match the shape", {
      argument: name,
      expected: `${n} numbers for ${shapeString(shape)}`,
      actual: `${length}`
    });
  }
  return { shape: shape.slice(), data };
}

// src/kernel/descriptor.ts
var Descriptor = class {
  ptr;
  #arena;
  constructor(arena, ptr) {
    this.#arena = arena;
    this.ptr = ptr;
  }
  /** An integer field, or a pointer (stored as its u32 bit pattern: offsets past 2 GiB survive). */
  set(field, value) {
    this.#arena.i32[this.ptr + field >>> 2] = value;
    return this;
  }
  setF32(field, value) {
    this.#arena.f32[this.ptr + field >>> 2] = value;
    return this;
  }
  get(field) {
    return this.#arena.i32[this.ptr + field >>> 2] >>> 0;
  }
};

// src/layers/recurrent-workspace.ts
var roundFloats = (n) => Math.ceil(n / 16) * 16;
function layout(sizes, what) {
  const offsets = [];
  let at = 0;
  for (const n of sizes) {
    offsets.push(at * 4);
    at += roundFloats(n);
  }
  if (at * 4 > MAX_MEMORY_BYTES) {
    throw new LSTMError("OUT_OF_MEMORY", `the ${what} would not fit in wasm memory`, {
      argument: "batch\xB7steps",
      expected: `at most ${MAX_MEMORY_BYTES} bytes`,
      actual: `${at * 4} bytes`
    });
  }
  return { offsets, bytes: at * 4 };
}
var Workspace = class {
  B;
  T;
  ptr;
  /** [B, T, max(I, D·H)] the caller's order (x in, output / dx out) */
  xBF;
  /** [T, B, I] */
  x0;
  /** per layer [T, B, D·H] */
  y;
  /** per slot */
  desc;
  h0;
  // [S, B, H]
  c0;
  // [S, B, U]
  hN;
  // [S, B, H]
  cN;
  // [S, B, H]
  lengths;
  // i32 [B]
  dropMask;
  // per slot [B, H] (layers with recurrent dropout)
  hMasked;
  // per slot [T, B, H]
  /** Step scratch and backward workspaces: one per direction on a threaded runtime, else one. */
  lanes;
  back = 0;
  dA = 0;
  // [T, B, max(I, D·H)] ∂ ping-pong
  dB = 0;
  dh = 0;
  // [S, B, H]
  dc = 0;
  // [S, B, U]
  norms = 0;
  // [T]
  constructor(c, spec, p, params, rt2, holdings, B, T) {
    const I = c.inputSize, H = c.hiddenSize, D = c.directions, L = c.numLayers, S = L * D, DH = D * H, U = p.U, TB = T * B;
    if (TB * Math.max(p.N, 4 * U) * 3 > 2 ** 30) {
      throw new LSTMError("OUT_OF_MEMORY", "the activation cache would not fit in wasm memory", {
        argument: "batch\xB7steps",
        expected: `batch\xB7steps\xB7${3 * Math.max(p.N, 4 * U)} at most 2^30 floats`,
        actual: `batch=${B}, steps=${T}`
      });
    }
    const k2 = rt2.kernels;
    const drop = c.recurrentDropout > 0;
    const lanes = rt2.pool ? D : 1;
    this.lanes = lanes;
    const sizes = [TB * Math.max(I, DH), TB * I, S * B * H, S * B * U, S * B * H, S * B * H, B];
    for (let l2 = 0; l2 < L; l2++) sizes.push(TB * DH);
    for (let s = 0; s < S; s++) sizes.push(k2.seqCacheFloats(spec.cell, T, B, H));
    for (let i2 = 0; i2 < lanes; i2++) sizes.push(k2.seqScratchFloats(spec.cell, B, H));
    sizes.push(S * SEQ_BYTES / 4);
    if (drop) for (let s = 0; s < S; s++) sizes.push(B * H, TB * H);
    const { offsets, bytes } = layout(sizes, `activation cache for batch=${B}, steps=${T}`);
    const ptr = holdings.alloc(bytes, `activation cache for batch=${B}, steps=${T}`);
    const at = (i2) => ptr + offsets[i2];
    this.B = B;
    this.T = T;
    this.ptr = ptr;
    this.xBF = at(0);
    this.x0 = at(1);
    this.h0 = at(2);
    this.c0 = at(3);
    this.hN = at(4);
    this.cN = at(5);
    this.lengths = at(6);
    let i = 7;
    this.y = Array.from({ length: L }, () => at(i++));
    const caches = Array.from({ length: S }, () => at(i++));
    const scratch = Array.from({ length: lanes }, () => at(i++)), descs = at(i++);
    this.dropMask = [];
    this.hMasked = [];
    if (drop) {
      for (let s = 0; s < S; s++) {
        this.dropMask.push(at(i++));
        this.hMasked.push(at(i++));
      }
    }
    this.desc = p.slots.map((slot, s) => {
      const d = new Descriptor(rt2.arena, descs + s * SEQ_BYTES);
      const reverse = slot.dir === 1 !== c.goBackwards;
      d.set(SEQ_CELL, spec.cell).set(SEQ_FLAGS, c.flags).set(SEQ_T, T).set(SEQ_B, B);
      d.set(SEQ_K, slot.K).set(SEQ_H, H).set(SEQ_REVERSE, reverse ? 1 : 0);
      d.setF32(SEQ_ALPHA, c.hardGates?.alpha ?? 0).setF32(SEQ_BETA, c.hardGates?.beta ?? 0);
      d.setF32(SEQ_CLIP, c.cellClip ?? 0);
      d.set(SEQ_WIH, params + slot.wih * 4).set(SEQ_WHH, params + slot.whh * 4);
      d.set(SEQ_BIH, params + slot.bih * 4).set(SEQ_BHH, params + slot.bhh * 4);
      d.set(SEQ_PEEP, slot.peep >= 0 ? params + slot.peep * 4 : 0);
      d.set(SEQ_X, slot.layer === 0 ? this.x0 : this.y[slot.layer - 1]).set(SEQ_LDX, slot.K);
      d.set(SEQ_H0, this.h0 + s * B * H * 4).set(SEQ_C0, this.c0 + s * B * U * 4);
      d.set(SEQ_Y, this.y[slot.layer] + slot.dir * H * 4).set(SEQ_LDY, DH);
      d.set(SEQ_CACHE, caches[s]).set(SEQ_SCRATCH, scratch[slot.dir % lanes]);
      d.set(SEQ_HN, this.hN + s * B * H * 4).set(SEQ_CN, spec.hasCell ? this.cN + s * B * H * 4 : 0);
      return d;
    });
  }
  /** The backward workspace, allocated on the first backward of this shape. */
  ensureBackward(c, spec, p, grads, rt2, holdings) {
    if (this.back) return;
    const I = c.inputSize, H = c.hiddenSize, D = c.directions, S = c.numLayers * D, DH = D * H, U = p.U;
    const B = this.B, T = this.T, TB = T * B, maxK = Math.max(I, DH);
    const work = rt2.kernels.seqWorkFloats(spec.cell, T, B, maxK, H);
    const sizes = [TB * maxK, TB * maxK, S * B * H, S * B * U, T];
    for (let i = 0; i < this.lanes; i++) sizes.push(work);
    const { offsets, bytes } = layout(sizes, `gradient workspace for batch=${B}, steps=${T}`);
    const ptr = holdings.alloc(bytes, `gradient workspace for batch=${B}, steps=${T}`);
    const at = (i) => ptr + offsets[i];
    this.back = ptr;
    this.dA = at(0);
    this.dB = at(1);
    this.dh = at(2);
    this.dc = at(3);
    this.norms = at(4);
    p.slots.forEach((slot, s) => {
      const d = this.desc[s];
      d.set(SEQ_DH, this.dh + s * B * H * 4).set(SEQ_DC, this.dc + s * B * U * 4).set(SEQ_WORK, at(5 + slot.dir % this.lanes));
      d.set(SEQ_GWIH, grads + slot.wih * 4).set(SEQ_GWHH, grads + slot.whh * 4);
      d.set(SEQ_GBIH, grads + slot.bih * 4).set(SEQ_GBHH, grads + slot.bhh * 4);
      d.set(SEQ_GPEEP, slot.peep >= 0 ? grads + slot.peep * 4 : 0);
    });
  }
  release(holdings) {
    holdings.free(this.ptr);
    if (this.back) holdings.free(this.back);
  }
};

// src/layers/recurrent-stream.ts
var StreamState = class {
  batch;
  output;
  ptr;
  #rt;
  #holdings;
  #L;
  #I;
  #H;
  #U;
  #hasCell;
  #desc;
  #x;
  #h;
  #c;
  #onDispose;
  #disposed = false;
  #xView = null;
  #hView = null;
  constructor(c, spec, p, params, rt2, holdings, B, onDispose) {
    const L = c.numLayers, I = c.inputSize, H = c.hiddenSize, U = p.U, k2 = rt2.kernels;
    this.#rt = rt2;
    this.#holdings = holdings;
    this.#onDispose = onDispose;
    this.batch = B;
    this.#L = L;
    this.#I = I;
    this.#H = H;
    this.#U = U;
    this.#hasCell = spec.hasCell;
    const cacheFloats = roundFloats(k2.seqCacheFloats(spec.cell, 1, B, H));
    const floats = [L * SEQ_BYTES / 4, B * I, L * B * H, L * B * U, k2.seqScratchFloats(spec.cell, B, H)].map(
      roundFloats
    );
    const total = floats.reduce((a, b) => a + b, 0) + L * cacheFloats;
    this.ptr = holdings.alloc(total * 4, `stream state for batch=${B}`);
    let at = this.ptr;
    const next = (n) => {
      const q = at;
      at += n * 4;
      return q;
    };
    this.#desc = next(floats[0]);
    this.#x = next(floats[1]);
    this.#h = next(floats[2]);
    this.#c = next(floats[3]);
    const scratch = next(floats[4]);
    this.output = new Float32Array(B * H);
    for (let l2 = 0; l2 < L; l2++) {
      const s = p.slots[l2], d = new Descriptor(rt2.arena, this.#desc + l2 * SEQ_BYTES);
      d.set(SEQ_CELL, spec.cell).set(SEQ_FLAGS, c.flags).set(SEQ_T, 1).set(SEQ_B, B);
      d.set(SEQ_K, s.K).set(SEQ_H, H).set(SEQ_REVERSE, 0);
      d.setF32(SEQ_ALPHA, c.hardGates?.alpha ?? 0).setF32(SEQ_BETA, c.hardGates?.beta ?? 0);
      d.setF32(SEQ_CLIP, c.cellClip ?? 0);
      d.set(SEQ_WIH, params + s.wih * 4).set(SEQ_WHH, params + s.whh * 4);
      d.set(SEQ_BIH, params + s.bih * 4).set(SEQ_BHH, params + s.bhh * 4);
      d.set(SEQ_PEEP, s.peep >= 0 ? params + s.peep * 4 : 0);
      d.set(SEQ_X, l2 === 0 ? this.#x : this.#h + (l2 - 1) * B * H * 4).set(SEQ_LDX, s.K);
      d.set(SEQ_H0, this.#h + l2 * B * H * 4).set(SEQ_C0, this.#c + l2 * B * U * 4);
      d.set(SEQ_CACHE, next(cacheFloats)).set(SEQ_SCRATCH, scratch);
    }
  }
  step(xt) {
    this.#live();
    const B = this.batch, I = this.#I, H = this.#H;
    checkFloat32("xt", xt, B * I, `[batch=${B}, inputSize=${I}]`);
    const buffer = this.#rt.arena.memory.buffer;
    if (!this.#xView || this.#xView.buffer !== buffer) {
      this.#xView = this.#rt.arena.view(this.#x, B * I);
      this.#hView = this.#rt.arena.view(this.#h + (this.#L - 1) * B * H * 4, B * H);
    }
    this.#xView.set(xt);
    this.#rt.kernels.seqStep(this.#desc, this.#L);
    this.output.set(this.#hView);
    return this.output;
  }
  get h() {
    this.#live();
    return this.#rt.arena.read(this.#h, this.#L * this.batch * this.#H);
  }
  get c() {
    this.#live();
    if (!this.#hasCell) return new Float32Array(0);
    const H = this.#H, U = this.#U, rows = this.#L * this.batch, out = new Float32Array(rows * H);
    for (let r = 0; r < rows; r++) out.set(this.#rt.arena.view(this.#c + r * U * 4, H), r * H);
    return out;
  }
  reset(h0, c0) {
    this.#live();
    const B = this.batch, H = this.#H, U = this.#U, L = this.#L, arena = this.#rt.arena;
    const shape = `[numLayers=${L}, batch=${B}, hidden=${H}]`;
    if (h0 !== void 0) checkFloat32("h0", h0, L * B * H, shape);
    if (c0 !== void 0) {
      if (!this.#hasCell) {
        throw new LSTMError("INVALID_ARGUMENT", "this cell has no cell state", {
          argument: "c0",
          expected: "no c0",
          actual: "c0"
        });
      }
      checkFloat32("c0", c0, L * B * H, shape);
    }
    if (h0) arena.write(this.#h, h0);
    else arena.fill(this.#h, L * B * H);
    arena.fill(this.#c, L * B * U);
    if (c0) for (let r = 0; r < L * B; r++) arena.write(this.#c + r * U * 4, c0.subarray(r * H, r * H + H));
    this.output.set(arena.view(this.#h + (L - 1) * B * H * 4, B * H));
  }
  get disposed() {
    return this.#disposed;
  }
  dispose() {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#holdings.free(this.ptr);
    this.#onDispose(this);
  }
  /** The layer was disposed (and freed everything). */
  markDisposed() {
    this.#disposed = true;
  }
  #live() {
    if (this.#disposed) {
      throw new LSTMError("DISPOSED", "this state (or its layer) was disposed", {
        argument: "state",
        expected: "a live state",
        actual: "disposed"
      });
    }
  }
};

// src/layers/recurrent.ts
var Recurrent = class {
  #spec;
  #config;
  #rt;
  #holdings;
  #p;
  #params;
  // byte offset of the packed parameter block
  #grads;
  // same layout, gradients
  #dropRng;
  #states = /* @__PURE__ */ new Set();
  #ws = null;
  #hasForward = false;
  #disposed = false;
  #adapter;
  #gradNorms = null;
  constructor(options, spec) {
    this.#spec = spec;
    const c = recurrentConfig(options, spec);
    this.#config = c;
    this.#rt = currentRuntime();
    this.#dropRng = mulberry32((c.seed ^ 1540483477) >>> 0);
    this.#adapter = new SequentialAdapter(this, c.mergeMode);
    this.#p = new RecurrentParams(c, spec, this.#rt.kernels);
    this.#holdings = new Holdings(this.#rt.arena);
    try {
      this.#params = this.#holdings.alloc(this.#p.floats * 4, "parameters");
      this.#grads = this.#holdings.alloc(this.#p.floats * 4, "gradients");
    } catch (e) {
      this.#holdings.freeAll();
      throw e;
    }
    own(this, this.#holdings);
    this.#p.write(this.#rt.arena, this.#p.initial(c.seed, c.forgetBias), this.#params);
  }
  get inputSize() {
    return this.#config.inputSize;
  }
  get hiddenSize() {
    return this.#config.hiddenSize;
  }
  get numLayers() {
    return this.#config.numLayers;
  }
  get bidirectional() {
    return this.#config.bidirectional;
  }
  get directions() {
    return this.#config.directions;
  }
  get returnSequences() {
    return this.#config.returnSequences;
  }
  get stateful() {
    return this.#config.stateful;
  }
  get recurrentDropout() {
    return this.#config.recurrentDropout;
  }
  get goBackwards() {
    return this.#config.goBackwards;
  }
  get mergeMode() {
    return this.#config.mergeMode;
  }
  /** Number of trainable parameters (PyTorch's count, without padding). */
  get parameterCount() {
    return this.#p.count;
  }
  get disposed() {
    return this.#disposed;
  }
  config() {
    return configOptions(this.#config);
  }
  // ---- parameters ----
  /** The parameters in PyTorch's names, shapes and gate order (fresh copies). */
  stateDict(options) {
    this.#live();
    return addPrefix(this.#p.read(this.#rt.arena, this.#params), options?.prefix);
  }
  /** The accumulated gradients, same names and shapes as stateDict(). */
  gradients() {
    this.#live();
    return this.#p.read(this.#rt.arena, this.#grads);
  }
  /** Load PyTorch-layout parameters. Validates everything before changing anything. */
  loadStateDict(dict, options) {
    this.#live();
    this.#p.write(this.#rt.arena, this.#p.check(selectPrefix(dict, options)), this.#params);
  }
  zeroGrad() {
    this.#live();
    this.#rt.arena.fill(this.#grads, this.#p.floats);
  }
  /** @internal The packed parameter and gradient blocks, for optimizers. */
  _blocks() {
    this.#live();
    return { runtime: this.#rt, params: this.#params, grads: this.#grads, floats: this.#p.floats };
  }
  // ---- sequence forward / backward ----
  forward(x2, options = {}) {
    this.#live();
    const c = this.#config, I = c.inputSize, H = c.hiddenSize, D = c.directions, L = c.numLayers;
    const S = L * D, DH = D * H;
    const { B, T, lengths } = checkForwardArgs(c, this.#spec, x2, options);
    const ws = this.#workspace(B, T);
    const k2 = this.#rt.kernels, arena = this.#rt.arena;
    arena.write(ws.xBF, x2);
    k2.transpose3(ws.xBF, B, T, I, ws.x0);
    if (options.h0) arena.write(ws.h0, options.h0);
    else arena.fill(ws.h0, S * B * H);
    this.#stagePadded(options.c0, ws.c0, S * B);
    if (lengths) arena.i32.set(lengths, ws.lengths >>> 2);
    const dropped = options.training === true && c.recurrentDropout > 0;
    if (dropped) {
      const keep = 1 / (1 - c.recurrentDropout), f32 = arena.f32;
      for (const m of ws.dropMask)
        for (let i = m >>> 2, e = i + B * H; i < e; i++) f32[i] = this.#dropRng() < c.recurrentDropout ? 0 : keep;
    }
    ws.desc.forEach((d, s) => {
      d.set(SEQ_LENGTHS, lengths ? ws.lengths : 0);
      d.set(SEQ_DROP_MASK, dropped ? ws.dropMask[s] : 0).set(SEQ_H_MASKED, dropped ? ws.hMasked[s] : 0);
    });
    for (let layer = 0; layer < L; layer++) forwardLayer(this.#rt, ws.desc.slice(layer * D, layer * D + D), B, T);
    this.#hasForward = true;
    k2.transpose3(ws.y[L - 1], T, B, DH, ws.xBF);
    const output = arena.read(ws.xBF, B * T * DH), h = arena.read(ws.hN, S * B * H);
    return this.#spec.hasCell ? { output, h, c: arena.read(ws.cN, S * B * H) } : { output, h };
  }
  backward(dOutput, options = {}) {
    this.#live();
    const ws = this.#ws;
    if (!this.#hasForward || !ws) {
      throw new LSTMError("NO_FORWARD", "backward() needs the activations of a forward() call", {
        argument: "dOutput",
        expected: "a forward() call first",
        actual: "no forward since creation"
      });
    }
    const c = this.#config, I = c.inputSize, H = c.hiddenSize, D = c.directions, L = c.numLayers;
    const S = L * D, DH = D * H, B = ws.B, T = ws.T, U = this.#p.U, spec = this.#spec;
    checkBackwardArgs(c, spec, dOutput, options, B, T);
    ws.ensureBackward(c, spec, this.#p, this.#grads, this.#rt, this.#holdings);
    const k2 = this.#rt.kernels, arena = this.#rt.arena;
    arena.write(ws.xBF, dOutput);
    k2.transpose3(ws.xBF, B, T, DH, ws.dA);
    if (options.dh) arena.write(ws.dh, options.dh);
    else arena.fill(ws.dh, S * B * H);
    this.#stagePadded(options.dc, ws.dc, S * B);
    let dTop = ws.dA, dIn = ws.dB;
    for (let layer = L - 1; layer >= 0; layer--) {
      arena.fill(dIn, T * B * (layer === 0 ? I : DH));
      const record = layer === L - 1 && options.recordGradNorms === true;
      for (let dir = 0; dir < D; dir++) {
        ws.desc[layer * D + dir].set(SEQ_DY, dTop + dir * H * 4).set(SEQ_DX, dIn).set(SEQ_GRAD_NORMS, record && dir === 0 ? ws.norms : 0);
      }
      backwardLayer(this.#rt, ws.desc.slice(layer * D, layer * D + D), B, T);
      if (record) this.#gradNorms = arena.read(ws.norms, T);
      [dTop, dIn] = [dIn, dTop];
    }
    k2.transpose3(dTop, T, B, I, ws.xBF);
    const dx = arena.read(ws.xBF, B * T * I), dh0 = arena.read(ws.dh, S * B * H);
    if (!spec.hasCell) return { dx, dh0 };
    const dc0 = new Float32Array(S * B * H);
    for (let r = 0; r < S * B; r++) dc0.set(arena.view(ws.dc + r * U * 4, H), r * H);
    return { dx, dh0, dc0 };
  }
  /** ‖∂L/∂h_t‖ for t = 0 … T−1 (mean over the batch; top layer, forward direction) from the last
   *  backward({ recordGradNorms: true }): how much gradient reaches each step. */
  gradNorms() {
    this.#live();
    if (!this.#gradNorms) {
      throw new LSTMError("NO_FORWARD", "no gradient norms recorded", {
        argument: "recordGradNorms",
        expected: "backward(\u2026, { recordGradNorms: true }) first",
        actual: "none recorded"
      });
    }
    return this.#gradNorms.slice();
  }
  /** Copy rows of H floats from src (or zeros) into rows of U floats at dst. */
  #stagePadded(src, dst, rows) {
    const H = this.hiddenSize, U = this.#p.U, arena = this.#rt.arena;
    arena.fill(dst, rows * U);
    if (src) for (let r = 0; r < rows; r++) arena.write(dst + r * U * 4, src.subarray(r * H, r * H + H));
  }
  /** The workspace for (B, T). A new shape allocates first and frees the old one after, so a failed
   *  allocation leaves the previous forward's activations in place. */
  #workspace(B, T) {
    const old = this.#ws;
    if (old && old.B === B && old.T === T) return old;
    const ws = new Workspace(this.#config, this.#spec, this.#p, this.#params, this.#rt, this.#holdings, B, T);
    if (old) old.release(this.#holdings);
    this.#ws = ws;
    this.#hasForward = false;
    return ws;
  }
  // ---- as a layer of a Sequential model ----
  forwardTensor(x2, ctx = { training: false }) {
    this.#live();
    return this.#adapter.forward(x2, ctx);
  }
  backwardTensor(dy) {
    this.#live();
    return this.#adapter.backward(dy);
  }
  /** Forget the state a stateful layer carries between calls. */
  resetStates() {
    this.#adapter.reset();
  }
  /** @internal Truncated BPTT: carry state between windows (detached: no gradient flows back). */
  setCarry(on) {
    this.#adapter.setCarry(on);
  }
  // ---- streaming: one time step per call ----
  createState(batch = 1, initial = {}) {
    this.#live();
    if (this.bidirectional || this.goBackwards) {
      throw new LSTMError("INVALID_ARGUMENT", "step() runs forward in time; this layer needs the whole sequence", {
        argument: this.bidirectional ? "bidirectional" : "goBackwards",
        expected: "false for streaming",
        actual: "true"
      });
    }
    const B = checkSize("batch", batch, 1 << 20), L = this.numLayers, H = this.hiddenSize;
    const shape = `[numLayers=${L}, batch=${B}, hidden=${H}]`;
    if (initial?.h0 !== void 0) checkFloat32("h0", initial.h0, L * B * H, shape);
    if (initial?.c0 !== void 0) {
      if (!this.#spec.hasCell)
        throw new LSTMError("INVALID_ARGUMENT", `${this.#spec.kind} has no cell state`, {
          argument: "c0",
          expected: "no c0",
          actual: describe(initial.c0)
        });
      checkFloat32("c0", initial.c0, L * B * H, shape);
    }
    const state = new StreamState(
      this.#config,
      this.#spec,
      this.#p,
      this.#params,
      this.#rt,
      this.#holdings,
      B,
      (s) => this.#states.delete(s)
    );
    this.#states.add(state);
    state.reset(initial?.h0, initial?.c0);
    return state;
  }
  /** One time step: xt [batch, inputSize]; returns state.output, the top layer's h_t [batch, hidden]. */
  step(xt, state) {
    this.#live();
    if (!(state instanceof StreamState) || !this.#states.has(state)) {
      throw new LSTMError("INVALID_ARGUMENT", "not a live state of this layer", {
        argument: "state",
        expected: "the result of this layer's createState()",
        actual: describe(state)
      });
    }
    return state.step(xt);
  }
  stream(batch) {
    const state = this.createState(batch);
    return {
      step: (x2) => ({ data: this.step(x2.data, state).slice(), shape: [batch, this.hiddenSize] }),
      dispose: () => state.dispose()
    };
  }
  /** Frees the layer's wasm memory. Any later call throws DISPOSED. Safe to call twice. */
  dispose() {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const s of this.#states) s.markDisposed();
    this.#states.clear();
    this.#holdings.freeAll();
    this.#ws = null;
    release(this);
  }
  #live() {
    if (this.#disposed) {
      throw new LSTMError("DISPOSED", `this ${this.#spec.kind} was disposed`, {
        argument: "this",
        expected: "a live layer",
        actual: "disposed"
      });
    }
  }
};

// src/layers/lstm.ts
function lstmSpec(o) {
  const cifg = o?.coupledInputForget === true, peephole = o?.peephole === true;
  return {
    kind: "LSTM",
    cell: CELL_LSTM,
    flags: (peephole ? FLAG_PEEPHOLE : 0) | (cifg ? FLAG_CIFG : 0),
    // stored gates -> the kernel's gate slots i, f, g, o (the coupled cell stores no i)
    storedGates: cifg ? [1, 2, 3] : [0, 1, 2, 3],
    hasCell: true,
    peephole,
    forgetGate: cifg ? 0 : 1,
    hasGates: true
  };
}
var LSTM = class extends Recurrent {
  kind = "LSTM";
  peephole;
  coupledInputForget;
  constructor(options) {
    super(options, lstmSpec(options));
    this.peephole = options.peephole === true;
    this.coupledInputForget = options.coupledInputForget === true;
  }
  forward(x2, options = {}) {
    return super.forward(x2, options);
  }
  backward(dOutput, options = {}) {
    return super.backward(dOutput, options);
  }
  config() {
    return {
      ...super.config(),
      ...this.peephole ? { peephole: true } : {},
      ...this.coupledInputForget ? { coupledInputForget: true } : {}
    };
  }
};

// src/optim/optimizer.ts
function nonNegative(argument, value, fallback, allowZero = true) {
  if (value === void 0) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || !allowZero && value === 0) {
    throw new LSTMError("INVALID_ARGUMENT", "must be a finite number \u2265 0", {
      argument,
      expected: allowZero ? "a number \u2265 0" : "a number > 0",
      actual: describe(value)
    });
  }
  return value;
}
function fraction(argument, value, fallback) {
  if (value === void 0) return fallback;
  if (typeof value !== "number" || !(value >= 0 && value < 1)) {
    throw new LSTMError("INVALID_ARGUMENT", "must be in [0, 1)", {
      argument,
      expected: "a number in [0, 1)",
      actual: describe(value)
    });
  }
  return value;
}
var Optimizer = class {
  learningRate;
  clipNorm;
  clipValue;
  weightDecay;
  #state = /* @__PURE__ */ new Map();
  /** Global gradient norm before clipping, from the last step() (NaN before any). */
  lastGradNorm = NaN;
  constructor(options, defaultLearningRate) {
    if (options === null || typeof options !== "object") {
      throw new LSTMError("INVALID_ARGUMENT", "optimizer options must be an object", {
        argument: "options",
        expected: "{ learningRate, \u2026 }",
        actual: describe(options)
      });
    }
    this.learningRate = nonNegative("learningRate", options.learningRate, defaultLearningRate);
    this.clipNorm = options.clipNorm === void 0 ? void 0 : nonNegative("clipNorm", options.clipNorm, 0, false);
    this.clipValue = options.clipValue === void 0 ? void 0 : nonNegative("clipValue", options.clipValue, 0, false);
    this.weightDecay = nonNegative("weightDecay", options.weightDecay, 0);
  }
  /** Clip (if configured), then update every layer from its accumulated gradients. */
  step(...layers) {
    const flat = [], blocks = [];
    for (const l2 of layers.flat()) {
      if (!l2 || typeof l2._blocks !== "function") {
        throw new LSTMError("INVALID_ARGUMENT", "not a trainable layer", {
          argument: "layers",
          expected: "layers with parameters",
          actual: describe(l2)
        });
      }
      const b = l2._blocks();
      if (!b) continue;
      flat.push(l2);
      blocks.push(b);
    }
    this.#clip(blocks);
    flat.forEach((layer, i) => {
      const block = blocks[i];
      let st = this.#state.get(layer);
      if (!st || st.runtime !== block.runtime) {
        const buffers = [];
        try {
          for (let b = 0; b < this.stateBuffers; b++)
            buffers.push(block.runtime.arena.alloc(block.floats * 4, "optimizer state"));
        } catch (e) {
          for (const p of buffers) block.runtime.arena.free(p);
          throw e;
        }
        st = { buffers, runtime: block.runtime, steps: 0 };
        this.#state.set(layer, st);
      }
      st.steps++;
      this.update(block, st.buffers, st.steps);
    });
    for (const [layer, st] of this.#state) {
      if (layer.disposed) {
        for (const p of st.buffers) st.runtime.arena.free(p);
        this.#state.delete(layer);
      }
    }
  }
  #clip(blocks) {
    if (this.clipValue !== void 0) {
      for (const b of blocks) elementwise(b.runtime, "clipArray", [b.grads], b.floats, this.clipValue);
    }
    let sum = 0;
    for (const b of blocks) sum += sumSquares(b.runtime, b.grads, b.floats);
    const norm = Math.sqrt(sum);
    this.lastGradNorm = norm;
    if (this.clipNorm !== void 0) {
      const coef = this.clipNorm / (norm + 1e-6);
      if (coef < 1) for (const b of blocks) elementwise(b.runtime, "scaleArray", [b.grads], b.floats, coef);
    }
  }
  /** Kind and options, for saving with a model: every option there is, from one place each. */
  config() {
    const options = {
      learningRate: this.learningRate,
      weightDecay: this.weightDecay,
      ...this.rule
    };
    if (this.clipNorm !== void 0) options.clipNorm = this.clipNorm;
    if (this.clipValue !== void 0) options.clipValue = this.clipValue;
    return { kind: this.kind, options };
  }
  /** @internal The state of one layer (packed like its parameters), for saving. */
  _exportState(layer) {
    const st = this.#state.get(layer), block = layer._blocks();
    if (!st || !block) return null;
    return { steps: st.steps, buffers: st.buffers.map((p) => st.runtime.arena.read(p, block.floats)) };
  }
  /** @internal Restore what _exportState gave (same layer architecture). */
  _importState(layer, saved) {
    const block = layer._blocks();
    if (!block || saved.buffers.length !== this.stateBuffers || saved.buffers.some((b) => b.length !== block.floats)) {
      throw new LSTMError("STATE_DICT_SHAPE", "optimizer state does not fit this layer", {
        argument: "optimizer state",
        expected: `${this.stateBuffers} buffers of ${block?.floats ?? 0}`,
        actual: `${saved.buffers.length} buffers`
      });
    }
    const buffers = [];
    try {
      for (const b of saved.buffers) {
        const p = block.runtime.arena.alloc(b.length * 4, "optimizer state");
        buffers.push(p);
        block.runtime.arena.write(p, b);
      }
    } catch (e) {
      for (const p of buffers) block.runtime.arena.free(p);
      throw e;
    }
    const old = this.#state.get(layer);
    if (old) for (const p of old.buffers) old.runtime.arena.free(p);
    this.#state.set(layer, { buffers, runtime: block.runtime, steps: saved.steps });
  }
  /** Steps taken for `layer` (bias corrections use it). */
  stepsFor(layer) {
    return this.#state.get(layer)?.steps ?? 0;
  }
  /** Free all optimizer state. */
  dispose() {
    for (const st of this.#state.values()) for (const p of st.buffers) st.runtime.arena.free(p);
    this.#state.clear();
  }
};

// src/optim/rules.ts
var Adam = class extends Optimizer {
  kind = "Adam";
  rule;
  stateBuffers = 2;
  decoupled = false;
  constructor(options = {}) {
    super(options, 1e-3);
    this.rule = {
      beta1: fraction("beta1", options.beta1, 0.9),
      beta2: fraction("beta2", options.beta2, 0.999),
      epsilon: nonNegative("epsilon", options.epsilon, 1e-8)
    };
  }
  get beta1() {
    return this.rule.beta1;
  }
  get beta2() {
    return this.rule.beta2;
  }
  get epsilon() {
    return this.rule.epsilon;
  }
  update(b, state, step2) {
    const { beta1, beta2, epsilon } = this.rule, bc1 = 1 - beta1 ** step2, bc2 = 1 - beta2 ** step2;
    elementwise(
      b.runtime,
      "adamStep",
      [b.params, b.grads, state[0], state[1]],
      b.floats,
      this.learningRate,
      beta1,
      beta2,
      epsilon,
      this.weightDecay,
      this.decoupled ? 1 : 0,
      bc1,
      bc2
    );
  }
};

// bench/workloads.mjs
var WORKLOADS = [
  { id: "W1", name: "stream", kind: "stream", B: 1, T: 16, I: 32, H: 128, calls: 2e3, unit: "\xB5s/step" },
  { id: "W2", name: "infer", kind: "infer", B: 32, T: 100, I: 64, H: 256, unit: "ms/batch" },
  { id: "W3", name: "train", kind: "train", B: 32, T: 50, I: 64, H: 128, unit: "ms/step" },
  { id: "W3a", name: "train-adam", kind: "train", optimizer: "adam", B: 32, T: 50, I: 64, H: 128, unit: "ms/step" },
  { id: "W2g", name: "infer GRU", kind: "infer", cell: "gru", B: 32, T: 100, I: 64, H: 256, unit: "ms/batch" },
  { id: "W2r", name: "infer RNN", kind: "infer", cell: "rnn", B: 32, T: 100, I: 64, H: 256, unit: "ms/batch" },
  { id: "W3g", name: "train GRU", kind: "train", cell: "gru", B: 32, T: 50, I: 64, H: 128, unit: "ms/step" },
  { id: "W3r", name: "train RNN", kind: "train", cell: "rnn", B: 32, T: 50, I: 64, H: 128, unit: "ms/step" },
  { id: "W4", name: "train-seq", kind: "train", B: 16, T: 200, I: 32, H: 256, unit: "ms/step" }
];
function uniform(n, lo, hi, seed) {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = a + 1831565813 >>> 0;
    let t = Math.imul(a ^ a >>> 15, a | 1);
    t ^= t + Math.imul(t ^ t >>> 7, t | 61);
    out[i] = lo + (hi - lo) * (((t ^ t >>> 14) >>> 0) / 4294967296);
  }
  return out;
}
function weightsFor(w2) {
  const G = (w2.cell === "gru" ? 3 : w2.cell === "rnn" ? 1 : 4) * w2.H;
  return {
    weight_ih_l0: { shape: [G, w2.I], data: uniform(G * w2.I, -0.1, 0.1, 11) },
    weight_hh_l0: { shape: [G, w2.H], data: uniform(G * w2.H, -0.1, 0.1, 12) },
    bias_ih_l0: { shape: [G], data: uniform(G, -0.1, 0.1, 13) },
    bias_hh_l0: { shape: [G], data: uniform(G, -0.1, 0.1, 14) }
  };
}

// .prof/prof.ts
var id = process.argv[2] ?? "W3";
var threads = Number(process.argv[3] ?? 1);
var w = WORKLOADS.find((x2) => x2.id === id);
await init({ threads });
var rt = currentRuntime();
var k = rt.kernels;
var acc = {};
var wrap = (obj, name, label = name) => {
  const f = obj[name].bind(obj);
  obj[name] = (...a) => {
    const t = performance.now();
    const r = f(...a);
    acc[label] = (acc[label] ?? 0) + performance.now() - t;
    return r;
  };
};
for (const n of ["seqForward", "seqBackward", "transpose3", "adamStep", "sumSquares", "seqForwardSteps", "sgdStep"]) wrap(k, n);
if (rt.pool) wrap(rt.pool, "run", "pool.run");
var l = new LSTM({ inputSize: w.I, hiddenSize: w.H });
l.loadStateDict(weightsFor(w));
var x = uniform(w.B * w.T * w.I, -1, 1, 21);
var dOut = uniform(w.B * w.T * w.H, -1, 1, 22);
var opt = new Adam({ learningRate: 1e-3 });
var step = () => {
  l.zeroGrad();
  l.forward(x, { batch: w.B, steps: w.T });
  if (w.kind !== "infer") {
    l.backward(dOut);
    opt.step(l);
  }
};
for (let i = 0; i < 5; i++) step();
await new Promise((r) => setTimeout(r, 200));
for (const key of Object.keys(acc)) delete acc[key];
var times = [];
var N = 10;
for (let i = 0; i < N; i++) {
  const t = performance.now();
  step();
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
console.log(id, "threads", threads, "median", times[N >> 1].toFixed(2), "min", times[0].toFixed(2), "total mean", (times.reduce((a, b) => a + b) / N).toFixed(2));
for (const [key, v] of Object.entries(acc)) console.log("  ", key.padEnd(16), (v / N).toFixed(3), "ms/step");
process.exit(0);
