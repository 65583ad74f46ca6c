// Entry for Cloudflare Workers / workerd (the `workerd` and `worker` export conditions).
// workerd forbids compiling WebAssembly from bytes ("Wasm code generation disallowed by
// embedder"): the kernels must arrive as `.wasm` module imports, which the module loader hands
// over as precompiled WebAssembly.Module objects. This entry imports all three builds that way
// and makes init() pick one of them; everything else is the main entry, unchanged.
//
// Bundled by scripts/build-js.mjs to dist/entries/workerd.js with the .wasm imports left
// external, so the import paths still point at the package's build/*.wasm files.
/**
 * The main entry as Cloudflare Workers and workerd get it (export conditions `workerd` and `worker`):
 * the same API, with an {@link init} that takes the kernels from the package's `.wasm` files imported as
 * modules, since workerd does not compile WebAssembly from bytes. Import it as `'wasm-lstm'`.
 * @module wasm-lstm (workerd)
 */
import relaxedModule from '../../build/lstm.relaxed.wasm';
import simdModule from '../../build/lstm.simd.wasm';
import scalarModule from '../../build/lstm.scalar.wasm';
import { init as initFrom, supportedBuilds, type BuildName, type InitInfo, type InitOptions } from '../runtime.js';

export * from '../index.js';

const MODULES: Record<BuildName, WebAssembly.Module> = {
  'relaxed-simd': relaxedModule,
  simd: simdModule,
  scalar: scalarModule,
};

/**
 * Like the main entry's {@link wasm-lstm!init}, but the build's WebAssembly.Module comes from the
 * statically imported .wasm modules: relaxed SIMD if WebAssembly.validate accepts it, else SIMD, else
 * scalar. `options.wasm` still overrides it; `options.build` still forces a build.
 *
 * @example
 * ```ts
 * import { init, LSTM } from 'wasm-lstm'; // the workerd entry, by export condition
 *
 * export default {
 *   async fetch(request: Request): Promise<Response> {
 *     await init(); // idempotent: cheap after the first request
 *     const lstm = new LSTM({ inputSize: 4, hiddenSize: 8 });
 *     const { output } = lstm.forward(new Float32Array(4 * 10), { batch: 1 });
 *     lstm.dispose(); // no FinalizationRegistry before compatibility date 2025-05-05
 *     return Response.json(Array.from(output.slice(-8)));
 *   },
 * };
 * ```
 * @throws {@link LSTMError} as the main entry's init().
 */
export function init(options: InitOptions = {}): Promise<InitInfo> {
  // Invalid options and explicit sources go to the main init unchanged (it validates and throws).
  if (options === null || typeof options !== 'object' || options.wasm !== undefined) return initFrom(options);
  const build = options.build ?? supportedBuilds()[0]!;
  return initFrom({ ...options, build, wasm: MODULES[build] });
}
