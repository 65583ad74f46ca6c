// Host-side allocator over the one wasm memory. Kernels never allocate: every byte they touch
// was handed out here. Blocks are 64-byte aligned (a cache line, and v128-aligned).
// Views are made on demand from the current buffer, because memory.grow detaches old views.
// Pointers are byte offsets up to 4 GiB, so they become float indices with `>>> 2` (unsigned): a
// signed `>> 2` turns an offset past 2 GiB negative. Use the helpers below rather than indexing f32.
import { LSTMError } from './errors.js';

const ALIGN = 64;
const PAGE = 65536;
/** wasm32 addresses 4 GiB at most; V8 allows all of it. */
export const MAX_MEMORY_BYTES = 65536 * PAGE;

interface FreeBlock {
  start: number;
  size: number;
}

export class Arena {
  readonly memory: WebAssembly.Memory;
  #top: number; // first byte past every live or free block
  #clean: number; // first byte never handed out since the memory was made: zero from here on
  #free: FreeBlock[] = []; // sorted by start, coalesced
  #sizes = new Map<number, number>(); // live block start -> size
  #live = 0; // Σ sizes
  #f32: Float32Array;
  #i32: Int32Array;
  /** The most bytes this memory may hold: 4 GiB, or a shared memory's declared maximum. */
  readonly maxBytes: number;

  /** `memory` must hold zeros from `base` on (a fresh instance's memory does): alloc relies on it.
   *  `maxBytes`: a shared memory's declared maximum (the threaded runtime's), else 4 GiB. */
  constructor(memory: WebAssembly.Memory, base: number, maxBytes = MAX_MEMORY_BYTES) {
    this.memory = memory;
    this.maxBytes = Math.min(maxBytes, MAX_MEMORY_BYTES);
    this.#top = Math.ceil(Math.max(base, ALIGN) / ALIGN) * ALIGN;
    this.#clean = this.#top;
    this.#f32 = new Float32Array(memory.buffer);
    this.#i32 = new Int32Array(memory.buffer);
  }

  /** Float32 view of the whole memory, valid until the next alloc. */
  get f32(): Float32Array {
    if (this.#f32.buffer !== this.memory.buffer) this.#refresh();
    return this.#f32;
  }

  get i32(): Int32Array {
    if (this.#i32.buffer !== this.memory.buffer) this.#refresh();
    return this.#i32;
  }

  #refresh(): void {
    this.#f32 = new Float32Array(this.memory.buffer);
    this.#i32 = new Int32Array(this.memory.buffer);
  }

  /** Bytes handed out and not freed (for leak tests). */
  get liveBytes(): number {
    return this.#live;
  }

  /** The float index of byte offset `ptr`. */
  static index(ptr: number): number {
    return ptr >>> 2;
  }

  /** A fresh copy of `n` floats at `ptr`. */
  read(ptr: number, n: number): Float32Array {
    const i = ptr >>> 2;
    // a new array and set() copy as memcpy; slice() took twice as long on large outputs (V8 11)
    const out = new Float32Array(n);
    out.set(this.f32.subarray(i, i + n));
    return out;
  }

  /** Copy `data` to `ptr`. */
  write(ptr: number, data: ArrayLike<number>): void {
    this.f32.set(data, ptr >>> 2);
  }

  /** Set `n` floats at `ptr` to `value` (0). */
  fill(ptr: number, n: number, value = 0): void {
    const i = ptr >>> 2;
    this.f32.fill(value, i, i + n);
  }

  /** A view of `n` floats at `ptr`, valid until the next alloc (which may grow the memory). */
  view(ptr: number, n: number): Float32Array {
    const i = ptr >>> 2;
    return this.f32.subarray(i, i + n);
  }

  /** A zero-filled block of `bytes`; its byte offset. Throws OUT_OF_MEMORY, leaving state unchanged. */
  alloc(bytes: number, what = 'buffer'): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    if (!Number.isFinite(size) || size > this.maxBytes) throw this.#oom(what, bytes);
    let ptr = -1;
    for (let i = 0; i < this.#free.length; i++) {
      const b = this.#free[i]!;
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
        // Grow geometrically so a sequence of growing requests costs O(log n) grows.
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
    // Bytes past #clean were never handed out, so they are still the zeros memory.grow (or the
    // module's initial memory) gave them: only the part below needs filling. Writing zeros over fresh
    // pages would fault them all in a first time for nothing (a first W2 forward allocates ~30 MB).
    const dirtyEnd = Math.min(ptr + size, this.#clean);
    if (dirtyEnd > ptr) this.fill(ptr, (dirtyEnd - ptr) / 4);
    if (ptr + size > this.#clean) this.#clean = ptr + size;
    return ptr;
  }

  free(ptr: number): void {
    const size = this.#sizes.get(ptr);
    if (size === undefined) return;
    this.#sizes.delete(ptr);
    this.#live -= size;
    if (ptr + size === this.#top) {
      this.#top = ptr;
      // The last free block may now touch the top: give it back too.
      const last = this.#free[this.#free.length - 1];
      if (last && last.start + last.size === this.#top) {
        this.#top = last.start;
        this.#free.pop();
      }
      return;
    }
    let i = 0;
    while (i < this.#free.length && this.#free[i]!.start < ptr) i++;
    this.#free.splice(i, 0, { start: ptr, size });
    const next = this.#free[i + 1];
    if (next && ptr + size === next.start) {
      this.#free[i]!.size += next.size;
      this.#free.splice(i + 1, 1);
    }
    const prev = this.#free[i - 1];
    if (prev && prev.start + prev.size === ptr) {
      prev.size += this.#free[i]!.size;
      this.#free.splice(i, 1);
    }
  }

  #oom(what: string, bytes: number): LSTMError {
    return new LSTMError('OUT_OF_MEMORY', `cannot allocate ${what}`, {
      argument: what,
      expected: `at most ${this.maxBytes - this.#top} more bytes of wasm memory`,
      actual: `${bytes} bytes requested`,
    });
  }
}
