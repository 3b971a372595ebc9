/**
 * Redis outage: calls go through the client, whose quota tracker counts in a Redis server this test
 * starts on its own port. The server is killed by its pid for a few seconds, then started again on
 * the same port (empty: `--save ""`), while 8 lanes keep calling the emulator.
 *
 * - Fail-closed: every call made while Redis is down fails with a typed StoreUnavailable, none
 *   crashes, and calls succeed again by themselves once Redis is back.
 * - Fail-open: every call is admitted; the counts made in memory while Redis was down are pushed to
 *   Redis once it answers again. Since the restarted server is empty, the check is: the Redis day
 *   counter equals the calls admitted from the kill on (counts lost = 0, counts invented = 0).
 *
 * The load is paused (in-flight calls drain) at the kill and at the restart, so that each call
 * belongs to one phase: before, gap (Redis down) or after.
 */
/* oxlint-disable no-underscore-dangle -- `_tag` is the field name of Effect's tagged values */
import { BingClient } from "@bing-effect/client"
import { Emulator } from "@bing-effect/emulator"
import { QuotaStore, QuotaTracker, Tier } from "@bing-effect/quota-tracker"
import { RedisStore } from "@bing-effect/quota-tracker/redis"
import { Effect, Exit, Fiber, Layer, Redacted, Stream } from "effect"
import { FetchHttpClient } from "effect/http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  Capture,
  classify,
  ownRedisServer,
  percentile,
  printFigures,
  redisKeys,
  type RedisServer,
  runId,
  secret
} from "./support.js"

const LANES = 8
const GAP_MS = 3_000
const STORE_TIMEOUT_MS = 250
const redisServer = ownRedisServer("Redis outage scenario")

type Phase = "before" | "gap" | "after"
interface CallRecord {
  readonly phase: Phase
  readonly startedAt: number
  readonly ms: number
  readonly kind: "ok" | "fail" | "defect" | "interrupt"
  readonly tag: string
}

const figures = (records: ReadonlyArray<CallRecord>) => {
  const of = (p: Phase) => records.filter((r) => r.phase === p)
  const count = (rs: ReadonlyArray<CallRecord>, pred: (r: CallRecord) => boolean) => rs.filter(pred).length
  return { of, count }
}

describe.skipIf(redisServer.skip)("Redis outage", () => {
  let server: RedisServer
  let emulator: Emulator.EmulatorHandle
  const key = secret("outage")
  const capture = new Capture()

  beforeAll(async () => {
    server = await redisServer.start()
    emulator = await Emulator.start({ keys: [{ name: "outage", key }], requestLogSize: 100_000 })
  })
  afterAll(async () => {
    await emulator?.stop()
    await server?.down("SIGTERM")
  })

  const scenario = (mode: "closed" | "open", outage: "kill" | "pause" = "kill") => {
    const prefix = `rel:${runId}:${mode}-${outage}:`
    const redis = RedisStore.layer({ url: server.url, prefix, timeout: STORE_TIMEOUT_MS })
    const tracker = QuotaTracker.layer({
      tiers: [Tier.make({ name: "T", key: Redacted.make(key), limits: { perDay: 1_000_000 } })]
    }).pipe(
      Layer.provide(
        mode === "open" ? QuotaStore.layerFailOpen({ retryInterval: 200 }).pipe(Layer.provide(redis)) : redis
      )
    )
    const live = BingClient.layerWithQuota({
      endpoint: emulator.url,
      allowInsecureLoopback: true,
      timeout: "2 seconds"
    })
      .pipe(
        Layer.provideMerge(tracker),
        Layer.provide(FetchHttpClient.layer)
      )

    return Effect.gen(function*() {
      const client = yield* BingClient.BingClient
      const quota = yield* QuotaTracker.QuotaTracker
      const events: Array<{ _tag: string; pushed?: number }> = []
      const listener = yield* Effect.forkChild(Stream.runForEach(quota.events, (e) =>
        Effect.sync(() => {
          events.push(e)
          capture.add(e, e.message)
        })))
      yield* Effect.sleep(20)

      const records: Array<CallRecord> = []
      const state = { phase: "before" as Phase, paused: false, stopped: false, inFlight: 0 }
      const lane = (n: number) =>
        Effect.gen(function*() {
          let i = 0
          while (!state.stopped) {
            if (state.paused) {
              yield* Effect.sleep(5)
              continue
            }
            const phase = state.phase
            const startedAt = performance.now()
            state.inFlight++
            const exit = yield* Effect.exit(client.webSearch({ q: `outage ${n} ${i++ % 20}` }))
            state.inFlight--
            capture.addExit(exit)
            records.push({ phase, startedAt, ms: performance.now() - startedAt, ...classify(exit) })
            yield* Effect.sleep(10)
          }
        })
      const drain = Effect.gen(function*() {
        state.paused = true
        while (state.inFlight > 0) yield* Effect.sleep(5)
      })
      const lanes = yield* Effect.forkChild(
        Effect.all(Array.from({ length: LANES }, (_, n) => lane(n)), { concurrency: "unbounded" })
      )

      yield* Effect.sleep(1_000)
      yield* drain
      yield* Effect.promise(() => (outage === "kill" ? server.down("SIGKILL") : server.pause()))
      state.phase = "gap"
      state.paused = false
      yield* Effect.sleep(GAP_MS)
      yield* drain
      yield* Effect.promise(() => (outage === "kill" ? server.up() : server.resume()))
      const restartedAt = performance.now()
      state.phase = "after"
      state.paused = false
      // run until calls have been admitted again for a second (bounded)
      let resumedAt: number | undefined
      for (let i = 0; i < 300; i++) {
        const firstOk = records.find((r) => r.phase === "after" && r.kind === "ok")
        if (firstOk !== undefined) {
          resumedAt = firstOk.startedAt + firstOk.ms
          if (performance.now() - resumedAt > 1_000) break
        }
        yield* Effect.sleep(50)
      }
      state.stopped = true
      yield* Fiber.join(lanes)
      // fail-open: the counts still in memory reach Redis at the next store operation after the
      // retry interval; `status` is one (bounded)
      let storeMode = "fallback"
      for (let i = 0; i < 50 && storeMode !== "primary"; i++) {
        yield* Effect.sleep(100)
        const status = yield* Effect.exit(quota.status)
        if (Exit.isSuccess(status)) storeMode = status.value.storeMode
      }
      yield* Effect.sleep(50)
      yield* Fiber.interrupt(listener)
      return { records, events, restartedAt, resumedAt, storeMode }
    }).pipe(Effect.provide(live), (e) => capture.observe(e))
  }

  it("fail-closed: each call in the gap gets StoreUnavailable, none crashes, service resumes by itself", async () => {
    const { records, resumedAt, restartedAt } = await Effect.runPromise(scenario("closed"))
    const { count, of } = figures(records)
    const gap = of("gap")
    const after = of("after")
    const admittedAfter = count(after, (r) => r.kind === "ok")
    const stored = await redisKeys(server.url, `rel:${runId}:closed-kill:*`)
    const counter = Object.entries(stored).filter(([k]) => k.includes(":day:")).reduce((n, [, v]) => n + Number(v), 0)
    printFigures("Redis outage, fail-closed (Redis SIGKILLed for 3 s, restarted empty)", {
      calls: records.length,
      admitted: count(records, (r) => r.kind === "ok"),
      "refused (StoreUnavailable)": count(records, (r) => r.tag === "QuotaError/StoreUnavailable"),
      "calls in the gap": gap.length,
      "gap calls refused": count(gap, (r) => r.tag === "QuotaError/StoreUnavailable"),
      "other errors": count(records, (r) => r.kind === "fail" && r.tag !== "QuotaError/StoreUnavailable"),
      defects: count(records, (r) => r.kind === "defect" || r.kind === "interrupt"),
      "gap call p99 ms": percentile(gap.map((r) => r.ms), 99),
      "resumed ms after restart": resumedAt === undefined ? "never" : Math.round(resumedAt - restartedAt),
      "admitted after restart": admittedAfter,
      "redis counter after": counter,
      "counts lost": Math.max(0, admittedAfter - counter),
      "counts invented": Math.max(0, counter - admittedAfter)
    })
    expect(gap.length).toBeGreaterThan(LANES)
    expect(gap.every((r) => r.tag === "QuotaError/StoreUnavailable")).toBe(true)
    expect(of("before").every((r) => r.kind === "ok")).toBe(true)
    expect(records.filter((r) => r.kind === "defect" || r.kind === "interrupt")).toEqual([])
    // after the restart: refusals only until the client reconnects, then admissions only
    expect(resumedAt).toBeDefined()
    const afterResume = after.filter((r) => r.startedAt > resumedAt!)
    expect(afterResume.length).toBeGreaterThan(0)
    expect(afterResume.every((r) => r.kind === "ok")).toBe(true)
    expect(after.every((r) => r.kind === "ok" || r.tag === "QuotaError/StoreUnavailable")).toBe(true)
    // the gap is bounded by the store timeout, not by Redis' absence
    expect(Math.max(...gap.map((r) => r.ms))).toBeLessThan(STORE_TIMEOUT_MS + 2_000)
    expect(counter).toBe(admittedAfter)
  }, 60_000)

  it("fail-open: calls go on, and the counts made during the gap reach Redis after it returns", async () => {
    const { events, records, storeMode } = await Effect.runPromise(scenario("open"))
    const { count, of } = figures(records)
    const admittedFromKill = count([...of("gap"), ...of("after")], (r) => r.kind === "ok")
    const stored = await redisKeys(server.url, `rel:${runId}:open-kill:*`)
    const counter = Object.entries(stored).filter(([k]) => k.includes(":day:")).reduce((n, [, v]) => n + Number(v), 0)
    const pushed = events.filter((e) => e._tag === "StoreRecovered").reduce((n, e) => n + (e.pushed ?? 0), 0)
    printFigures("Redis outage, fail-open (Redis SIGKILLed for 3 s, restarted empty)", {
      calls: records.length,
      admitted: count(records, (r) => r.kind === "ok"),
      refused: count(records, (r) => r.kind !== "ok"),
      "calls in the gap": of("gap").length,
      "admitted from the kill on": admittedFromKill,
      "StoreFallback events": events.filter((e) => e._tag === "StoreFallback").length,
      "StoreRecovered events": events.filter((e) => e._tag === "StoreRecovered").length,
      "pushed to Redis on recovery": pushed,
      "redis counter after": counter,
      "counts lost": Math.max(0, admittedFromKill - counter),
      "counts invented": Math.max(0, counter - admittedFromKill),
      "store mode at the end": storeMode
    })
    expect(of("gap").length).toBeGreaterThan(LANES)
    expect(records.filter((r) => r.kind !== "ok")).toEqual([])
    expect(storeMode).toBe("primary")
    expect(events.some((e) => e._tag === "StoreFallback")).toBe(true)
    expect(events.some((e) => e._tag === "StoreRecovered")).toBe(true)
    expect(counter).toBe(admittedFromKill)
  }, 60_000)

  it(
    "fail-closed, Redis frozen (SIGSTOP) instead of killed: nothing lost; refused calls may still be counted",
    async () => {
      const { records, resumedAt } = await Effect.runPromise(scenario("closed", "pause"))
      const { count, of } = figures(records)
      const admitted = count(records, (r) => r.kind === "ok")
      const refused = count(records, (r) => r.tag === "QuotaError/StoreUnavailable")
      const stored = await redisKeys(server.url, `rel:${runId}:closed-pause:*`)
      const counter = Object.entries(stored).filter(([k]) => k.includes(":day:")).reduce((n, [, v]) => n + Number(v), 0)
      printFigures("Redis outage, fail-closed, Redis frozen with SIGSTOP for 3 s then SIGCONT (data kept)", {
        calls: records.length,
        admitted,
        "refused (StoreUnavailable)": refused,
        "calls in the gap": of("gap").length,
        defects: count(records, (r) => r.kind === "defect" || r.kind === "interrupt"),
        "redis counter after": counter,
        "counts lost": Math.max(0, admitted - counter),
        "counts invented (refused, yet counted)": Math.max(0, counter - admitted)
      })
      expect(of("gap").length).toBeGreaterThan(LANES)
      expect(of("gap").every((r) => r.tag === "QuotaError/StoreUnavailable")).toBe(true)
      expect(records.filter((r) => r.kind === "defect" || r.kind === "interrupt")).toEqual([])
      expect(resumedAt).toBeDefined()
      // the acquires that timed out were queued by the Redis client and run when Redis woke up:
      // the tracker may over-count by at most the calls it refused, and never under-counts
      expect(counter).toBeGreaterThanOrEqual(admitted)
      expect(counter).toBeLessThanOrEqual(admitted + refused)
    },
    60_000
  )

  it("leaks no subscription key into logs, spans or errors", () => {
    printFigures("Redis outage, secrets", {
      "log lines": capture.logLines,
      spans: capture.spans.length,
      "bytes scanned": capture.bytes,
      leaks: capture.leaks([key]).length
    })
    expect(capture.spans.length).toBeGreaterThan(0)
    expect(capture.leaks([key])).toEqual([])
  })
})
