import { Effect } from "effect"
import { QuotaError, QuotaStore } from "../src/index.js"

/**
 * A memory store that fails on demand as an unreachable Redis does (`state.down = true`), for the
 * store-failure tests of the tracker and of the fail-open decorator. `inner` is the memory underneath.
 */
export const flakyStore = Effect.gen(function*() {
  const inner = yield* QuotaStore.makeMemory
  const state = { down: false }
  const guard = <A>(effect: Effect.Effect<A, QuotaError.QuotaError>) =>
    Effect.suspend(() => state.down ? Effect.fail(QuotaError.storeUnavailable("redis", "connection refused")) : effect)
  const store: QuotaStore.Service = {
    name: "redis",
    acquire: (slots, weight, now) => guard(inner.acquire(slots, weight, now)),
    get: (slots, now) => guard(inner.get(slots, now)),
    set: (slot, value, now) => guard(inner.set(slot, value, now)),
    add: (slots, delta, now) => guard(inner.add(slots, delta, now))
  }
  return { inner, state, store }
})
