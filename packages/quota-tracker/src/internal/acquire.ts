/**
 * `acquire`, the hot path. With the memory store an admitted acquire is one
 * `Effect.withFiber` that takes the time (`clockReading.ts`: the default
 * clock once per synchronous stretch), runs the synchronous attempt and
 * returns the answer as an `Exit`: no generator, no intermediate effect, no
 * allocation beyond the answer itself. Everything else (waiting for the
 * per-second window, events to publish, an asynchronous store) goes through
 * `run`, which interprets the steps of `tierChoice.ts`.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as QuotaError from "../QuotaError.js"
import type { Acquired, Service } from "../QuotaTracker.js"
import { ClockReading } from "./clockReading.js"
import { badWeight, type Engine } from "./engine.js"
import { attempt, type Step } from "./tierChoice.js"

export const makeAcquire = (engine: Engine): Service["acquire"] => {
  const { events } = engine

  const run = (step: Step, weight: number, waited: number): Effect.Effect<Acquired, QuotaError.QuotaError> => {
    switch (step._tag) {
      case "Admitted":
        return events.withEvents(Effect.succeed(step))
      case "Refused":
        return events.pending() === 0 ? step.failure : Effect.andThen(events.flush, step.failure)
      case "Wait":
        return events.withEvents(Effect.sleep(step.millis)).pipe(
          Effect.andThen(Clock.currentTimeMillis),
          Effect.flatMap((now) => run(attempt(engine, weight, now, waited + step.millis), weight, waited + step.millis))
        )
      case "Async":
        return Effect.flatMap(step.effect, (next) => run(next, weight, waited))
    }
  }

  const reading = new ClockReading()

  const acquireWith = (weight: number): Effect.Effect<Acquired, QuotaError.QuotaError> =>
    Effect.withFiber((fiber) => {
      // the fiber's clock, read without an effect: TestClock still decides
      const now = reading.now(fiber)
      const step = attempt(engine, weight, now, 0)
      // the common cases, answered directly: the answer is its own effect
      if (events.pending() === 0) {
        if (step._tag === "Admitted") return Exit.succeed(step)
        if (step._tag === "Refused") return step.failure
      }
      return run(step, weight, 0)
    })
  // an effect is a description: the weight-1 acquire is built once and reused
  const acquireOne = acquireWith(1)

  return (options) => {
    const weight = options?.weight ?? 1
    if (weight === 1) return acquireOne
    if (!Number.isSafeInteger(weight) || weight < 1) return badWeight(weight)
    return acquireWith(weight)
  }
}
