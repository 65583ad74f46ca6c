// Writing descriptors: structs in wasm memory that the kernels read (assembly/abi.ts declares the
// fields; assembly/desc.ts reads them). Every field is 4 bytes: an i32, a u32 pointer or an f32.
import type { Arena } from '../arena.js';

export class Descriptor {
  readonly ptr: number;
  readonly #arena: Arena;

  constructor(arena: Arena, ptr: number) {
    this.#arena = arena;
    this.ptr = ptr;
  }

  /** An integer field, or a pointer (stored as its u32 bit pattern: offsets past 2 GiB survive). */
  set(field: number, value: number): this {
    this.#arena.i32[(this.ptr + field) >>> 2] = value;
    return this;
  }

  setF32(field: number, value: number): this {
    this.#arena.f32[(this.ptr + field) >>> 2] = value;
    return this;
  }

  get(field: number): number {
    return this.#arena.i32[(this.ptr + field) >>> 2]! >>> 0;
  }
}
