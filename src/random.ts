// A small seeded generator (mulberry32): same seed, same stream, on every runtime. Its whole state is
// one u32, which model files save so that dropout resumes exactly where it stopped.
export class SeededStream {
  #a: number;

  constructor(seed: number) {
    this.#a = seed >>> 0;
  }

  /** The next number in [0, 1). */
  next(): number {
    this.#a = (this.#a + 0x6d2b79f5) >>> 0;
    let t = this.#a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** The generator's state, a u32: setting it back replays the stream from that point. */
  get state(): number {
    return this.#a;
  }

  set state(value: number) {
    this.#a = value >>> 0;
  }
}

export function mulberry32(seed: number): () => number {
  const s = new SeededStream(seed);
  return () => s.next();
}

/** n values from U(lo, hi), in order. */
export function uniformArray(rng: () => number, n: number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng();
  return out;
}
