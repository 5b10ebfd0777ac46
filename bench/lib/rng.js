// Seeded pseudo-random helpers: the same seed always gives the same data, on any machine.

/** mulberry32: a small, fast generator with a fixed seed; returns numbers in [0, 1). */
export function rng(seed = 42) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A 32-bit FNV-1a hash of a string, to derive stable sub-seeds from names. */
export function hash32(text) {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

export const int = (rand, n) => Math.floor(rand() * n)
export const pick = (rand, list) => list[int(rand, list.length)]

const word = (rand) => ((rand() * 4294967296) >>> 0).toString(16).padStart(8, '0')

export function hex(rand, n) {
  let out = ''
  while (out.length < n) out += word(rand)
  return out.slice(0, n)
}

export function alnum(rand, n) {
  let out = ''
  for (let i = 0; i < n; i++) out += ALNUM[int(rand, ALNUM.length)]
  return out
}

export function uuid(rand) {
  const a = word(rand)
  const b = word(rand)
  const c = word(rand)
  const d = word(rand)
  return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-${'89ab'[c.charCodeAt(0) & 3]}${c.slice(1, 4)}-${c.slice(4)}${d}`
}

/** A public-looking IPv4 address (never 0.x, 10.x, 127.x or multicast). */
export function ipv4(rand) {
  let a = 1 + int(rand, 222)
  if (a === 10 || a === 127) a++
  return `${a}.${int(rand, 256)}.${int(rand, 256)}.${1 + int(rand, 254)}`
}

/**
 * Picks items by weight in O(log n): `weights[i]` is item i's relative weight. Returns a function
 * of a random number in [0, 1) giving an index.
 */
export function weightedIndex(weights) {
  const cumulative = new Float64Array(weights.length)
  let total = 0
  weights.forEach((w, i) => (cumulative[i] = total += w))
  return (r) => {
    const x = r * total
    let lo = 0
    let hi = cumulative.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (cumulative[mid] > x) hi = mid
      else lo = mid + 1
    }
    return lo
  }
}
