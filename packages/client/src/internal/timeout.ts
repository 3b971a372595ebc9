/**
 * The per-attempt timeout, without the cost of a race.
 *
 * `Effect.timeoutOrElse` races the effect against a sleep: two forked fibers per attempt, and the
 * loser interrupted afterwards. On Effect's own (live) clock this does the same with one fiber
 * and one plain timer: the attempt runs in a fiber of its own, the caller waits for whichever
 * comes first, the child's exit or the timer, and a timer that fires first interrupts the child
 * (which aborts the request in flight) and fails with the timeout error. Any other clock (a
 * `TestClock`, a user's clock) takes the `timeoutOrElse` path, so virtual time still ends a slow
 * attempt.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"

/**
 * Effect's live clock: the default value of the `Clock` reference, which Effect creates once and
 * caches on the reference. Were that ever not so, no clock would match and every attempt would take
 * the `timeoutOrElse` path: slower, never wrong.
 */
const liveClock: Clock.Clock = Context.get(Context.empty(), Clock.Clock)

/** Longer delays overflow Node's timers (which would fire at once): they take the generic path. */
export const maxTimerMillis = 2 ** 31 - 1

/** Whether the fiber runs on Effect's live clock (then a plain timer measures the same time). */
export const isLiveClock = (clock: Clock.Clock): boolean => clock === liveClock

/** Runs `self`, failing with `onTimeout()` when it has not completed within `millis`. */
export const bounded = <A, E, E2>(
  self: Effect.Effect<A, E>,
  millis: number,
  onTimeout: () => E2
): Effect.Effect<A, E | E2> =>
  Effect.withFiber((fiber) => {
    if (!isLiveClock(fiber.getRef(Clock.Clock)) || !(millis <= maxTimerMillis)) {
      return Effect.timeoutOrElse(self, { duration: millis, orElse: () => Effect.fail(onTimeout()) })
    }
    // The child is started by hand inside the callback (not `forkChild` + `flatMap`): one
    // primitive fewer per attempt, and no parent bookkeeping, since the callback's own cancel
    // interrupts the child whenever the caller is interrupted.
    const context = fiber.context
    return Effect.callback<A, E | E2>((resume) => {
      const child = Effect.runForkWith(context)(self)
      let timer: ReturnType<typeof setTimeout> | undefined
      const unobserve = child.addObserver((exit) => {
        if (timer !== undefined) clearTimeout(timer)
        resume(exit)
      })
      // Completed without waiting (the observer has already resumed): no timer needed.
      if (child.pollUnsafe() !== undefined) return
      timer = setTimeout(() => {
        unobserve()
        resume(Effect.andThen(Fiber.interrupt(child), Effect.fail(onTimeout())))
      }, millis)
      // The call itself is interrupted: stop the timer and the attempt (aborting its request).
      return Effect.suspend(() => {
        clearTimeout(timer)
        unobserve()
        return Fiber.interrupt(child)
      })
    })
  })
