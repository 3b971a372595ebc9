/**
 * `RedisStore` (the `/redis` subpath): a connection whose start-up has a deadline, against a real
 * `redis-server` of this file's own that accepts TCP and never answers (stopped with SIGSTOP).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Redacted, Stream } from "effect"
import { TestClock } from "effect/testing"
import { type ChildProcess, spawn } from "node:child_process"
import { accessSync, constants } from "node:fs"
import { connect, createServer } from "node:net"
import { delimiter, join } from "node:path"
import { afterAll, beforeAll, inject } from "vitest"
import { QuotaStore, QuotaTracker, Tier } from "../src/index.js"
import { RedisStore } from "../src/redis.js"

const redisServer = (process.env.PATH ?? "").split(delimiter).map((d) => join(d, "redis-server")).find((c) => {
  try {
    accessSync(c, constants.X_OK)
    return true
  } catch {
    return false
  }
})
const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0))
    })
  })

const pong = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1")
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once("error", () => done(false))
    socket.once("connect", () => socket.write("PING\r\n"))
    socket.once("data", (chunk) => done(String(chunk).startsWith("+PONG")))
  })

const tier = Tier.make({
  name: "T",
  key: Redacted.make("redis-store-test-key"),
  limits: { perDay: 100, perSecond: 10 }
})

const detailOf = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return "succeeded"
  const error = exit.cause.reasons.find((r) => r._tag === "Fail") as {
    readonly error?: { readonly reason?: { readonly _tag: string; readonly detail?: string } }
  } | undefined
  const reason = error?.error?.reason
  return reason === undefined ? `not a failure: ${String(exit.cause)}` : `${reason._tag}: ${reason.detail ?? ""}`
}

describe.skipIf(redisServer === undefined || !inject("redis"))("RedisStore against a frozen Redis", () => {
  let server: ChildProcess
  let frozen = ""

  beforeAll(async () => {
    const port = await freePort()
    server = spawn(redisServer!, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: "ignore"
    })
    let up = false
    for (let i = 0; i < 100 && !up; i++) {
      up = await pong(port)
      if (!up) await new Promise((r) => setTimeout(r, 50))
    }
    assert.isTrue(up)
    process.kill(server.pid!, "SIGSTOP")
    frozen = `redis://127.0.0.1:${port}`
  })

  afterAll(async () => {
    if (server === undefined || server.exitCode !== null || server.signalCode !== null) return
    const gone = new Promise((r) => server.once("exit", r))
    process.kill(server.pid!, "SIGCONT")
    process.kill(server.pid!, "SIGKILL")
    await gone
  })

  it.live("building the store fails with StoreUnavailable within the connect timeout (fail-closed)", () =>
    Effect.gen(function*() {
      const started = Date.now()
      const exit = yield* Effect.exit(Layer.build(RedisStore.layer({ url: frozen, timeout: 300 })).pipe(Effect.scoped))
      const ms = Date.now() - started
      assert.strictEqual(detailOf(exit), `StoreUnavailable: cannot connect to ${frozen}: no answer within 300 ms`)
      assert.isBelow(ms, 2_000)
    }))

  it.live("Effect.timeout around a tracker's start-up returns on time", () =>
    Effect.gen(function*() {
      const started = Date.now()
      const live = QuotaTracker.layer({ tiers: [tier] }).pipe(
        Layer.provide(RedisStore.layer({ url: frozen, connectTimeout: 5_000 }))
      )
      const exit = yield* Effect.exit(Layer.build(live).pipe(Effect.scoped, Effect.timeout(400)))
      assert.isTrue(Exit.isFailure(exit))
      assert.isBelow(Date.now() - started, 2_000, "the timeout interrupts the start-up at once")
    }))

  it.live("an interrupted start-up ends at once and leaves no socket open", () =>
    Effect.gen(function*() {
      const sockets = () => process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length
      yield* Effect.sleep(100) // sockets destroyed by the tests before are gone
      const before = sockets()
      const fiber = yield* Effect.forkChild(
        Layer.build(RedisStore.layer({ url: frozen, connectTimeout: 10_000 })).pipe(Effect.scoped)
      )
      yield* Effect.sleep(200)
      assert.strictEqual(sockets(), before + 1, "the attempt holds one socket to the frozen server")
      const started = Date.now()
      yield* Fiber.interrupt(fiber)
      assert.isBelow(Date.now() - started, 500)
      // a destroyed socket's handle closes on the next turn of the event loop
      yield* Effect.sleep(50)
      assert.strictEqual(sockets(), before, "the attempt's socket was destroyed")
    }))

  it.live("fail-open: with startup \"background\" the tracker starts, admits in fallback, and says why", () =>
    Effect.gen(function*() {
      const store = yield* Layer.build(
        QuotaStore.layerFailOpen().pipe(
          Layer.provide(RedisStore.layer({ url: frozen, timeout: 200, startup: "background" }))
        )
      )
      const tracker = yield* QuotaTracker.make({ tiers: [tier] }).pipe(
        Effect.provideContext(store)
      )
      const details: Array<string> = []
      yield* Stream.runForEach(
        tracker.events,
        (e) => Effect.sync(() => e._tag === "StoreFallback" && details.push(e.detail))
      ).pipe(Effect.forkScoped)
      yield* Effect.yieldNow
      const started = Date.now()
      const acquired = yield* tracker.acquire()
      assert.strictEqual(acquired.tier.name, "T")
      assert.isBelow(Date.now() - started, 1_500)
      const status = yield* tracker.status
      assert.strictEqual(status.storeMode, "fallback")
      assert.strictEqual(status.tiers[0]!.windows.find((w) => w.window === "day")!.used, 1)
      for (let i = 0; i < 10; i++) yield* Effect.yieldNow
      // the Redis is frozen, not the store closed
      assert.deepStrictEqual(details, [`acquire failed: cannot connect to ${frozen}: no answer within 200 ms`])
    }).pipe(Effect.scoped))
})

describe.skipIf(!inject("redis"))("RedisStore against a live Redis", () => {
  it.effect("counts like QuotaStore.layerRedis, with a Redacted URL", () =>
    Effect.gen(function*() {
      const store = yield* QuotaStore.QuotaStore
      const key = `{rs-${process.pid}-${Date.now()}}:day:0`
      const slot: QuotaStore.Slot = { kind: "counter", key, limit: 2, expiresAt: Date.now() + 60_000 }
      const now = Date.now()
      assert.deepStrictEqual((yield* store.acquire([slot], 1, now)).refused, -1)
      assert.deepStrictEqual((yield* store.acquire([slot], 1, now)).refused, -1)
      assert.deepStrictEqual((yield* store.acquire([slot], 1, now)).refused, 0)
      yield* store.set(slot, 0, now)
    }).pipe(Effect.provide(RedisStore.layer({ url: Redacted.make(url), prefix: "bing-quota-test:redis-store:" }))))

  it.live("a refused connection fails with StoreUnavailable naming the server, never the password", () =>
    Effect.gen(function*() {
      const port = yield* Effect.promise(freePort)
      const exit = yield* Effect.exit(
        Layer.build(RedisStore.layer({ url: `redis://user:hunter2-secret@127.0.0.1:${port}` })).pipe(Effect.scoped)
      )
      const detail = detailOf(exit)
      assert.match(
        detail,
        new RegExp(`^StoreUnavailable: cannot connect to redis://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`)
      )
      assert.notInclude(detail, "hunter2")
    }))

  it.effect("the connection keeps real time: under a TestClock that never moves, or is set to a date, it starts and answers", () =>
    Effect.gen(function*() {
      // the connection pool's timers would otherwise run for every minute since 1970
      yield* TestClock.setTime(Date.parse("2026-11-22T10:00:00Z"))
      const store = yield* QuotaStore.makeRedis({ prefix: "bing-quota-test:redis-store:" })
      assert.deepStrictEqual(
        yield* store.get([{ kind: "bucket", key: `{rs-${process.pid}}:second`, limit: 1, interval: 1000 }], 0),
        [0]
      )
    }).pipe(Effect.provide(RedisStore.layerConnection({ url, connectTimeout: 1_000 }))))
})
