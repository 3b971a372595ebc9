/**
 * Usage, resets and forecasts of one window: what a bucket's arrival time
 * means as a count, the smoothed request rate of a day or month window, and
 * when the window runs out at that rate.
 *
 * @internal
 */
import type { ForecastBasis } from "../QuotaTracker.js"
import { SECOND } from "./options.js"
import type { WindowState } from "./tierState.js"

type Window = Pick<WindowState, "kind" | "limit" | "periodEnd">

/** The count a value stands for: itself for counters, the tokens in use for the per-second bucket. */
export const usedOf = (w: Pick<WindowState, "kind" | "limit">, value: number, now: number): number => {
  if (w.kind !== "second") return value
  if (value <= now) return 0
  return Math.min(w.limit, Math.ceil(((value - now) * w.limit) / SECOND - 1e-9))
}

/** When the window is whole again: the period's end, or the instant the bucket is full. */
export const resetOf = (w: Window, value: number, now: number): number =>
  w.kind === "second" ? Math.max(now, Math.ceil(value)) : w.periodEnd

// Where a day or month window's rate comes from: the smoothed rate measured in this process
// once it has two samples; before that (a process that has just started on a shared store),
// the average rate since the period began.
export const basisOf = (w: WindowState): ForecastBasis => (w.hasRate ? "smoothed" : "period-average")

/** Requests per ms behind the forecast (day and month windows). */
export const rateOf = (w: WindowState, now: number): number => {
  if (w.hasRate) return w.rate
  const elapsed = now - w.periodStart
  return elapsed > 0 && w.value > 0 ? w.value / elapsed : 0
}

// When the window runs out at its rate; undefined when it lasts until its reset. The per-second
// window has no rate forecast: it is out now when the bucket is empty.
export const forecastOf = (w: WindowState, now: number): number | undefined => {
  if (w.kind === "second") return usedOf(w, w.value, now) >= w.limit ? now : undefined
  if (w.value >= w.limit) return now
  const rate = rateOf(w, now)
  if (!(rate > 0)) return undefined
  const at = now + (w.limit - w.value) / rate
  return at < w.periodEnd ? Math.ceil(at) : undefined
}

/**
 * Feeds a day or month count into the smoothed rate: exponentially smoothed over
 * samples at least a second apart (so a burst within a second is one sample). A
 * figure set from outside (`resample`) is a new starting point, not a burst of
 * requests.
 */
export const sample = (w: WindowState, value: number, now: number, resample: boolean, smoothing: number): void => {
  if (w.sampleAt < 0 || resample) {
    w.sampleAt = now
    w.sampleUsed = value
  } else if (now - w.sampleAt >= SECOND) {
    const dt = now - w.sampleAt
    const instant = Math.max(0, value - w.sampleUsed) / dt
    if (w.hasRate) w.rate += (1 - Math.exp(-dt / smoothing)) * (instant - w.rate)
    else {
      w.rate = instant
      w.hasRate = true
    }
    w.sampleAt = now
    w.sampleUsed = value
  }
}
