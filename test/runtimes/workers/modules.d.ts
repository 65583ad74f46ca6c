// workerd data modules (`data = embed "…"` in the worker config, esbuild's `copy` loader): the
// default export of a .safetensors import is the file's bytes.
declare module '*.safetensors' {
  const bytes: ArrayBuffer;
  export default bytes;
}
