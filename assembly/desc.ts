// Reading a descriptor (assembly/abi.ts SEQ_*): a struct in wasm memory written by the host.
// Pointers are stored as u32 so offsets past 2 GiB come back intact.

@inline export function dI32(d: usize, field: i32): i32 {
  return load<i32>(d + <usize>field);
}

@inline export function dPtr(d: usize, field: i32): usize {
  return <usize>load<u32>(d + <usize>field);
}

@inline export function dF32(d: usize, field: i32): f32 {
  return load<f32>(d + <usize>field);
}

// Byte address of row `row` of a matrix of `ld` floats per row. row·ld stays below 2^30 (the most
// floats wasm32 memory holds), so the product fits i32; the byte offset is formed in usize.
@inline export function rowPtr(base: usize, row: i32, ld: i32): usize {
  return base + ((<usize>(row * ld)) << 2);
}

// Floats rounded up to 16 (64 bytes: a cache line, and v128-aligned regions).
@inline export function roundFloats(n: i32): i32 {
  return (n + 15) & ~15;
}
