/**
 * The history: sampling on the TestClock (interval, fine and coarse series, the day's roll-over,
 * retention of the current and previous period, bounds), events and spend, in memory; then two
 * gateways sharing one real SQLite file or one real Redis, which must show the same history.
 */
import { QuotaStore, QuotaTracker, StoreSpec, Tier, Window } from "@bing-effect/quota-tracker"
import { PgClient } from "@effect/sql-pg"
import { assert, describe, inject, it } from "@effect/vitest"
import { Duration, Effect, Redacted, Result } from "effect"
import type { Redis } from "effect/persistence"
import * as Reactivity from "effect/reactivity/Reactivity"
import { TestClock } from "effect/testing"
import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, expect } from "vitest"
import type { Gateway, GatewayConfig } from "../src/index.js"
import * as History from "../src/internal/history.js"
import type { HistoryDocument } from "../src/internal/historyDocument.js"
import * as HistoryStore from "../src/internal/historyStore.js"
import {
  call,
  config,
  realSleep,
  S15_KEY,
  S16_KEY,
  secrets,
  TEAM_A_KEY,
  transcript,
  useEmulator,
  withGateway
} from "./fixtures.js"
import { tier, utc } from "./support.js"

const usd = (perThousand: number): Tier.Price => ({ perThousand, currency: "USD", confidence: "configured" })

const windowOf = (doc: HistoryDocument, tierName: string, kind: string) =>
  doc.tiers.find((t) => t.name === tierName)!.windows.find((w) => w.window === kind)!

const settings = { sampleIntervalMs: 60_000, fineSamples: 6, maxSamples: 8, maxEvents: 5 }

const recorder = (chain: { s15: Tier.Limits; s16: Tier.Limits }) =>
  Effect.gen(function*() {
    const quota = yield* QuotaStore.makeMemory
    const tiers = [
      Tier.make({ ...tier("S15", S15_KEY, chain.s15), price: usd(28) }),
      Tier.make({ ...tier("S16", S16_KEY, chain.s16), price: usd(200) })
    ]
    const tracker = yield* QuotaTracker.make({ tiers }).pipe(Effect.provideService(QuotaStore.QuotaStore, quota))
    const history = yield* History.make({
      tracker,
      tiers,
      tenants: new Map(),
      store: HistoryStore.makeMemory({ maxEvents: settings.maxEvents, dedupeMs: History.dedupeMs(settings) }),
      calendar: Window.utc,
      thresholds: [0.8, 0.95],
      switchAt: 1,
      settings,
      bound: Duration.seconds(1)
    })
    const document = Effect.map(history.document, (doc) => {
      assert.isDefined(doc)
      return doc!
    })
    return { tracker, history, document }
  })

describe("History (memory, TestClock)", () => {
  it.effect("samples every interval on the Clock; fine samples bounded; the day rolls over; older periods dropped", () =>
    Effect.scoped(Effect.gen(function*() {
      yield* TestClock.setTime(utc("2026-03-10T23:50:00.000Z"))
      const { document, tracker } = yield* recorder({ s15: { perDay: 1000 }, s16: { perDay: 1000 } })
      // the first sample is taken at start, before any traffic
      let day = windowOf(yield* document, "S15", "day")
      assert.deepStrictEqual(day.samples, [[utc("2026-03-10T23:50:00.000Z"), 0]])
      for (let i = 0; i < 3; i++) yield* tracker.acquire()
      yield* TestClock.adjust("59 seconds")
      assert.strictEqual(windowOf(yield* document, "S15", "day").samples.length, 1, "no sample before the interval")
      yield* TestClock.adjust("1 second")
      day = windowOf(yield* document, "S15", "day")
      assert.deepStrictEqual(day.samples.at(-1), [utc("2026-03-10T23:51:00.000Z"), 3])
      assert.strictEqual(day.periodStartMs, utc("2026-03-10T00:00:00.000Z"))
      assert.deepStrictEqual([day.limit, day.used, day.thresholds, day.switchAt], [1000, 3, [0.8, 0.95], 1])
      assert.strictEqual(windowOf(yield* document, "S16", "day").switchAt, null, "the last tier switches nowhere")

      // past midnight: the new day counts from 0, yesterday's samples stay (the previous period)
      yield* TestClock.adjust("20 minutes")
      day = windowOf(yield* document, "S15", "day")
      assert.strictEqual(day.periodStartMs, utc("2026-03-11T00:00:00.000Z"))
      assert.strictEqual(day.used, 0)
      const fine = day.samples.filter(([at]) => at >= utc("2026-03-11T00:06:00.000Z"))
      assert.strictEqual(fine.length, settings.fineSamples, "the last fine samples, one per interval")
      assert.isTrue(day.samples.some(([at, used]) => at < utc("2026-03-11T00:00:00.000Z") && used === 3))
      assert.deepStrictEqual(day.samples.at(-1), [utc("2026-03-11T00:11:00.000Z"), 0])
      const ats = day.samples.map(([at]) => at)
      assert.deepStrictEqual(ats, [...ats].sort((a, b) => a - b), "oldest first")

      // a day later, the day before yesterday is gone; never more than fine + coarse samples
      yield* TestClock.adjust("1 day")
      day = windowOf(yield* document, "S15", "day")
      assert.isTrue(day.samples.every(([at]) => at >= utc("2026-03-11T00:00:00.000Z")), "only this day and the last")
      assert.isAtMost(day.samples.length, settings.fineSamples + settings.maxSamples)
      const month = windowOf(yield* document, "S15", "month")
      assert.isUndefined(month, "S15 has no month limit: no month window")
    })))

  it.effect("records the switch, the exhaustion and the thresholds, once each, newest first, bounded", () =>
    Effect.scoped(Effect.gen(function*() {
      yield* TestClock.setTime(utc("2026-03-10T12:00:00.000Z"))
      const { document, tracker } = yield* recorder({ s15: { perDay: 5 }, s16: {} })
      for (let i = 0; i < 6; i++) yield* tracker.acquire()
      const before = yield* document
      // not written yet: shown from this replica's pending events
      assert.isTrue(before.events.some((e) => e.kind === "switch"))
      yield* TestClock.adjust("1 minute")
      const doc = yield* document
      const kinds = doc.events.map((e) => e.kind)
      assert.deepStrictEqual(kinds.filter((k) => k === "switch").length, 1)
      const sw = doc.events.find((e) => e.kind === "switch")!
      assert.deepStrictEqual([sw.tier, sw.from, sw.to, sw.reason], ["S15", "S15", "S16", "exhausted"])
      assert.isTrue(doc.events.some((e) => e.kind === "threshold" && e.threshold === 0.8 && e.window === "day"))
      assert.isTrue(doc.events.some((e) => e.kind === "exhausted" && e.tier === "S15"))
      assert.isAtMost(doc.events.length, settings.maxEvents)
      const ats = doc.events.map((e) => e.atMs)
      assert.deepStrictEqual(ats, [...ats].sort((a, b) => b - a), "newest first")
      assert.deepStrictEqual(doc.tiers.map((t) => [t.name, t.active]), [["S15", false], ["S16", true]])
    })))

  it.effect("spend: the tracker's count for a counted window, the served count for an uncounted one", () =>
    Effect.scoped(Effect.gen(function*() {
      yield* TestClock.setTime(utc("2026-03-10T12:00:00.000Z"))
      const { document, history, tracker } = yield* recorder({ s15: { perDay: 5 }, s16: {} })
      for (let i = 0; i < 5; i++) yield* tracker.acquire()
      const served = (tierName: string, status = 200) => ({
        route: "search" as const,
        method: "GET",
        path: "/v7.0/search",
        status,
        outcome: "served" as const,
        tenant: "team-a",
        tier: tierName,
        traceId: undefined,
        durationMs: 1,
        upstreamMs: 1
      })
      const now = utc("2026-03-10T12:00:00.000Z")
      for (let i = 0; i < 4; i++) history.observe(served("S16"), now)
      history.observe(served("S16", 429), now) // not billed
      history.observe(served("S15"), now) // S15's day is the tracker's
      const spend = (yield* document).spend
      assert.deepStrictEqual(spend.tiers.find((t) => t.name === "S15")!.day.soFar, 0.14)
      // S16 has no limits: its day and month are what the gateway served with it
      assert.deepStrictEqual(spend.tiers.find((t) => t.name === "S16")!.day.soFar, 0.8)
      assert.deepStrictEqual(spend.tiers.find((t) => t.name === "S16")!.month.soFar, 0.8)
      assert.deepStrictEqual(spend.fromSwitching, { day: 0.688, month: 0.688 })
      // the same after the counts are written to the store
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual((yield* document).spend.fromSwitching, { day: 0.688, month: 0.688 })
      assert.deepStrictEqual(
        (yield* document).tiers.map((t) => t.price),
        [usd(28), usd(200)].map(({ confidence, currency, perThousand }) => ({ perThousand, currency, confidence }))
      )
    })))
})

// --- two gateways on one shared store -------------------------------------------------------------

const emu = useEmulator()
const ADMIN = "admin-token-history-7f3e9a1c"
const dir = mkdtempSync(join(tmpdir(), "gw-history-"))
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
  const everything = transcript.join("\n")
  for (const secret of [...secrets, ADMIN]) expect(everything).not.toContain(secret)
})

const sharedConfig = (store: GatewayConfig.Store): GatewayConfig.GatewayConfig =>
  config(emu.current.url, {
    tiers: [
      Tier.make({ name: "S15", key: Redacted.make(S15_KEY), limits: { perDay: 5 }, price: usd(28) }),
      // no limits: the tracker does not count it, the gateways count what they serve with it
      Tier.make({ name: "S16", key: Redacted.make(S16_KEY), price: usd(200) })
    ],
    store,
    adminToken: Redacted.make(ADMIN)
  })

const admin = { headers: { authorization: `Bearer ${ADMIN}` } }
const search = { headers: { "Ocp-Apim-Subscription-Key": TEAM_A_KEY } }
const options = { history: { sampleInterval: "10 seconds", fineSamples: 4, maxSamples: 4 } } as const

/** What must be the same on every replica: samples, events, spend so far (rates and forecasts are per process). */
const shared = (doc: HistoryDocument) => ({
  tiers: doc.tiers.map((t) => ({ name: t.name, windows: t.windows.map((w) => [w.window, w.used, w.samples]) })),
  events: doc.events,
  spend: doc.spend.tiers.map((t) => [t.name, t.day.soFar, t.month.soFar]),
  fromSwitching: doc.spend.fromSwitching
})

/**
 * `settle`: real time after each 10 s of the TestClock, for the replicas' writes to land (a write
 * still in flight at the next 10 s is timed out by its 1 s bound, and its events stay pending).
 */
const twoReplicas = (store: GatewayConfig.Store, count: Effect.Effect<ReadonlyArray<number>>, settle = 100) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(emu.current.now())
    const cfg = sharedConfig(store)
    yield* withGateway(cfg, (a) =>
      withGateway(cfg, (b) =>
        Effect.gen(function*() {
          for (let i = 0; i < 7; i++) {
            const seen = yield* call(`${a}/v7.0/search?q=dinghy`, search)
            assert.strictEqual(seen.status, 200, seen.text)
          }
          // ten intervals: ten samples per window on each replica, one per slot in the store
          for (let i = 0; i < 10; i++) {
            yield* TestClock.adjust("10 seconds")
            yield* realSleep(settle)
          }
          const seenA = yield* call(`${a}/_gateway/history`, admin)
          const seenB = yield* call(`${b}/_gateway/history`, admin)
          assert.strictEqual(seenA.status, 200)
          assert.strictEqual(seenB.status, 200)
          const docA = JSON.parse(seenA.text) as HistoryDocument
          const docB = JSON.parse(seenB.text) as HistoryDocument
          assert.deepStrictEqual(shared(docB), shared(docA))
          assert.deepStrictEqual(docA.historyStore, { name: store._tag, available: true })
          const s15 = windowOf(docA, "S15", "day")
          assert.strictEqual(s15.used, 5)
          // fine: 4 kept; coarse: the same slot for every sample of these 100 s
          assert.isAtMost(s15.samples.length, 4 + 1)
          assert.isAtLeast(s15.samples.length, 4)
          const sw = docB.events.filter((e) => e.kind === "switch")
          assert.deepStrictEqual(sw.map((e) => [e.from, e.to, e.reason]), [["S15", "S16", "exhausted"]])
          // S16 served 2: $0.40 at $200, $0.344 of it from switching (vs S15's $28)
          assert.deepStrictEqual(docB.spend.tiers.map((t) => [t.name, t.day.soFar]), [["S15", 0.14], ["S16", 0.4]])
          assert.deepStrictEqual(docB.spend.fromSwitching, { day: 0.344, month: 0.344 })
          // the status document carries the same spend
          const status = JSON.parse((yield* call(`${b}/_gateway/status`, admin)).text)
          assert.deepStrictEqual(status.spend.fromSwitching, { day: 0.344, month: 0.344 })
          // bounded in the store: one sample per slot, whatever the number of replicas
          for (const n of yield* count) assert.isAtMost(n, 4)
          for (const text of [seenA.text, seenB.text]) {
            for (const secret of [S15_KEY, S16_KEY, TEAM_A_KEY, ADMIN]) assert.notInclude(text, secret)
          }
          assert.strictEqual((yield* call(`${a}/_gateway/history`)).status, 401)
        }), options), options)
  })

describe("history settings from the configuration", () => {
  it.effect("the file's history.sampleIntervalMs and maxEvents are used; Gateway options win over them", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(emu.current.now())
      const cfg = { ...sharedConfig({ _tag: "memory" }), history: { sampleIntervalMs: 30_000, maxEvents: 2 } }
      const doc = (nodeOptions: Gateway.NodeOptions) =>
        withGateway(cfg, (base) =>
          Effect.gen(function*() {
            for (let i = 0; i < 7; i++) assert.strictEqual((yield* call(`${base}/v7.0/search?q=x`, search)).status, 200)
            yield* TestClock.adjust("30 seconds")
            yield* realSleep(20)
            return JSON.parse((yield* call(`${base}/_gateway/history`, admin)).text) as HistoryDocument
          }), nodeOptions)
      const fromFile = yield* doc({})
      assert.strictEqual(fromFile.sampleIntervalMs, 30_000)
      // a switch, an exhaustion and two thresholds happened: only the 2 newest are kept
      assert.strictEqual(fromFile.events.length, 2)
      assert.deepStrictEqual(windowOf(fromFile, "S15", "day").samples.map(([, used]) => used), [0, 5])
      const overridden = yield* doc({ history: { sampleInterval: "15 seconds" } })
      assert.strictEqual(overridden.sampleIntervalMs, 15_000)
      assert.strictEqual(overridden.events.length, 2, "the file's maxEvents still applies")
    }))
})

describe.skipIf(!inject("postgres"))("History shared by two gateways over PostgreSQL", () => {
  const url = process.env["POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"
  const table = `gw_history_test_${randomUUID().replaceAll("-", "").slice(0, 12)}`
  const ns = `${table}|gw:`
  const sql = <A>(text: string, params: ReadonlyArray<unknown> = []) =>
    Effect.scoped(Effect.flatMap(
      PgClient.make({ url: Redacted.make(url), maxConnections: 1 }),
      (client) => client.unsafe<A & object>(text, params as Array<unknown>)
    )).pipe(Effect.provide(Reactivity.layer), Effect.orDie)
  afterAll(() =>
    Effect.runPromise(Effect.gen(function*() {
      yield* sql(`DROP TABLE IF EXISTS "${table}"`)
      yield* sql(`DROP FUNCTION IF EXISTS "${table}_acquire_v1"`)
      yield* sql(`DROP FUNCTION IF EXISTS "${table}_acquire_batch_v1"`)
      // the history tables are shared by every gateway of the database: only this test's rows go
      for (const t of ["samples", "events", "seen", "served"]) {
        yield* sql(`DELETE FROM gateway_history_${t} WHERE ns = $1`, [ns])
      }
    }))
  )

  it.effect("a real PostgreSQL: both replicas return the same history, bounded (a gateway used to dial Redis)", () => {
    const at = new URL(url)
    at.searchParams.set("table", table)
    const spec = StoreSpec.parse(at.toString(), { prefix: "gw:" })
    assert.isTrue(Result.isSuccess(spec))
    return twoReplicas(
      (spec as Result.Success<GatewayConfig.Store, never>).success,
      Effect.map(
        sql<{ n: string }>(
          `SELECT COUNT(*) AS n FROM gateway_history_samples WHERE ns = $1 GROUP BY scope, name, win, grain`,
          [ns]
        ),
        (rows) => {
          assert.isAbove(rows.length, 0)
          return rows.map((r) => Number(r.n))
        }
      ),
      // a write is a transaction of a few statements: on a busy machine it takes longer than 20 ms,
      // and the next 10 s of the TestClock would time it out (its bound is 1 s of that clock)
      150
    )
  }, 30_000)
})

describe("GET /_gateway/history/stream", () => {
  it.effect("server-sent `history` events with the document; 401 without the token; ends when the gateway stops", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(emu.current.now())
      const cfg = sharedConfig({ _tag: "memory" })
      const controller = new AbortController()
      const reading = yield* withGateway(cfg, (base) =>
        Effect.gen(function*() {
          assert.strictEqual((yield* call(`${base}/_gateway/history/stream`)).status, 401)
          return yield* Effect.promise(async () => {
            const response = await fetch(`${base}/_gateway/history/stream`, { ...admin, signal: controller.signal })
            assert.strictEqual(response.headers.get("content-type"), "text/event-stream")
            const reader = response.body!.getReader()
            let text = ""
            while (!text.includes("event: history\ndata: ")) {
              const { done, value } = await reader.read()
              if (done) break
              text += Buffer.from(value).toString("utf8")
            }
            // the rest is read while the gateway stops
            const rest = (async () => {
              const started = Date.now()
              for (let i = 0; i < 1000; i++) {
                const { done } = await reader.read()
                if (done) return Date.now() - started
              }
              return Number.POSITIVE_INFINITY
            })()
            return { text, rest }
          })
        }), options)
      // the layer is closed: the stream has ended, well before the 2 s drain bound
      const closedIn = yield* Effect.promise(() =>
        Promise.race([reading.rest, new Promise<number>((resolve) => setTimeout(() => resolve(-1), 1500))])
      )
      controller.abort()
      assert.isAtLeast(closedIn, 0, "the stream ended when the gateway stopped")
      assert.match(reading.text, /^retry: 2000\n\n/)
      const frame = reading.text.split("event: history\ndata: ")[1]!.split("\n\n")[0]!
      const doc = JSON.parse(frame) as HistoryDocument
      assert.deepStrictEqual(doc.tiers.map((t) => t.name), ["S15", "S16"])
      assert.strictEqual(doc.sampleIntervalMs, 10_000)
      for (const secret of [S15_KEY, S16_KEY, TEAM_A_KEY, ADMIN]) assert.notInclude(reading.text, secret)
    }))
})

describe("History shared by two gateways", () => {
  it.effect("a real SQLite file: both replicas return the same history, bounded", () => {
    const filename = join(dir, "quota.db")
    return twoReplicas(
      { _tag: "sqlite", filename },
      Effect.promise(async () => {
        const { DatabaseSync } = await import("node:sqlite")
        const db = new DatabaseSync(filename)
        try {
          const rows = db.prepare(
            "SELECT COUNT(*) AS n FROM gateway_history_samples GROUP BY scope, name, win, grain"
          ).all() as Array<{ n: number }>
          assert.isAbove(rows.length, 0)
          return rows.map((r) => Number(r.n))
        } finally {
          db.close()
        }
      })
    )
  })

  describe.skipIf(!inject("redis"))("over Redis", () => {
    const url = process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379"
    const prefix = `test:gw-history:${randomUUID()}:`
    const withRedis = <A>(use: (redis: Redis.Redis["Service"]) => Effect.Effect<A, unknown>) =>
      Effect.scoped(Effect.gen(function*() {
        const { RedisStore } = yield* Effect.promise(() => import("@bing-effect/quota-tracker/redis"))
        return yield* use(yield* RedisStore.makeConnection({ url }))
      })).pipe(Effect.orDie)
    afterAll(() =>
      Effect.runPromise(withRedis((redis) =>
        Effect.gen(function*() {
          const keys = yield* redis.send<Array<string>>("KEYS", `${prefix}*`)
          if (keys.length > 0) yield* redis.send("DEL", ...keys)
        })
      ))
    )

    it.effect("a real Redis: both replicas return the same history, bounded", () =>
      twoReplicas(
        { _tag: "redis", url: Redacted.make(url), prefix },
        withRedis((redis) =>
          Effect.gen(function*() {
            const keys = (yield* redis.send<Array<string>>("KEYS", `${prefix}history:*`))
              .filter((k) => !k.includes(":served:"))
            assert.isAbove(keys.length, 0)
            return yield* Effect.forEach(keys, (k) => redis.send<number>("ZCARD", k))
          })
        )
      ))
  })
})
