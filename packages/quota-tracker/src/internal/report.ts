/**
 * `report`: the server's answer fed back. Each acquire settles once; a failed
 * request is refunded (never more than this tracker admitted and has not
 * settled), a 429 holds the tier, a 403 quota error marks it exhausted until
 * the reset the server implies.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Outcome from "../Outcome.js"
import type * as QuotaError from "../QuotaError.js"
import type { Slot } from "../QuotaStore.js"
import type { Service } from "../QuotaTracker.js"
import * as Window from "../Window.js"
import { AcquiredView } from "./acquired.js"
import { badWeight, type Engine, storeCall, tierNamed } from "./engine.js"
import { formatWait } from "./format.js"
import { refresh, slotsAt } from "./periods.js"
import { markExhausted, observe } from "./thresholds.js"
import type { TierState, WindowState } from "./tierState.js"

const retryAfterOf = (ms: number | undefined): number | undefined =>
  ms !== undefined && Number.isFinite(ms) && ms >= 0 ? ms : undefined

export const makeReport = (engine: Engine): Service["report"] => {
  const { events, settings, store } = engine

  const refund = (t: TierState, slots: ReadonlyArray<Slot>, weight: number, now: number) =>
    slots.length === 0 ? Effect.void : storeCall(engine, store.add(slots, -weight, now)).pipe(
      Effect.map((values) => {
        for (let i = 0; i < slots.length; i++) {
          const w = t.windows.find((candidate) => candidate.slot.key === slots[i]!.key)
          if (w !== undefined) w.value = values[i]!
        }
      })
    )

  const rateLimited = (
    t: TierState,
    outcome: Outcome.RateLimited,
    settled: number,
    at: number,
    now: number
  ): Effect.Effect<void, QuotaError.QuotaError> =>
    Effect.suspend(() => {
      const until = now + Math.min(retryAfterOf(outcome.retryAfterMs) ?? settings.defaultHold, settings.maxHold)
      if (until > t.holdUntil) {
        t.holdUntil = until
        t.holdFor = until - now
        events.push({
          _tag: "TierHeld",
          at: now,
          tier: t.tier.name,
          until,
          message: `${t.tier.name} answered 429 (rate limit); holding it for ${formatWait(until - now)}`
        })
      }
      const counters = slotsAt(engine, t, at).filter((slot) => slot.kind === "counter")
      return settings.refundFailed && settled > 0 ? refund(t, counters, settled, now) : Effect.void
    }).pipe(Effect.andThen(events.flush))

  const quotaExhausted = (
    t: TierState,
    outcome: Outcome.QuotaExhausted,
    now: number
  ): Effect.Effect<void, QuotaError.QuotaError> =>
    Effect.suspend(() => {
      const retryAfter = retryAfterOf(outcome.retryAfterMs)
      const counters = t.windows.filter((w) => w.kind !== "second")
      let target: WindowState | undefined
      let kind: QuotaError.ErrorWindow = outcome.window ?? "unknown"
      if (kind === "day" || kind === "month") target = counters.find((w) => w.kind === kind)
      else if (retryAfter !== undefined && counters.length > 0) {
        // the window whose reset is nearest to what the server asks to wait
        const wanted = now + retryAfter
        target = counters.reduce((a, b) => (Math.abs(a.periodEnd - wanted) <= Math.abs(b.periodEnd - wanted) ? a : b))
        kind = target.kind
      } else {
        target = counters.find((w) => w.kind === "day") ?? counters[0]
        if (target !== undefined) kind = target.kind
      }
      const reset = target !== undefined
        ? target.periodEnd
        : Window.resetAt(kind === "month" ? "month" : "day", now, settings.calendar)
      const until = retryAfter !== undefined ? now + retryAfter : reset
      const counted = target === undefined ? Effect.void : Effect.suspend(() => {
        const w = target
        return storeCall(engine, store.set(w.slot, w.limit, now)).pipe(
          Effect.map(() => observe(engine, t, w, w.limit, now, true))
        )
      })
      return Effect.andThen(counted, Effect.sync(() => markExhausted(engine, t, kind, until, "server", now)))
    }).pipe(Effect.andThen(events.flush))

  return (options) =>
    Effect.withFiber((fiber) =>
      Effect.flatMap(tierNamed(engine, options.tier), (t) => {
        const now = fiber.getRef(Clock.Clock).currentTimeMillisUnsafe()
        refresh(engine, t, now)
        const outcome: Outcome.Outcome = options.outcome
        const weight = options.acquired?.weight ?? options.weight ?? 1
        if (!Number.isSafeInteger(weight) || weight < 1) return badWeight(weight)
        // each acquire settles once: reporting it again is a no-op
        if (options.acquired instanceof AcquiredView && options.acquired.settle(t) === "again") return Effect.void
        // and a report never refunds more than this tracker took for the tier and has not
        // settled yet (a report without `acquired`, or with a copy, settles some of that)
        const settled = Math.min(weight, t.outstanding)
        t.outstanding -= settled
        const at = options.acquired?.acquiredAt ?? now
        switch (outcome._tag) {
          case "Success":
            return Effect.void
          case "Failed":
            return settings.refundFailed && settled > 0 ? refund(t, slotsAt(engine, t, at), settled, now) : Effect.void
          case "RateLimited":
            return rateLimited(t, outcome, settled, at, now)
          case "QuotaExhausted":
            return quotaExhausted(t, outcome, now)
        }
      })
    )
}
