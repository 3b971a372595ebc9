/**
 * What an observed count means: it feeds the forecast, crosses thresholds
 * (queued as claims with their message) and may exhaust a tier (queued as
 * `TierExhausted`).
 *
 * @internal
 */
import type * as QuotaError from "../QuotaError.js"
import * as Window from "../Window.js"
import type { Engine } from "./engine.js"
import { basisOf, forecastOf, sample } from "./forecast.js"
import { formatCount, formatPercent } from "./format.js"
import { keptUntil, nextFireOf, type TierState, type WindowState } from "./tierState.js"

const windowName = (w: WindowState): string => `${Window.adjective(w.kind)} quota`

/** Records a window's value; for day and month, samples the rate and fires the thresholds it reached. */
export const observe = (
  engine: Engine,
  t: TierState,
  w: WindowState,
  value: number,
  now: number,
  resample = false
): void => {
  w.value = value
  w.observedAt = now
  if (w.kind === "second") return
  sample(w, value, now, resample, engine.settings.smoothing)
  if (value >= w.nextFire) fire(engine, t, w, value, now)
}

const fire = (engine: Engine, t: TierState, w: WindowState, value: number, now: number): void => {
  const thresholds = engine.settings.thresholds
  for (let i = 0; i < thresholds.length; i++) {
    const bit = 1 << i
    if ((w.fired & bit) !== 0) continue
    const threshold = thresholds[i]!
    if (value < threshold * w.limit) break
    w.fired |= bit
    cross(engine, t, w, threshold, value, now)
  }
  w.nextFire = nextFireOf(w, thresholds)
}

// A threshold crossed in this process: queued as a claim, published by `flush` if it wins.
const cross = (engine: Engine, t: TierState, w: WindowState, threshold: number, value: number, now: number): void => {
  const cal = engine.settings.calendar
  const forecast = forecastOf(w, now)
  const forecastBasis = basisOf(w)
  const rate = forecastBasis === "smoothed" ? "at the current rate" : "at this period's average rate"
  const outlook = forecast === undefined
    ? `lasts until the reset at ${Window.formatTime(w.periodEnd, now, cal)} ${rate}`
    : forecast <= now
    ? `used up; resets at ${Window.formatTime(w.periodEnd, now, cal)}`
    : `runs out at ${Window.formatTime(forecast, now, cal)} ${rate}`
  engine.events.push({
    _tag: "Claim",
    // the period's key plus the threshold: expires with the period's counter, shares its Redis Cluster slot
    slot: {
      kind: "counter",
      key: `${w.slot.key}:fired:${threshold}`,
      limit: 1,
      expiresAt: keptUntil({ start: w.periodStart, end: w.periodEnd })
    },
    event: {
      _tag: "ThresholdCrossed",
      at: now,
      tier: t.tier.name,
      window: w.kind,
      threshold,
      used: value,
      limit: w.limit,
      resetsAt: w.periodEnd,
      forecast,
      forecastBasis,
      message: `${t.tier.name} ${windowName(w)} ${formatPercent(threshold)} used (${formatCount(value)}/${
        formatCount(w.limit)
      }); ${outlook}`
    }
  })
}

export const markExhausted = (
  engine: Engine,
  t: TierState,
  window: QuotaError.ErrorWindow,
  until: number,
  source: "local" | "server",
  now: number
): void => {
  const already = t.exhaustedUntil > now
  if (already && t.exhaustedUntil >= until && (t.exhaustedSource === source || source === "local")) return
  t.exhaustedUntil = Math.max(t.exhaustedUntil, until)
  t.exhaustedWindow = window
  t.exhaustedSource = source
  const what = window === "unknown" ? "quota" : `${Window.adjective(window)} quota`
  engine.events.push({
    _tag: "TierExhausted",
    at: now,
    tier: t.tier.name,
    window,
    until: t.exhaustedUntil,
    source,
    message: `${t.tier.name} ${what} is exhausted (${
      source === "server" ? "the server said so" : "local count"
    }) until ${Window.formatTime(t.exhaustedUntil, now, engine.settings.calendar)}`
  })
}
