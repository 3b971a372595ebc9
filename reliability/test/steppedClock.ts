/**
 * A wall clock that runs in real time from a chosen instant and can be stepped, as NTP or a VM
 * restore steps the system clock: `Date.now()` plus an offset. Sleeps and monotonic time stay
 * real, as they do when the system clock steps.
 */
import { Clock, Effect } from "effect"

export interface SteppedClock {
  readonly clock: Clock.Clock
  /** Makes the clock read `epochMs` now. */
  set(epochMs: number): void
  /** Moves the clock by `ms` (negative: back). */
  step(ms: number): void
  now(): number
}

export const steppedClock = (startAt: number): SteppedClock => {
  const live = Clock.Clock.defaultValue()
  let offset = startAt - Date.now()
  const millis = () => Date.now() + offset
  const clock: Clock.Clock = {
    currentTimeMillisUnsafe: millis,
    currentTimeMillis: Effect.sync(millis),
    currentTimeNanosUnsafe: () => BigInt(millis()) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => BigInt(millis()) * 1_000_000n),
    monotonicTimeNanosUnsafe: () => live.monotonicTimeNanosUnsafe(),
    monotonicTimeNanos: live.monotonicTimeNanos,
    sleep: (duration) => live.sleep(duration)
  }
  return {
    clock,
    set: (epochMs) => {
      offset = epochMs - Date.now()
    },
    step: (ms) => {
      offset += ms
    },
    now: millis
  }
}
