// A `.wasm` import is a precompiled WebAssembly.Module in workerd (and in wrangler's and most
// edge bundlers' "CompiledWasm" module rule). Only src/entries/workerd.ts uses this.
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
