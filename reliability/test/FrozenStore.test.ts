/**
 * A frozen Redis at start-up: a `redis-server` of this test's own, stopped with SIGSTOP, accepts
 * TCP connections and never answers. Every start-up path through `RedisStore` must end in time:
 *
 * - fail-closed: building the store fails with a typed StoreUnavailable within its connect timeout;
 * - `Effect.timeout` around a tracker's start-up returns when it says, with no socket left open;
 * - fail-open (`startup: "background"`): the tracker starts, admits in fallback, and once the server
 *   is resumed (SIGCONT) it joins Redis and pushes the counts made meanwhile (none lost or invented).
 */
/* oxlint-disable no-underscore-dangle -- `_tag` is the field name of Effect's tagged values */
import { QuotaStore, QuotaTracker, Tier } from "@bing-effect/quota-tracker"
import { RedisStore } from "@bing-effect/quota-tracker/redis"
import { Effect, Exit, Layer, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  Capture,
  classify,
  ownRedisServer,
  printFigures,
  redisKeys,
  type RedisServer,
  runId,
  secret
} from "./support.js"

const CONNECT_TIMEOUT_MS = 500
const redisServer = ownRedisServer("frozen Redis scenario")

const sockets = () => process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length

describe.skipIf(redisServer.skip)("a frozen Redis at start-up", () => {
  let server: RedisServer
  const key = secret("frozen")
  const capture = new Capture()
  const prefix = `rel:${runId}:frozen:`

  beforeAll(async () => {
    server = await redisServer.start()
    await server.pause()
  })
  afterAll(async () => {
    if (server !== undefined) {
      await server.resume() // a failed run may leave it frozen
      await redisKeys(server.url, `${prefix}*`, true)
      await server.down("SIGKILL")
    }
    expect(capture.leaks([key])).toEqual([])
  })

  it("fails closed in time, times out in time, and starts in fallback when asked to", async () => {
    const tier = Tier.make({ name: "T", key: Redacted.make(key), limits: { perDay: 1_000_000 } })
    await new Promise((resolve) => setTimeout(resolve, 100)) // the start-up PING's socket closes
    const socketsBefore = sockets()

    // 1. fail-closed: the store's build fails with StoreUnavailable within the connect timeout
    const closedStarted = performance.now()
    const closed = await Effect.runPromiseExit(capture.observe(
      Layer.build(
        QuotaTracker.layer({ tiers: [tier] }).pipe(
          Layer.provide(RedisStore.layer({ url: server.url, prefix, connectTimeout: CONNECT_TIMEOUT_MS }))
        )
      ).pipe(Effect.scoped)
    ))
    const closedMs = performance.now() - closedStarted
    capture.addExit(closed)
    expect(classify(closed).tag).toBe("QuotaError/StoreUnavailable")
    expect(String(Exit.isFailure(closed) ? closed.cause : "")).toContain(
      `cannot connect to ${server.url}: no answer within ${CONNECT_TIMEOUT_MS} ms`
    )
    expect(closedMs).toBeLessThan(CONNECT_TIMEOUT_MS + 1_000)

    // 2. Effect.timeout around a start-up with a long connect timeout returns when it says
    const timeoutStarted = performance.now()
    const timedOut = await Effect.runPromiseExit(
      Layer.build(
        QuotaTracker.layer({ tiers: [tier] }).pipe(
          Layer.provide(RedisStore.layer({ url: server.url, prefix, connectTimeout: 30_000 }))
        )
      )
        .pipe(Effect.scoped, Effect.timeout(300))
    )
    const timeoutMs = performance.now() - timeoutStarted
    expect(Exit.isFailure(timedOut)).toBe(true)
    expect(timeoutMs).toBeLessThan(1_300)
    await new Promise((resolve) => setTimeout(resolve, 100)) // destroyed sockets close on the next turn
    const socketsLeft = sockets() - socketsBefore
    expect(socketsLeft).toBe(0)

    // 3. fail-open: starts, admits in fallback, joins Redis once it answers, pushing every count
    const ADMITS = 50
    const open = await Effect.runPromise(capture.observe(Effect.scoped(Effect.gen(function*() {
      const startedAt = performance.now()
      const store = yield* Layer.build(
        QuotaStore.layerFailOpen({ retryInterval: 200 }).pipe(
          Layer.provide(RedisStore.layer({ url: server.url, prefix, timeout: 250, startup: "background" }))
        )
      )
      const tracker = yield* QuotaTracker.make({ tiers: [tier] }).pipe(
        Effect.provideContext(store)
      )
      const started = performance.now() - startedAt
      const firstAt = performance.now()
      yield* tracker.acquire()
      const firstMs = performance.now() - firstAt
      for (let i = 1; i < ADMITS; i++) yield* tracker.acquire()
      const during = yield* tracker.status
      yield* Effect.promise(() => server.resume())
      const resumedAt = performance.now()
      let mode = during.storeMode
      let recoveredMs = -1
      for (let i = 0; i < 100 && mode !== "primary"; i++) {
        yield* Effect.sleep(50)
        const status = yield* Effect.exit(tracker.status)
        if (Exit.isSuccess(status)) mode = status.value.storeMode
        if (mode === "primary") recoveredMs = performance.now() - resumedAt
      }
      return { started, firstMs, duringMode: during.storeMode, mode, recoveredMs }
    }))))
    const stored = Object.entries(await redisKeys(server.url, `${prefix}*`)).filter(([k]) => k.includes("{T}:day:"))
    const pushed = stored.length === 1 ? Number(stored[0]![1]) : -1
    expect(open.duringMode).toBe("fallback")
    expect(open.mode).toBe("primary")
    expect(pushed).toBe(ADMITS)
    expect(open.started).toBeLessThan(500)

    console.log(
      `frozen redis at start-up: fail-closed StoreUnavailable in ${
        closedMs.toFixed(0)
      } ms (connect timeout ${CONNECT_TIMEOUT_MS} ms); ` +
        `Effect.timeout(300) returned in ${timeoutMs.toFixed(0)} ms, ${socketsLeft} sockets left; ` +
        `fail-open started in ${open.started.toFixed(0)} ms, first admit ${
          open.firstMs.toFixed(0)
        } ms, ${ADMITS} admitted in fallback, ` +
        `primary ${open.recoveredMs.toFixed(0)} ms after SIGCONT, ${pushed} pushed`
    )
    printFigures("frozen Redis at start-up", {
      "fail-closed: StoreUnavailable after (ms)": closedMs,
      "Effect.timeout(300) returned after (ms)": timeoutMs,
      "sockets left open": socketsLeft,
      "fail-open: tracker started after (ms)": open.started,
      "fail-open: first acquire (ms)": open.firstMs,
      "fail-open: admitted in fallback": ADMITS,
      "back to primary after SIGCONT (ms)": open.recoveredMs,
      "counts pushed to Redis": pushed
    })
  })
})
