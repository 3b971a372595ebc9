/**
 * What the quota-tracker store benchmarks (PostgreSQL, Redis, Redis Cluster) measure with: the
 * median and p99 of a set of numbers, a rounded number for the tables, and the interleaved rounds
 * (a warm-up of every case, then every case once a round, so that every side sees the same
 * background load). The leading `_` keeps it out of run.ts's list of benchmarks.
 */

/** The middle value (the upper one of an even count). */
export const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** The 99th percentile (nearest rank). */
export const p99 = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.99) - 1]!

/** A number rounded, with thousands separators, for a table cell. */
export const fmt = (n: number) => Math.round(n).toLocaleString("en-US")

/** Every case once as a warm-up, then `rounds` interleaved rounds: each case's samples, in round order. */
export const interleaved = async <K extends string, S>(
  cases: Record<K, () => Promise<S>>,
  rounds: number
): Promise<Record<K, Array<S>>> => {
  for (const run of Object.values<() => Promise<S>>(cases)) await run() // warm-up
  const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, [] as Array<S>])) as Record<K, Array<S>>
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of Object.entries(cases) as Array<[K, () => Promise<S>]>) {
      samples[name].push(await run())
    }
  }
  return samples
}
