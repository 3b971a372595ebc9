/**
 * What a tier chain costs: spend so far this day and this month per tier (transactions counted
 * times the tier's price), the spend projected to the end of each period at the current rate,
 * and how much of it came from switching to a dearer tier (traffic served by a tier other than
 * the first, times the price difference). Pure arithmetic over a status snapshot: no store, no
 * clock.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { Spend, TierCatalog, type QuotaTracker } from "@bing-effect/quota-tracker"
 *
 * const tiers = [
 *   TierCatalog.tier("S15", { key: Redacted.make("k15") }),
 *   TierCatalog.tier("S16", { key: Redacted.make("k16") })
 * ]
 * declare const status: QuotaTracker.QuotaStatus
 * const spend = Spend.compute(status.at, Spend.fromStatus(status, { tiers }))
 * console.log(spend.tiers.map((t) => `${t.name}: ${t.day.soFar} ${spend.currency} today`))
 * ```
 *
 * @since 0.4.0
 */
import type * as QuotaTracker from "./QuotaTracker.js"
import type * as Tier from "./Tier.js"
import * as Window from "./Window.js"

/**
 * One tier's count in one calendar period: `used` transactions in `[start, end)`, the rate behind
 * the projection (per second; `undefined`: the period's average so far) and the tier's limit in
 * that window, which the projection never exceeds (`undefined`: none).
 *
 * @since 0.4.0
 * @category models
 */
export interface PeriodUsage {
  readonly used: number
  readonly start: number
  readonly end: number
  readonly ratePerSecond: number | undefined
  readonly limit: number | undefined
}

/**
 * A tier's price and its day and month counts, the input of {@link compute}.
 *
 * @since 0.4.0
 * @category models
 */
export interface TierUsage {
  readonly name: string
  readonly price: Tier.Price | undefined
  readonly day: PeriodUsage
  readonly month: PeriodUsage
}

/**
 * Spend in one period; `null` when the tier has no known price.
 *
 * @since 0.4.0
 * @category models
 */
export interface PeriodSpend {
  readonly soFar: number | null
  readonly projected: number | null
}

/**
 * One tier's spend.
 *
 * @since 0.4.0
 * @category models
 */
export interface TierSpend {
  readonly name: string
  readonly day: PeriodSpend
  readonly month: PeriodSpend
}

/**
 * The spend of a tier chain. `fromSwitching` is the extra cost, so far in each period, of the
 * traffic served by a tier dearer than the first one (a cheaper later tier adds nothing); `null`
 * when the first tier has no known price. Amounts are in `currency`, rounded to 1e-6.
 *
 * @since 0.4.0
 * @category models
 */
export interface Spend {
  readonly currency: string
  readonly tiers: ReadonlyArray<TierSpend>
  readonly fromSwitching: { readonly day: number | null; readonly month: number | null }
}

const round = (amount: number): number => Math.round(amount * 1e6) / 1e6

const cost = (count: number, price: Tier.Price): number => (count * price.perThousand) / 1000

/**
 * The count a period reaches at its end at the current rate: `used` plus the rate times the time
 * left, never above the limit (the chain moves to the next tier there).
 *
 * @since 0.4.0
 * @category getters
 */
export const projectedCount = (usage: PeriodUsage, at: number): number => {
  const elapsed = Math.max(0, at - usage.start) / 1000
  const rate = usage.ratePerSecond ?? (elapsed > 0 ? usage.used / elapsed : 0)
  const left = Math.max(0, usage.end - at) / 1000
  const projected = usage.used + Math.max(0, rate) * left
  return usage.limit === undefined ? projected : Math.max(usage.used, Math.min(usage.limit, projected))
}

/**
 * Spend so far, projected, and from switching, at instant `at` (epoch ms). The tiers come in the
 * chain's order: the first is the one switching moves away from.
 *
 * @since 0.4.0
 * @category constructors
 */
export const compute = (at: number, tiers: ReadonlyArray<TierUsage>): Spend => {
  const currency = tiers.find((t) => t.price !== undefined)?.price?.currency ?? "USD"
  const period = (usage: PeriodUsage, price: Tier.Price | undefined): PeriodSpend =>
    price === undefined
      ? { soFar: null, projected: null }
      : { soFar: round(cost(usage.used, price)), projected: round(cost(projectedCount(usage, at), price)) }
  const first = tiers[0]?.price
  const switching = (kind: "day" | "month"): number | null => {
    if (first === undefined) return null
    let extra = 0
    for (const t of tiers.slice(1)) {
      if (t.price === undefined || t.price.currency !== first.currency) continue
      extra += Math.max(0, cost(t[kind].used, t.price) - cost(t[kind].used, first))
    }
    return round(extra)
  }
  return {
    currency,
    tiers: tiers.map((t) => ({ name: t.name, day: period(t.day, t.price), month: period(t.month, t.price) })),
    fromSwitching: { day: switching("day"), month: switching("month") }
  }
}

/**
 * The {@link compute} input from a tracker's status snapshot and its tiers (for their prices).
 * A tier's day or month count is its window's `used` (with the window's rate and limit); a tier
 * without that window (S16 of the catalogue has no published limit, so the tracker does not
 * count it) takes `counted(tier, kind)` instead, e.g. the requests a gateway served with it, and
 * 0 when that is `undefined` too. `calendar` is the tracker's (time zone, month anchor).
 *
 * @since 0.4.0
 * @category constructors
 */
export const fromStatus = (
  status: QuotaTracker.QuotaStatus,
  options: {
    readonly tiers: ReadonlyArray<Tier.Tier>
    readonly calendar?: Window.Calendar | undefined
    readonly counted?: ((tier: string, kind: Window.CalendarKind) => number | undefined) | undefined
  }
): ReadonlyArray<TierUsage> =>
  status.tiers.map((t) => {
    const period = (kind: Window.CalendarKind): PeriodUsage => {
      const { end, start } = Window.period(kind, status.at, options.calendar)
      const w = t.windows.find((candidate) => candidate.window === kind)
      if (w !== undefined) return { used: w.used, start, end, ratePerSecond: w.ratePerSecond, limit: w.limit }
      return { used: options.counted?.(t.name, kind) ?? 0, start, end, ratePerSecond: undefined, limit: undefined }
    }
    return {
      name: t.name,
      price: options.tiers.find((tier) => tier.name === t.name)?.price,
      day: period("day"),
      month: period("month")
    }
  })
