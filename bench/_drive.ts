/**
 * The acquire loop of the quota-tracker store benchmarks (PostgreSQL, Redis Cluster): `concurrency`
 * fibers, the i-th on `trackers[i % trackers.length]`, each acquiring `ceil(total / concurrency)`
 * times, the latency of every acquire pushed to `latencies` in ms. The leading `_` keeps it out of
 * run.ts's list of benchmarks.
 */
import type { QuotaTracker } from "@bing-effect/quota-tracker"
import { Effect } from "effect"

/** A built tracker. */
export type Tracker = QuotaTracker.QuotaTracker["Service"]

/** Runs the loop; the acquires made. */
export const drive = async (
  trackers: ReadonlyArray<Tracker>,
  total: number,
  concurrency: number,
  latencies: Array<number>
) => {
  const each = Math.ceil(total / concurrency)
  await Effect.runPromise(
    Effect.forEach(
      Array.from({ length: concurrency }, (_, i) => trackers[i % trackers.length]!),
      (tracker) =>
        Effect.gen(function*() {
          for (let i = 0; i < each; i++) {
            const t0 = performance.now()
            yield* tracker.acquire()
            latencies.push(performance.now() - t0)
          }
        }),
      { concurrency, discard: true }
    )
  )
  return each * concurrency
}
