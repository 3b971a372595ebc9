/**
 * The demo's clock: the gateway's quota trackers take "now" from Effect's `Clock`, and the demo
 * moves the emulator's clock past midnight; the trackers must see the same day, or they would
 * keep S15 exhausted while the upstream has already reset it. Only "now" follows the emulator;
 * sleeps (timeouts, backoff, the server's drain) stay those of the real clock.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"

/** A clock whose time is `now()` (epoch ms) and whose sleeps and monotonic time are `base`'s. */
const make = (now: () => number, base: Clock.Clock): Clock.Clock => ({
  currentTimeMillisUnsafe: now,
  currentTimeMillis: Effect.sync(now),
  currentTimeNanosUnsafe: () => BigInt(now()) * 1_000_000n,
  currentTimeNanos: Effect.sync(() => BigInt(now()) * 1_000_000n),
  monotonicTimeNanosUnsafe: () => base.monotonicTimeNanosUnsafe(),
  monotonicTimeNanos: base.monotonicTimeNanos,
  sleep: (duration) => base.sleep(duration)
})

/** Runs `effect` (and every fiber it starts, the gateway's server included) on a clock following `now()`. */
export const following = (now: () => number) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.clockWith((base) => Effect.provideService(effect, Clock.Clock, make(now, base)))
