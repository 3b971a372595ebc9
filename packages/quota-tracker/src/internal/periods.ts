/**
 * Period roll-over: a day or month window whose period has ended (or, after the
 * clock stepped back, not yet begun) moves to the period of now, with a new
 * counter key and a fresh count, thresholds and forecast.
 *
 * @internal
 */
import type { Slot } from "../QuotaStore.js"
import * as Window from "../Window.js"
import type { Engine } from "./engine.js"
import { counterSlot, nextFireOf, rederive, type TierState } from "./tierState.js"

export const refresh = (engine: Engine, t: TierState, now: number): void => {
  // the clock stepped back: a hold lasts its own length from now, not the step's
  if (t.holdUntil - now > t.holdFor) t.holdUntil = now + t.holdFor
  // every counter window is in its period: the common case, one comparison
  if (now >= t.validFrom && now < t.validUntil) return
  const cal = engine.settings.calendar
  let changed = false
  for (const w of t.windows) {
    if (w.kind === "second" || (now >= w.periodStart && now < w.periodEnd)) continue
    const period = Window.period(w.kind, now, cal)
    if (period.end <= w.periodStart) {
      // the clock stepped back into an earlier period: what was decided for the later one
      // (exhausted, past switchAt) does not hold here; this period's own count decides
      if (t.exhaustedUntil > period.end && t.exhaustedWindow === w.kind) t.exhaustedUntil = 0
      if (t.softUntil > period.end) t.softUntil = 0
    }
    w.periodStart = period.start
    w.periodEnd = period.end
    w.slot = counterSlot(t.tier.name, w.kind, w.limit, period)
    w.softSlot = w.softLimit === w.limit ? w.slot : { ...w.slot, limit: w.softLimit }
    w.value = 0
    w.fired = 0
    w.nextFire = nextFireOf(w, engine.settings.thresholds)
    w.sampleAt = -1
    w.hasRate = false
    w.rate = 0
    changed = true
  }
  if (changed) rederive(t)
}

/** The slots of the periods that contain `at` (a refund of an acquire made in an earlier period hits that period). */
export const slotsAt = (engine: Engine, t: TierState, at: number): Array<Slot> =>
  t.windows.map((w) => {
    if (w.kind === "second") return w.slot
    if (at >= w.periodStart && at < w.periodEnd) return w.slot
    return counterSlot(t.tier.name, w.kind, w.limit, Window.period(w.kind, at, engine.settings.calendar))
  })
