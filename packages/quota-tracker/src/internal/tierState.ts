/**
 * The tracker's mutable state per tier and per window, and the store slots it
 * derives from it. Built once from the settings; `periods.ts` rolls it over,
 * the other modules read and update it.
 *
 * @internal
 */
import type * as Effect from "effect/Effect"
import type * as QuotaError from "../QuotaError.js"
import type { Slot } from "../QuotaStore.js"
import * as Tier from "../Tier.js"
import * as Window from "../Window.js"
import type { PreparedSlots } from "./capabilities.js"
import type { LocalCounter } from "./metrics.js"
import { SECOND, type Settings } from "./options.js"

export interface WindowState {
  readonly kind: Window.WindowKind
  readonly limit: number
  /** Limit used while looking for a tier below `switchAt` (counters of non-last tiers). */
  readonly softLimit: number
  periodStart: number
  periodEnd: number
  slot: Slot
  softSlot: Slot
  /** Last observed value: a count, or the bucket's arrival time. */
  value: number
  observedAt: number
  /** Bit i set: thresholds[i] fired in this period. */
  fired: number
  /** The count at which the next unfired threshold fires (Infinity when all have): one comparison per acquire. */
  nextFire: number
  // forecast
  sampleAt: number
  sampleUsed: number
  rate: number // per ms
  hasRate: boolean
}

/** The synchronous refusal of a tier's per-second window, kept while its wait stays the same (see `acquire.ts`). */
export interface RateRefusal {
  readonly _tag: "Refused"
  readonly wait: number
  readonly failure: Effect.Effect<never, QuotaError.QuotaError>
}

export interface TierState {
  readonly tier: Tier.Tier
  readonly index: number
  /** Month, day, second: the windows with a limit. */
  readonly windows: ReadonlyArray<WindowState>
  slots: Array<Slot>
  softSlots: Array<Slot>
  readonly hasSoft: boolean
  /** `[validFrom, validUntil)`: every counter window is in its current period (roll-over is one check). */
  validFrom: number
  validUntil: number
  /** The memory store's prepared slots for `slots` / `softSlots`, dropped at roll-over. */
  prepared: PreparedSlots | undefined
  softPrepared: PreparedSlots | undefined
  holdUntil: number
  /** The length of the hold: `holdUntil` is never more than this ahead of now, unless the clock stepped back. */
  holdFor: number
  exhaustedUntil: number
  exhaustedWindow: QuotaError.ErrorWindow
  exhaustedSource: "local" | "server"
  softUntil: number
  /** Weight admitted by this tracker and not yet reported: the most a report may refund. */
  outstanding: number
  refusals: LocalCounter
  rateRefusals: LocalCounter
  rateRefusal: RateRefusal | undefined
}

// A period's counter outlives its period by one more period: a clock that steps back into it
// (an NTP step, a VM restored from a snapshot) finds its count instead of an expired key.
export const keptUntil = (period: Window.Period): number => period.end + (period.end - period.start)

export const keyOf = (tier: string, kind: Window.WindowKind, periodStart: number): string =>
  kind === "second" ? `{${tier}}:second` : `{${tier}}:${kind}:${periodStart}`

export const counterSlot = (tier: string, kind: Window.WindowKind, limit: number, period: Window.Period): Slot => ({
  kind: "counter",
  key: keyOf(tier, kind, period.start),
  limit,
  expiresAt: keptUntil(period)
})

/** The count at which the first threshold not yet fired in this period fires. */
export const nextFireOf = (w: WindowState, thresholds: ReadonlyArray<number>): number => {
  for (let i = 0; i < thresholds.length; i++) if ((w.fired & (1 << i)) === 0) return thresholds[i]! * w.limit
  return Number.POSITIVE_INFINITY
}

/** Re-derives a tier's slot lists and validity interval after a window changed period. */
export const rederive = (t: TierState): void => {
  t.slots = t.windows.map((w) => w.slot)
  t.softSlots = t.windows.map((w) => w.softSlot)
  let from = Number.NEGATIVE_INFINITY
  let until = Number.POSITIVE_INFINITY
  for (const w of t.windows) {
    if (w.kind === "second") continue
    if (w.periodStart > from) from = w.periodStart
    if (w.periodEnd < until) until = w.periodEnd
  }
  t.validFrom = from
  t.validUntil = until
  t.prepared = undefined
  t.softPrepared = undefined
}

const noCount: LocalCounter = { count: 0 }

export const makeTierStates = (settings: Settings, now: number): Array<TierState> => {
  const last = settings.tiers.length - 1
  return settings.tiers.map((tier, index) => {
    const windows: Array<WindowState> = []
    for (const kind of Window.kinds) {
      const limit = Tier.limitOf(tier, kind)
      if (limit === undefined) continue
      const softLimit = kind !== "second" && index < last ? Math.max(1, Math.floor(limit * settings.switchAt)) : limit
      const period = Window.period(kind, now, settings.calendar)
      const slot: Slot = kind === "second"
        ? { kind: "bucket", key: keyOf(tier.name, kind, 0), limit, interval: SECOND }
        : counterSlot(tier.name, kind, limit, period)
      const w: WindowState = {
        kind,
        limit,
        softLimit,
        periodStart: period.start,
        periodEnd: period.end,
        slot,
        softSlot: softLimit === limit ? slot : { ...slot, limit: softLimit },
        value: 0,
        observedAt: now,
        fired: 0,
        nextFire: 0,
        sampleAt: -1,
        sampleUsed: 0,
        rate: 0,
        hasRate: false
      }
      w.nextFire = kind === "second" ? Number.POSITIVE_INFINITY : nextFireOf(w, settings.thresholds)
      windows.push(w)
    }
    const t: TierState = {
      tier,
      index,
      windows,
      slots: [],
      softSlots: [],
      hasSoft: windows.some((w) => w.softLimit !== w.limit),
      validFrom: 0,
      validUntil: 0,
      prepared: undefined,
      softPrepared: undefined,
      holdUntil: 0,
      holdFor: 0,
      exhaustedUntil: 0,
      exhaustedWindow: "unknown",
      exhaustedSource: "local",
      softUntil: 0,
      outstanding: 0,
      refusals: noCount,
      rateRefusals: noCount,
      rateRefusal: undefined
    }
    rederive(t)
    return t
  })
}
