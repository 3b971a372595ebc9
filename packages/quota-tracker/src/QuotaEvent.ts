/**
 * Events published by the quota tracker on its `events` stream (and written
 * as log lines). Every event carries the instant it happened (`at`, epoch ms
 * from the tracker's `Clock`) and a `message` for humans, such as
 * `"S15 daily quota 80% used (800/1,000); runs out at 17:40 UTC at the current rate"`.
 *
 * @since 0.1.0
 */
import type { ErrorWindow, StoreName } from "./QuotaError.js"
import type { ForecastBasis } from "./QuotaTracker.js"
import type { WindowKind } from "./Window.js"

/**
 * A window of a tier crossed one of the thresholds: once per window period,
 * across every process sharing the store (the first process to see the
 * crossing claims it with one store write). `forecast` is when the window runs
 * out at the current rate, or `undefined` when it will not run out before it
 * resets; `forecastBasis` says whether that rate is the smoothed rate measured
 * in this process or, before its first sample, the period's average rate.
 *
 * @since 0.1.0
 * @category models
 */
export interface ThresholdCrossed {
  readonly _tag: "ThresholdCrossed"
  readonly at: number
  readonly tier: string
  readonly window: WindowKind
  readonly threshold: number
  readonly used: number
  readonly limit: number
  readonly resetsAt: number
  readonly forecast: number | undefined
  readonly forecastBasis: ForecastBasis
  readonly message: string
}

/**
 * Why the tracker moved to another tier.
 *
 * - `"threshold"`: the previous tier's day or month usage reached `switchAt`.
 * - `"exhausted"`: the previous tier's quota is used up by the local count.
 * - `"server-quota"`: the server answered 403 (quota) for the previous tier.
 * - `"reset"`: back to an earlier (cheaper) tier after its window reset.
 *
 * @since 0.1.0
 * @category models
 */
export type SwitchReason = "threshold" | "exhausted" | "server-quota" | "reset"

/**
 * Requests now go to another tier.
 *
 * @since 0.1.0
 * @category models
 */
export interface TierSwitched {
  readonly _tag: "TierSwitched"
  readonly at: number
  readonly from: string
  readonly to: string
  readonly reason: SwitchReason
  readonly message: string
}

/**
 * A tier is exhausted until `until` (the reset of `window`), found by the
 * local count (`source: "local"`) or reported by the server (`"server"`).
 *
 * @since 0.1.0
 * @category models
 */
export interface TierExhausted {
  readonly _tag: "TierExhausted"
  readonly at: number
  readonly tier: string
  readonly window: ErrorWindow
  readonly until: number
  readonly source: "local" | "server"
  readonly message: string
}

/**
 * A tier is held after a 429 until `until`.
 *
 * @since 0.1.0
 * @category models
 */
export interface TierHeld {
  readonly _tag: "TierHeld"
  readonly at: number
  readonly tier: string
  readonly until: number
  readonly message: string
}

/**
 * The store failed and the tracker fails open: it admits requests and counts
 * them in memory until the store answers again.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoreFallback {
  readonly _tag: "StoreFallback"
  readonly at: number
  readonly store: StoreName
  readonly detail: string
  readonly message: string
}

/**
 * The store answers again; `pushed` requests counted in memory meanwhile were
 * added to it.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoreRecovered {
  readonly _tag: "StoreRecovered"
  readonly at: number
  readonly store: StoreName
  readonly pushed: number
  readonly message: string
}

/**
 * Every event of the quota tracker.
 *
 * @since 0.1.0
 * @category models
 */
export type QuotaEvent = ThresholdCrossed | TierSwitched | TierExhausted | TierHeld | StoreFallback | StoreRecovered
