// One ownership policy for everything that holds wasm memory (layers, states, optimizer state): the
// object's blocks are listed in a Holdings; dispose() frees them at once, and if the object is
// garbage-collected without dispose(), a FinalizationRegistry frees them then. The Holdings never
// points back at its owner, so the owner can be collected.
import type { Arena } from './arena.js';

export class Holdings {
  readonly arena: Arena;
  readonly #ptrs = new Set<number>();

  constructor(arena: Arena) {
    this.arena = arena;
  }

  alloc(bytes: number, what: string): number {
    const ptr = this.arena.alloc(bytes, what);
    this.#ptrs.add(ptr);
    return ptr;
  }

  free(ptr: number): void {
    if (this.#ptrs.delete(ptr)) this.arena.free(ptr);
  }

  freeAll(): void {
    for (const p of this.#ptrs) this.arena.free(p);
    this.#ptrs.clear();
  }

  get blocks(): number {
    return this.#ptrs.size;
  }
}

// Some hosts (older Cloudflare Workers compatibility dates) have no FinalizationRegistry; dispose()
// still frees everything there.
const registry =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<Freeable>((h) => h.freeAll())
    : { register(): void {}, unregister(): void {} };

/** A Holdings, or several (an optimizer holds state in every runtime its layers use). */
export interface Freeable {
  freeAll(): void;
}

/** Frees `holdings` when `owner` is garbage-collected (until release()). `holdings` must not refer
 *  to `owner`, or the owner is never collected. */
export function own(owner: object, holdings: Freeable): void {
  registry.register(owner, holdings, owner);
}

/** The owner freed its holdings itself (dispose): stop watching it. */
export function release(owner: object): void {
  registry.unregister(owner);
}
