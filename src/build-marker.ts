// Which kernel build a compiled module is. scripts/build-wasm.mjs appends a custom section
// 'wasm-lstm.build' holding the build's name (UTF-8) to each .wasm file, so init({ wasm }) can
// label a module the host loaded itself without trusting the engine's best build.
import { LSTMError } from './errors.js';
import type { BuildName } from './runtime.js';

export const BUILD_SECTION = 'wasm-lstm.build';
const NAMES: readonly BuildName[] = ['relaxed-simd', 'simd', 'scalar'];

/** The build a module says it is, or null when it carries no (valid) marker. */
export function markedBuild(module: WebAssembly.Module): BuildName | null {
  const sections = WebAssembly.Module.customSections(module, BUILD_SECTION);
  if (sections.length !== 1) return null;
  const name = new TextDecoder().decode(sections[0]);
  return (NAMES as readonly string[]).includes(name) ? (name as BuildName) : null;
}

/**
 * The build of a host-provided module: its marker, checked against `requested` when the caller
 * named one. A module without a marker needs the caller to name its build.
 */
export function buildOfModule(module: WebAssembly.Module, requested: BuildName | undefined): BuildName {
  const marked = markedBuild(module);
  if (marked !== null && requested !== undefined && marked !== requested) {
    throw new LSTMError('INVALID_ARGUMENT', 'the module is a different build than the one named', {
      argument: 'build',
      expected: `'${marked}' (the module's ${BUILD_SECTION} section)`,
      actual: `'${requested}'`,
    });
  }
  const build = marked ?? requested;
  if (build === undefined) {
    throw new LSTMError('INVALID_ARGUMENT', 'cannot tell which build this module is', {
      argument: 'wasm',
      expected: `a wasm-lstm kernel build (with a '${BUILD_SECTION}' custom section), or options.build naming it`,
      actual: 'a module without the section',
    });
  }
  return build;
}
