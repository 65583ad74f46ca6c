// Which build runs, and the one memory it runs in. init() detects features, loads the best
// build (relaxed SIMD > SIMD > scalar) and keeps one Runtime per build; layers bind to the
// runtime that was current when they were made.
import { Arena } from './arena.js';
import { LSTMError, describe } from './errors.js';
import { defaultKernel, readFileBytes, resolveUrl } from './platform.js';
import { buildOfModule } from './build-marker.js';

export type BuildName = 'relaxed-simd' | 'simd' | 'scalar';
export const BUILDS: readonly BuildName[] = ['relaxed-simd', 'simd', 'scalar'];

export interface Features {
  simd: boolean;
  relaxedSimd: boolean;
  threads: boolean;
}
export interface InitInfo {
  build: BuildName;
  features: Features;
}
export type WasmSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView | URL | string;
export interface InitOptions {
  /** Force a build instead of the best one this runtime supports. */
  build?: BuildName;
  /** Where the chosen build's .wasm comes from, for hosts that load it themselves. */
  wasm?: WasmSource;
}

/** The kernel ABI (assembly/index.ts). Pointers are byte offsets into memory. */
export interface Kernels {
  memory: WebAssembly.Memory;
  heapBase(): number;
  gemmXWt(X: number, ldx: number, M: number, K: number, Wp: number, N: number, Y: number, ldy: number): void;
  gemmDyW(dY: number, ldy: number, M: number, N: number, WTp: number, K: number, dX: number, ldx: number): void;
  gemmDyTX(
    dY: number,
    ldy: number,
    X: number,
    ldx: number,
    R: number,
    N: number,
    K: number,
    dWp: number,
    scratch: number,
  ): void;
  gemmDyTXScratchFloats(N: number, K: number): number;
  colSum(dY: number, ldy: number, R: number, N: number, b: number): void;
  packTransposed(Wp: number, N: number, K: number, WTp: number): void;
  fillBias2(Y: number, ldy: number, M: number, N: number, b1: number, b2: number): void;
  transpose3(src: number, A: number, B: number, F: number, dst: number): void;
  seqForward(
    cell: number,
    flags: number,
    x: number,
    K: number,
    wih: number,
    whh: number,
    bih: number,
    bhh: number,
    extra: number,
    h0: number,
    c0: number,
    cache: number,
    scratch: number,
    y: number,
    ldy: number,
    T: number,
    B: number,
    H: number,
    reverse: number,
    lengths: number,
    recMask: number,
    hMasked: number,
  ): void;
  seqBackward(
    cell: number,
    flags: number,
    x: number,
    K: number,
    wih: number,
    whh: number,
    extra: number,
    h0: number,
    c0: number,
    cache: number,
    y: number,
    ldy: number,
    dy: number,
    dh: number,
    dc: number,
    work: number,
    dx: number,
    gwih: number,
    gwhh: number,
    gbih: number,
    gbhh: number,
    gextra: number,
    T: number,
    B: number,
    H: number,
    reverse: number,
    lengths: number,
    recMask: number,
    hMasked: number,
    gradNorms: number,
  ): void;
  seqStep(cell: number, desc: number, layers: number, scratch: number, B: number, H: number): void;
  cellUnits(cell: number, H: number): number;
  cellColumns(cell: number, H: number): number;
  cacheFloats(cell: number, T: number, B: number, H: number): number;
  forwardScratchFloats(cell: number, B: number, H: number): number;
  workFloats(cell: number, T: number, B: number, K: number, H: number): number;
  stepScratchFloats(cell: number, B: number, H: number): number;
  sigmoidArray(x: number, y: number, n: number): void;
  tanhArray(x: number, y: number, n: number): void;
  sgdStep(w: number, g: number, n: number, lr: number): void;
  sgdMomentumStep(
    w: number,
    g: number,
    buf: number,
    n: number,
    lr: number,
    momentum: number,
    weightDecay: number,
    nesterov: number,
    first: number,
  ): void;
  adamStep(
    w: number,
    g: number,
    m: number,
    v: number,
    n: number,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    decoupled: number,
    bc1: number,
    bc2: number,
  ): void;
  rmspropStep(
    w: number,
    g: number,
    v: number,
    buf: number,
    n: number,
    lr: number,
    alpha: number,
    eps: number,
    weightDecay: number,
    momentum: number,
  ): void;
  sumSquares(g: number, n: number): number;
  denseForward(
    x: number,
    M: number,
    K: number,
    w: number,
    b: number,
    N: number,
    NP: number,
    y: number,
    act: number,
  ): void;
  denseBackward(
    x: number,
    M: number,
    K: number,
    w: number,
    N: number,
    NP: number,
    y: number,
    dy: number,
    act: number,
    gw: number,
    gb: number,
    dx: number,
    wT: number,
    dwScratch: number,
  ): void;
  scaleArray(g: number, n: number, s: number): void;
  clipArray(g: number, n: number, c: number): void;
  peakMulAdd(iterations: number, scratch: number): number;
  peakFlopsPerIteration(): number;
}

export interface Runtime {
  build: BuildName;
  kernels: Kernels;
  arena: Arena;
}

// Probe modules (toolchain.md): each validates only where the feature is implemented.
const HEADER = [0, 97, 115, 109, 1, 0, 0, 0];
const PROBE_SIMD = new Uint8Array([
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
  11,
]);
const PROBE_RELAXED = new Uint8Array([
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
  11,
]);
const PROBE_THREADS = new Uint8Array([
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
  11,
]);

export function detectFeatures(): Features {
  const ok = (bytes: Uint8Array<ArrayBuffer>): boolean => {
    try {
      return WebAssembly.validate(bytes);
    } catch {
      return false;
    }
  };
  return {
    simd: ok(PROBE_SIMD),
    relaxedSimd: ok(PROBE_RELAXED),
    threads: ok(PROBE_THREADS) && typeof SharedArrayBuffer !== 'undefined',
  };
}

export function supportedBuilds(features: Features = detectFeatures()): BuildName[] {
  return BUILDS.filter((b) => b === 'scalar' || (b === 'simd' ? features.simd : features.simd && features.relaxedSimd));
}

async function loadModule(build: BuildName, given: WasmSource | undefined): Promise<WebAssembly.Module> {
  // Without a source, the package's own copy (platform.ts: a file URL; in browsers, inlined bytes).
  const source = given ?? (await defaultKernel(build));
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source as BufferSource);
  const url = source instanceof URL ? source : resolveUrl(source);
  if (url.protocol === 'file:') return WebAssembly.compile(await readFileBytes(url)); // Node, Deno, Bun
  const response = await fetch(url);
  if (!response.ok) {
    throw new LSTMError('BUILD_UNAVAILABLE', `could not fetch the ${build} build`, {
      argument: 'wasm',
      expected: 'HTTP 200',
      actual: `HTTP ${response.status} for ${url.href}`,
    });
  }
  if (
    typeof WebAssembly.compileStreaming === 'function' &&
    response.headers.get('content-type')?.startsWith('application/wasm')
  ) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

const runtimes = new Map<BuildName, Promise<Runtime>>();
let current: Runtime | null = null;

/**
 * Load a build of the kernels and make it current for layers created from now on.
 * Idempotent: the same build is loaded once. Without `build`, picks the fastest supported one.
 */
export async function init(options: InitOptions = {}): Promise<InitInfo> {
  if (options === null || typeof options !== 'object') {
    throw new LSTMError('INVALID_ARGUMENT', 'init options must be an object', {
      argument: 'options',
      expected: '{ build?, wasm? }',
      actual: describe(options),
    });
  }
  const features = detectFeatures();
  const supported = supportedBuilds(features);
  if (options.build === undefined && options.wasm !== undefined) {
    // A host-loaded module: its label comes from the module (build-marker.ts), not from the engine.
    const module = await loadModule(supported[0]!, options.wasm);
    return init({ ...options, build: buildOfModule(module, undefined), wasm: module });
  }
  let build = options.build;
  if (build === undefined) build = supported[0]!;
  else if (!BUILDS.includes(build)) {
    throw new LSTMError('INVALID_ARGUMENT', 'unknown build', {
      argument: 'build',
      expected: BUILDS.map((b) => `'${b}'`).join(' | '),
      actual: describe(build),
    });
  } else if (!supported.includes(build)) {
    throw new LSTMError('BUILD_UNAVAILABLE', 'this runtime cannot run that build', {
      argument: 'build',
      expected: supported.join(' | '),
      actual: build,
    });
  }
  let pending = runtimes.get(build);
  if (!pending) {
    const chosen = build;
    pending = (async () => {
      const module = await loadModule(chosen, options.wasm);
      if (options.wasm !== undefined) buildOfModule(module, chosen); // a marked module must be the named build
      const instance = await WebAssembly.instantiate(module, {});
      const kernels = instance.exports as unknown as Kernels;
      return { build: chosen, kernels, arena: new Arena(kernels.memory, kernels.heapBase()) };
    })();
    runtimes.set(build, pending);
    pending.catch(() => runtimes.delete(chosen));
  }
  current = await pending;
  return { build, features };
}

/** Has init() resolved at least once? */
export function hasRuntime(): boolean {
  return current !== null;
}

/** The runtime new layers bind to; throws NOT_INITIALIZED before init() has resolved. */
export function currentRuntime(): Runtime {
  if (!current) {
    throw new LSTMError('NOT_INITIALIZED', 'call `await init()` before creating layers', {
      expected: 'init() to have resolved',
      actual: 'no runtime loaded',
    });
  }
  return current;
}
