/**
 * Deterministic hashing and a seeded PRNG: results must be the same bytes on every run and
 * machine, and fault probabilities must replay under a seed.
 */

/** FNV-1a, 32 bits, over the UTF-16 code units of a string. */
export const hash32 = (s: string, seed = 0x811c9dc5): number => {
  let h = seed >>> 0
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** Mixes several integers into one well-spread 32-bit value (for per-result attributes). */
export const mix = (a: number, b: number, c = 0): number => {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35) ^
    Math.imul(c + 0x165667b1, 0x27d4eb2f)
  h ^= h >>> 15
  h = Math.imul(h, 0x2c1b3c6d)
  h ^= h >>> 12
  h = Math.imul(h, 0x297a2d39)
  h ^= h >>> 15
  return h >>> 0
}

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
export const prng = (seed: number): () => number => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Upper-case hex of a 32-bit value, 8 digits. */
export const hex8 = (n: number): string => (n >>> 0).toString(16).toUpperCase().padStart(8, "0")
