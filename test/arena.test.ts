// The host allocator hands out zero-filled blocks. It writes the zeros only over bytes that were
// handed out before (freed blocks, reused): bytes never handed out are still the zeros of a fresh
// memory, and filling them would touch every fresh page once more for nothing. These tests dirty every
// block they free and check what comes back, and which bytes alloc wrote.
import { describe, expect, it, vi } from 'vitest';
import { Arena } from '../src/arena.js';

const PAGE = 65536;

function dirty(arena: Arena, ptr: number, bytes: number): void {
  arena.f32.fill(Number.NaN, ptr >>> 2, (ptr + bytes) >>> 2);
}
const zeros = (arena: Arena, ptr: number, bytes: number): boolean =>
  arena.f32.subarray(ptr >>> 2, (ptr + bytes) >>> 2).every((v) => Object.is(v, 0));

describe('Arena.alloc zero-fills', () => {
  it('fresh blocks (from memory.grow) without writing them', () => {
    const arena = new Arena(new WebAssembly.Memory({ initial: 1 }), 1024);
    const fill = vi.spyOn(arena, 'fill');
    const a = arena.alloc(3 * PAGE, 'a'); // grows the memory
    const b = arena.alloc(1000, 'b');
    expect(fill).not.toHaveBeenCalled();
    expect(zeros(arena, a, 3 * PAGE) && zeros(arena, b, 1000)).toBe(true);
  });

  it('a freed block handed out again, and only its used part', () => {
    const arena = new Arena(new WebAssembly.Memory({ initial: 1 }), 64);
    const a = arena.alloc(4096, 'a');
    const b = arena.alloc(4096, 'b');
    dirty(arena, a, 4096);
    dirty(arena, b, 4096);
    arena.free(a); // a hole below b
    const fill = vi.spyOn(arena, 'fill');
    const c = arena.alloc(2048, 'c'); // from the hole
    expect(c).toBe(a);
    expect(zeros(arena, c, 2048)).toBe(true);
    expect(fill).toHaveBeenCalledWith(c, 2048 / 4);
    expect(zeros(arena, b, 4096)).toBe(false); // b is untouched
  });

  it('a block that starts on freed bytes and runs into fresh ones', () => {
    const arena = new Arena(new WebAssembly.Memory({ initial: 1 }), 64);
    const a = arena.alloc(4096, 'a');
    dirty(arena, a, 4096);
    arena.free(a); // the top comes back down to a
    const fill = vi.spyOn(arena, 'fill');
    const big = arena.alloc(5 * PAGE, 'big'); // a's bytes, then never-used ones, then grown ones
    expect(big).toBe(a);
    expect(fill).toHaveBeenCalledTimes(1);
    expect(fill).toHaveBeenCalledWith(a, 4096 / 4); // only what a had used
    expect(zeros(arena, big, 5 * PAGE)).toBe(true);
    dirty(arena, big, 5 * PAGE);
    arena.free(big);
    const again = arena.alloc(5 * PAGE + 128, 'again');
    expect(zeros(arena, again, 5 * PAGE + 128)).toBe(true);
  });
});
