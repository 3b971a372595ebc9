/**
 * A `Clock` that reads the emulator's clock. The quota tracker takes "now" from Effect's `Clock`,
 * so when the demo moves the emulator to the next day, the tracker must see the same day, or it
 * would keep S15 exhausted while the emulator has already reset it. Sleeping stays real: the
 * emulator's clock runs at real speed plus the offset the admin API added.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"

/** A clock whose time is `now()` (epoch ms) and whose sleeps are those of `base`. */
export const make = (now: () => number, base: Clock.Clock): Clock.Clock => ({
  currentTimeMillisUnsafe: now,
  currentTimeMillis: Effect.sync(now),
  currentTimeNanosUnsafe: () => BigInt(now()) * 1_000_000n,
  currentTimeNanos: Effect.sync(() => BigInt(now()) * 1_000_000n),
  monotonicTimeNanosUnsafe: () => base.monotonicTimeNanosUnsafe(),
  monotonicTimeNanos: base.monotonicTimeNanos,
  sleep: (duration) => base.sleep(duration)
})

/** Runs `effect` with the clock following `now()`. */
export const provide = (now: () => number) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.clockWith((base) => Effect.provideService(effect, Clock.Clock, make(now, base)))
