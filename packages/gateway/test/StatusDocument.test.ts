import { Outcome, type QuotaEvent, QuotaStore } from "@bing-effect/quota-tracker"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { TestClock } from "effect/testing"
import * as StatusDocument from "../src/internal/statusDocument.js"
import * as SwitchHistory from "../src/internal/switchHistory.js"
import { secrets, tier, trackers, utc } from "./support.js"

const switched = (i: number): QuotaEvent.TierSwitched => ({
  _tag: "TierSwitched",
  at: i * 1000,
  from: i % 2 === 0 ? "S15" : "S16",
  to: i % 2 === 0 ? "S16" : "S15",
  reason: i % 2 === 0 ? "exhausted" : "reset",
  message: `switch ${i}`
})

describe("StatusDocument.make", () => {
  it.effect("shows tiers, windows, resets (ISO and epoch ms), forecasts, the active tier, tenants and switches", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(utc("2026-03-10T12:00:00Z"))
      const store = yield* QuotaStore.makeMemory
      const { tenants, tiers } = yield* trackers(store, { s15: { perSecond: 50, perDay: 2 }, s16: { perDay: 100 } })
      const history = yield* SwitchHistory.follow(tiers, 20)
      yield* tiers.acquire()
      yield* tiers.acquire() // S15's day is used up
      const onS16 = yield* tiers.acquire()
      yield* tiers.report({ tier: "S16", outcome: Outcome.success(), acquired: onS16 })
      yield* tenants.get("team-a")!.acquire({ weight: 4 })
      const doc = StatusDocument.make({
        tiers: yield* tiers.status,
        tenants: [
          { name: "team-a", status: yield* tenants.get("team-a")!.status },
          { name: "team-b", status: undefined }
        ],
        switches: history.recent()
      })
      const midnight = utc("2026-03-11T00:00:00Z")
      assert.strictEqual(doc.at, "2026-03-10T12:00:00.000Z")
      assert.strictEqual(doc.atMs, utc("2026-03-10T12:00:00Z"))
      assert.strictEqual(doc.activeTier, "S16")
      assert.deepStrictEqual(doc.store, { name: "memory", mode: "primary" })
      assert.deepStrictEqual(doc.tiers.map((t) => [t.name, t.active, t.exhausted]), [["S15", false, true], [
        "S16",
        true,
        false
      ]])
      const s15 = doc.tiers[0]!
      assert.strictEqual(s15.exhaustedUntil, "2026-03-11T00:00:00.000Z")
      assert.strictEqual(s15.exhaustedUntilMs, midnight)
      assert.strictEqual(s15.exhaustedWindow, "day")
      const s15Day = s15.windows.find((w) => w.window === "day")!
      assert.deepStrictEqual(
        [s15Day.used, s15Day.limit, s15Day.remaining, s15Day.resetsAt, s15Day.resetsAtMs],
        [2, 2, 0, "2026-03-11T00:00:00.000Z", midnight]
      )
      // the day ran out: its forecast is an instant, given both ways, with the rate's basis
      assert.isNumber(s15Day.forecastMs)
      assert.strictEqual(s15Day.forecast, new Date(s15Day.forecastMs!).toISOString())
      assert.strictEqual(s15Day.forecastBasis, "period-average")
      const s16Day = doc.tiers[1]!.windows.find((w) => w.window === "day")!
      assert.deepStrictEqual([s16Day.used, s16Day.remaining], [1, 99])
      assert.deepStrictEqual(doc.tenants[0], {
        name: "team-a",
        available: true,
        exhausted: false,
        exhaustedUntil: null,
        exhaustedUntilMs: null,
        held: false,
        heldUntil: null,
        heldUntilMs: null,
        windows: doc.tenants[0]!.available ? doc.tenants[0]!.windows : []
      })
      const tenantDay = doc.tenants[0]!.available ? doc.tenants[0]!.windows.find((w) => w.window === "day") : undefined
      assert.deepStrictEqual([tenantDay?.used, tenantDay?.limit, tenantDay?.resetsAtMs], [4, 100, midnight])
      assert.deepStrictEqual(doc.tenants[1], { name: "team-b", available: false })
      assert.strictEqual(doc.switches.length, 1)
      assert.deepInclude(doc.switches[0]!, {
        from: "S15",
        to: "S16",
        reason: "exhausted",
        at: "2026-03-10T12:00:00.000Z"
      })
    }))

  it.effect("holds no key: built field by field, whatever else a snapshot carries", () =>
    Effect.gen(function*() {
      const { tenants, tiers } = yield* trackers(yield* QuotaStore.makeMemory)
      yield* tiers.acquire()
      const status = yield* tiers.status
      // a snapshot that carries more than its type says (a Tier with its Redacted key, an
      // endpoint with credentials): none of it may reach the document
      const smuggled = {
        ...status,
        tiers: status.tiers.map((t) => ({
          ...t,
          endpoint: "https://user:hunter2@bing.example",
          key: Redacted.make(secrets.s15),
          tier: tier(t.name, secrets.s16, {}),
          rawKey: secrets.s16
        }))
      }
      const doc = StatusDocument.make({
        tiers: smuggled,
        tenants: [{ name: "team-a", status: yield* tenants.get("team-a")!.status }],
        switches: []
      })
      const json = JSON.stringify(doc)
      for (const secret of [...Object.values(secrets), "hunter2", "<redacted>", "\"key\""]) {
        assert.notInclude(json, secret)
      }
      assert.strictEqual(doc.tiers.length, 2)
    }))
})

describe("SwitchHistory", () => {
  it("keeps the last N switches, newest first, and counts every one", () => {
    const ring = SwitchHistory.makeRing(20)
    for (let i = 0; i < 25; i++) ring.push(switched(i))
    const recent = ring.recent()
    assert.strictEqual(recent.length, 20)
    assert.deepStrictEqual([recent[0]!.message, recent[19]!.message], ["switch 24", "switch 5"])
    assert.deepStrictEqual(ring.counts(), [
      { from: "S15", to: "S16", reason: "exhausted", count: 13 },
      { from: "S16", to: "S15", reason: "reset", count: 12 }
    ])
  })

  it.effect("follows the tracker's events: away when S15 runs out, back at its reset (TestClock)", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(utc("2026-03-10T23:59:00Z"))
      const { tiers } = yield* trackers(yield* QuotaStore.makeMemory, { s15: { perDay: 1 }, s16: { perDay: 100 } })
      const history = yield* SwitchHistory.follow(tiers, 20)
      yield* tiers.acquire()
      yield* tiers.acquire() // S15 is out: S16
      yield* TestClock.adjust("2 minutes") // past midnight: S15's day resets
      const back = yield* tiers.acquire()
      assert.strictEqual(back.tier.name, "S15")
      for (let i = 0; i < 10; i++) yield* Effect.yieldNow
      assert.deepStrictEqual(history.recent().map((e) => [e.from, e.to, e.reason]), [["S16", "S15", "reset"], [
        "S15",
        "S16",
        "exhausted"
      ]])
      assert.deepStrictEqual(history.counts().map((c) => c.count), [1, 1])
    }))
})
