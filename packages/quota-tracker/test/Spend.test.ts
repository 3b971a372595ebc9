import { Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { type QuotaTracker, Spend, Tier, TierCatalog, Window } from "../src/index.js"

const key = Redacted.make("k")
const usd = (perThousand: number): Tier.Price => ({ perThousand, currency: "USD", confidence: "configured" })
const at = Date.parse("2026-03-10T12:00:00.000Z")
const day = Window.period("day", at)
const month = Window.period("month", at)

const period = (used: number, p: Window.Period, extra: Partial<Spend.PeriodUsage> = {}): Spend.PeriodUsage => ({
  used,
  start: p.start,
  end: p.end,
  ratePerSecond: undefined,
  limit: undefined,
  ...extra
})

describe("Spend.compute", () => {
  it("prices the count so far and projects it to the end of the period at the given rate, capped at the limit", () => {
    const spend = Spend.compute(at, [{
      name: "S15",
      price: usd(28),
      // 12 hours left in the day: 1/s for 43,200 s more
      day: period(1000, day, { ratePerSecond: 1 }),
      month: period(5000, month, { ratePerSecond: 1, limit: 6000 })
    }])
    expect(spend.currency).toBe("USD")
    expect(spend.tiers[0]!.day).toEqual({ soFar: 28, projected: (44_200 * 28) / 1000 })
    expect(spend.tiers[0]!.month).toEqual({ soFar: 140, projected: 168 })
  })

  it("uses the period's average rate when none is given", () => {
    // 1,000 in the first 12 hours: 2,000 by midnight
    const spend = Spend.compute(at, [{ name: "S16", price: usd(200), day: period(1000, day), month: period(0, month) }])
    expect(spend.tiers[0]!.day).toEqual({ soFar: 200, projected: 400 })
    expect(spend.tiers[0]!.month).toEqual({ soFar: 0, projected: 0 })
  })

  it("counts the extra cost of traffic served by a dearer later tier, nothing for a cheaper one", () => {
    const spend = Spend.compute(at, [
      { name: "S15", price: usd(28), day: period(1_000_000, day), month: period(3_000_000, month) },
      { name: "S16", price: usd(200), day: period(500, day), month: period(2000, month) },
      { name: "cheap", price: usd(5), day: period(10_000, day), month: period(10_000, month) }
    ])
    expect(spend.fromSwitching).toEqual({ day: (500 * 172) / 1000, month: (2000 * 172) / 1000 })
    expect(spend.tiers.map((t) => t.day.soFar)).toEqual([28_000, 100, 50])
  })

  it("leaves a tier without a price at null, and fromSwitching too when the first tier has none", () => {
    const spend = Spend.compute(at, [
      { name: "S17", price: undefined, day: period(10, day), month: period(10, month) },
      { name: "S16", price: usd(200), day: period(10, day), month: period(10, month) }
    ])
    expect(spend.tiers[0]).toEqual({
      name: "S17",
      day: { soFar: null, projected: null },
      month: { soFar: null, projected: null }
    })
    expect(spend.fromSwitching).toEqual({ day: null, month: null })
    expect(spend.currency).toBe("USD")
  })

  it("rounds away binary noise", () => {
    const spend = Spend.compute(at, [{
      name: "x",
      price: usd(0.1),
      day: period(3000, day),
      month: period(3000, month)
    }])
    expect(spend.tiers[0]!.day.soFar).toBe(0.3)
  })
})

describe("Spend.fromStatus", () => {
  const window = (kind: "day" | "month", used: number, limit: number, rate: number): QuotaTracker.WindowStatus => ({
    window: kind,
    used,
    limit,
    remaining: limit - used,
    resetsAt: Window.resetAt(kind, at),
    ratePerSecond: rate,
    forecast: undefined,
    forecastBasis: "smoothed",
    thresholdsCrossed: []
  })
  const tierStatus = (name: string, windows: ReadonlyArray<QuotaTracker.WindowStatus>): QuotaTracker.TierStatus => ({
    name,
    endpoint: undefined,
    active: false,
    held: false,
    heldUntil: undefined,
    exhausted: false,
    exhaustedUntil: undefined,
    exhaustedWindow: undefined,
    switchedAway: false,
    windows
  })

  it("takes a window's count, rate and limit, and `counted` for a window the tracker does not have", () => {
    const status: QuotaTracker.QuotaStatus = {
      at,
      active: "S16",
      store: "memory",
      storeMode: "primary",
      tiers: [tierStatus("S15", [window("day", 1_000_000, 1_000_000, 3)]), tierStatus("S16", [])]
    }
    const tiers = [TierCatalog.tier("S15", { key }), TierCatalog.tier("S16", { key })]
    const asked: Array<string> = []
    const usage = Spend.fromStatus(status, {
      tiers,
      counted: (tier, kind) => {
        asked.push(`${tier}:${kind}`)
        return tier === "S16" && kind === "day" ? 40 : undefined
      }
    })
    expect(usage[0]!.day).toEqual({
      used: 1_000_000,
      start: day.start,
      end: day.end,
      ratePerSecond: 3,
      limit: 1_000_000
    })
    expect(usage[0]!.month).toEqual(period(0, month))
    expect(usage[1]!.day).toEqual(period(40, day))
    expect(usage[1]!.price?.perThousand).toBe(200)
    expect(asked).toEqual(["S15:month", "S16:day", "S16:month"])
    const spend = Spend.compute(at, usage)
    expect(spend.tiers[0]!.day).toEqual({ soFar: 28_000, projected: 28_000 })
    expect(spend.fromSwitching.day).toBe((40 * 172) / 1000)
  })

  it("follows the calendar given (a day in New York)", () => {
    const calendar = Window.calendarUnsafe({ timeZone: "America/New_York" })
    const status: QuotaTracker.QuotaStatus = {
      at,
      active: "S16",
      store: "memory",
      storeMode: "primary",
      tiers: [tierStatus("S16", [])]
    }
    const [s16] = Spend.fromStatus(status, { tiers: [Tier.make({ name: "S16", key })], calendar })
    expect(s16!.day.start).toBe(Window.period("day", at, calendar).start)
    expect(s16!.day.start).not.toBe(day.start)
    expect(s16!.price).toBeUndefined()
  })
})
