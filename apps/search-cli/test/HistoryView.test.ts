/**
 * The history section's rendering, as a pure function: sparklines scaled from the lowest to the
 * highest sample and cut to the width, every line within the columns at any width, events with
 * their times, and the one-line answers for a store without history or one that failed.
 */
import type { GatewayHistory } from "@bing-effect/gateway/history"
import type { QuotaTracker } from "@bing-effect/quota-tracker"
import { describe, expect, it } from "vitest"
import * as HistoryView from "../src/HistoryView.js"
import * as Screen from "../src/Screen.js"

const t0 = Date.UTC(2026, 10, 22, 5, 0, 0)
const status = {
  at: t0 + 60_000,
  active: "S16",
  store: "sqlite",
  storeMode: "primary",
  tiers: [
    { name: "S15", active: false, windows: [{ window: "day", limit: 100, used: 100 }] },
    { name: "S16", active: true, windows: [{ window: "day", limit: 1000, used: 7 }] }
  ]
} as unknown as QuotaTracker.QuotaStatus

const reading = (events: ReadonlyArray<GatewayHistory.Event>): HistoryView.Outcome => ({
  _tag: "read",
  reading: {
    store: "sqlite",
    shared: true,
    samples: [
      { tier: "S15", window: "day", samples: Array.from({ length: 200 }, (_, i) => [t0 + i * 1000, i / 2] as const) },
      { tier: "S16", window: "day", samples: [[t0, 7], [t0 + 1000, 7]] }
    ],
    events
  }
})

const events: ReadonlyArray<GatewayHistory.Event> = [
  { atMs: t0 + 50_000, kind: "switch", from: "S15", to: "S16", reason: "exhausted", message: "m" },
  {
    atMs: t0 + 50_000,
    kind: "exhausted",
    tier: "S15",
    window: "day",
    untilMs: Date.UTC(2026, 10, 23),
    reason: "server"
  },
  { atMs: t0 + 40_000, kind: "threshold", tier: "S15", window: "day", threshold: 0.95 },
  { atMs: t0 + 30_000, kind: "fallback", store: "redis" },
  { atMs: t0 + 20_000, kind: "recovered", store: "redis" },
  { atMs: t0 + 10_000, kind: "threshold", tier: "S15", window: "day", threshold: 0.8 }
]

const layout = (columns: number, ascii = true) => ({ columns, ascii, palette: Screen.palette(false) })

describe("HistoryView.sparkline", () => {
  it("scales from the lowest to the highest of the last `width` values", () => {
    expect(HistoryView.sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8, false)).toBe("▁▂▃▄▅▆▇█")
    expect(HistoryView.sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8, true)).toBe("_.-~=+*#")
    expect(HistoryView.sparkline([100, 0, 7, 7], 2, true)).toBe("__")
    expect(HistoryView.sparkline([5, 5, 5], 10, false)).toBe("▁▁▁")
    expect(HistoryView.sparkline([3, 9], 10, true)).toBe("_#")
  })
})

describe("HistoryView.render", () => {
  it("a sparkline per window, cut to the width, and the five newest events with their times", () => {
    const text = HistoryView.render(reading(events), status, layout(80))
    const lines = text.split("\n")
    expect(lines[0]).toBe("History (from the gateways on this store; last sample 2026-11-22 05:03:19 UTC):")
    expect(lines[1]).toMatch(/^ {2}S15 day {2}[_.\-~=+*#]+ {2}0 -> 100 in 3 min 19 s$/)
    expect(lines[1]!.length).toBe(80)
    expect(lines[2]).toBe("  S16 day  __  7 -> 7 in 1 s")
    expect(lines.slice(3)).toEqual([
      "Recent events (newest first):",
      "  2026-11-22 05:00:50 UTC  switch S15 -> S16 (exhausted)",
      "  2026-11-22 05:00:50 UTC  exhausted S15 day until 2026-11-23 00:00:00 UTC (Bing",
      "                           said so)",
      "  2026-11-22 05:00:40 UTC  threshold S15 day crossed 95%",
      "  2026-11-22 05:00:30 UTC  fallback: the redis store failed, counting in memory",
      "  2026-11-22 05:00:20 UTC  recovered: the redis store answers again",
      "  (1 more: --json has them all)"
    ])
  })

  it("fits every width down to 20 columns", () => {
    for (const columns of [20, 24, 32, 40, 57, 80, 120]) {
      for (const ascii of [true, false]) {
        const text = HistoryView.render(reading(events), status, layout(columns, ascii))
        for (const line of text.split("\n")) expect(line.length, `${columns}: ${line}`).toBeLessThanOrEqual(columns)
        expect(text.replace(/\s+/g, " ")).toContain("switch S15 -> S16 (exhausted)")
      }
    }
  })

  it("no history, and a history that could not be read: one line each", () => {
    const empty = (store: GatewayHistory.Reading["store"]): HistoryView.Outcome => ({
      _tag: "read",
      reading: { store, shared: store !== "memory", samples: [{ tier: "S15", window: "day", samples: [] }], events: [] }
    })
    expect(HistoryView.render(empty("sqlite"), status, layout(80))).toBe(
      "History: none in this store yet (no gateway has written any to this file)"
    )
    expect(HistoryView.render(empty("memory"), status, layout(80))).toBe(
      "History: none (a memory store shares none; see sqlite:, redis://, postgres://)"
    )
    expect(HistoryView.render(empty("redis"), status, { ...layout(200), prefix: "p:" })).toBe(
      "History: none in this store yet (no gateway has written any under the prefix p:; a gateway's default is bing-gateway:quota:, see --store-prefix)"
    )
    const failed: HistoryView.Outcome = { _tag: "failed", store: "redis", detail: "the store did not answer (x)" }
    expect(HistoryView.render(failed, status, layout(200))).toBe(
      "History: could not be read from the redis store (the store did not answer (x))"
    )
    expect(HistoryView.json(failed)).toEqual({
      store: "redis",
      shared: true,
      error: "the store did not answer (x)",
      samples: [],
      events: []
    })
  })
})
