/**
 * Where the windows stand, read and written from outside the request flow:
 * `setUsage` (a figure from a billing report) and `status` (a snapshot of
 * every tier and window for a CLI or a dashboard).
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as QuotaError from "../QuotaError.js"
import type { QuotaStatus, Service, TierStatus, WindowStatus } from "../QuotaTracker.js"
import { type Engine, storeCall, tierNamed } from "./engine.js"
import { basisOf, forecastOf, rateOf, resetOf, usedOf } from "./forecast.js"
import { SECOND } from "./options.js"
import { refresh } from "./periods.js"
import { markExhausted, observe } from "./thresholds.js"
import type { TierState } from "./tierState.js"

export const makeSetUsage = (engine: Engine): Service["setUsage"] => (options) =>
  Effect.withFiber((fiber) =>
    Effect.flatMap(tierNamed(engine, options.tier), (t) => {
      const w = t.windows.find((candidate) => candidate.kind === options.window)
      if (w === undefined) {
        return Effect.fail(QuotaError.invalidOptions(`tier ${t.tier.name} has no ${options.window} limit`))
      }
      if (!Number.isSafeInteger(options.used) || options.used < 0) {
        return Effect.fail(
          QuotaError.invalidOptions(`used must be a non-negative integer, got ${String(options.used)}`)
        )
      }
      const now = fiber.getRef(Clock.Clock).currentTimeMillisUnsafe()
      refresh(engine, t, now)
      const used = options.used
      const value = w.kind === "second" ? now + (Math.min(used, w.limit) * SECOND) / w.limit : used
      return storeCall(engine, engine.store.set(w.slot, value, now)).pipe(
        Effect.map(() => {
          observe(engine, t, w, value, now, true)
          if (w.kind !== "second") {
            if (used >= w.limit) markExhausted(engine, t, w.kind, w.periodEnd, "local", now)
            else if (t.exhaustedWindow === w.kind && t.exhaustedSource === "local") t.exhaustedUntil = 0
            if (used < w.softLimit && t.softUntil > now) t.softUntil = 0
          }
        }),
        Effect.andThen(engine.events.flush)
      )
    })
  )

const windowStatus = (engine: Engine, t: TierState, now: number): ReadonlyArray<WindowStatus> =>
  t.windows.map((w): WindowStatus => {
    const used = usedOf(w, w.value, now)
    return {
      window: w.kind,
      used,
      limit: w.limit,
      remaining: Math.max(0, w.limit - used),
      resetsAt: resetOf(w, w.value, now),
      ratePerSecond: w.kind === "second" ? 0 : rateOf(w, now) * SECOND,
      forecast: forecastOf(w, now),
      forecastBasis: w.kind === "second" ? undefined : basisOf(w),
      thresholdsCrossed: w.kind === "second" ? [] : engine.settings.thresholds.filter((x) => used >= x * w.limit)
    }
  })

export const makeStatus = (engine: Engine): Service["status"] => {
  const { store, tiers } = engine
  return Effect.withFiber((fiber) => {
    const now = fiber.getRef(Clock.Clock).currentTimeMillisUnsafe()
    for (const t of tiers) refresh(engine, t, now)
    // one read per tier: a tier's keys share a Redis Cluster hash slot, different tiers may not
    return Effect.forEach(tiers, (t) => storeCall(engine, store.get(t.slots, now))).pipe(
      Effect.map((perTier): QuotaStatus => {
        tiers.forEach((t, i) => {
          const values = perTier[i]!
          t.windows.forEach((w, j) => {
            const value = values[j]!
            if (w.kind === "second") {
              w.value = value
              w.observedAt = now
            } else observe(engine, t, w, value, now)
          })
        })
        const below = (t: TierState, soft: boolean) =>
          t.exhaustedUntil <= now && (!soft || t.softUntil <= now) &&
          t.windows.every((w) => w.kind === "second" || w.value < (soft ? w.softLimit : w.limit))
        const next = tiers.find((t) => below(t, true)) ?? tiers.find((t) => below(t, false))
        const tierStatus = tiers.map((t): TierStatus => {
          const exhaustedByCount = t.windows.find((w) => w.kind !== "second" && w.value >= w.limit)
          return {
            name: t.tier.name,
            endpoint: t.tier.endpoint,
            active: next === t,
            held: t.holdUntil > now,
            heldUntil: t.holdUntil > now ? t.holdUntil : undefined,
            exhausted: t.exhaustedUntil > now || exhaustedByCount !== undefined,
            exhaustedUntil: t.exhaustedUntil > now ? t.exhaustedUntil : exhaustedByCount?.periodEnd,
            exhaustedWindow: t.exhaustedUntil > now ? t.exhaustedWindow : exhaustedByCount?.kind,
            switchedAway: t.softUntil > now || t.windows.some((w) => w.softLimit < w.limit && w.value >= w.softLimit),
            windows: windowStatus(engine, t, now)
          }
        })
        return {
          at: now,
          active: next?.tier.name,
          store: store.name,
          // read after the store's answers: a fail-open store may have just left (or entered) fallback
          storeMode: engine.failOpen?.mode() ?? "primary",
          tiers: tierStatus
        }
      }),
      Effect.tap(() => engine.events.flush)
    )
  })
}
