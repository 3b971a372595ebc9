import { NodeRedis } from "@effect/platform-node"
import { assert, describe, inject, it, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Redis } from "effect/persistence"
import { connect } from "node:net"
import { QuotaStore } from "../src/index.js"
import { contract } from "./QuotaStoreContract.js"

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"

// A raw MONITOR connection collecting the lines Redis reports.
const monitor = (redisUrl: string) =>
  new Promise<{ readonly lines: Array<string>; readonly close: () => void }>((resolve, reject) => {
    const { hostname, port } = new URL(redisUrl)
    const socket = connect(Number(port || 6379), hostname || "127.0.0.1")
    const lines: Array<string> = []
    let buffer = ""
    socket.on("data", (chunk) => {
      buffer += String(chunk)
      const parts = buffer.split("\r\n")
      buffer = parts.pop()!
      for (const line of parts) {
        if (line === "+OK") resolve({ lines, close: () => socket.destroy() })
        else lines.push(line)
      }
    })
    socket.once("error", reject)
    socket.once("connect", () => socket.write("MONITOR\r\n"))
  })
const prefix = `bing-quota-test:${process.pid}:${Date.now()}:`
const RedisLive = NodeRedis.layer({ url })

// deletes this run's keys when the layer closes
const Cleanup = Layer.effectDiscard(Effect.gen(function*() {
  const redis = yield* Redis.Redis
  yield* Effect.addFinalizer(() =>
    Effect.gen(function*() {
      const keys = yield* redis.send<Array<string>>("KEYS", `${prefix}*`)
      if (keys.length > 0) yield* redis.send("DEL", ...keys)
    }).pipe(Effect.ignore)
  )
}))

const StoreLive = Layer.mergeAll(QuotaStore.layerRedis({ prefix }), Cleanup).pipe(Layer.provideMerge(RedisLive))

describe.skipIf(!inject("redis"))("QuotaStore.layerRedis", () => {
  contract("redis", StoreLive)

  layer(StoreLive, { excludeTestServices: true })((withStore) => {
    withStore.effect("one acquire of three windows is exactly one command (EVALSHA)", () =>
      Effect.gen(function*() {
        const store = yield* QuotaStore.QuotaStore
        const now = Date.now()
        const slots: Array<QuotaStore.Slot> = [
          { kind: "counter", key: "{rt}:month:0", limit: 1000, expiresAt: now + 60_000 },
          { kind: "counter", key: "{rt}:day:0", limit: 1000, expiresAt: now + 60_000 },
          { kind: "bucket", key: "{rt}:second", limit: 1000, interval: 1000 }
        ]
        yield* store.acquire(slots, 1, now) // loads the script once
        // MONITOR sees every command a client sends; commands run inside a script are marked "lua".
        // Only this run's keys are counted: other processes may share the server.
        const seen = yield* Effect.acquireRelease(
          Effect.promise(() => monitor(url)),
          (m) => Effect.sync(() => m.close())
        )
        for (let i = 0; i < 10; i++) yield* store.acquire(slots, 1, now)
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 200)))
        const sent = seen.lines.filter((line) => line.includes(`${prefix}{rt}`) && !line.includes(" lua]"))
        assert.strictEqual(sent.length, 10, sent.join("\n"))
        assert.isTrue(sent.every((line) => line.includes(`"EVALSHA"`) || line.includes(`"evalsha"`)))
        const inside = seen.lines.filter((line) => line.includes(`${prefix}{rt}`) && line.includes(" lua]"))
        assert.isAbove(inside.length, 10, "the script itself reads and writes the keys")
      }))

    withStore.effect("keys carry the prefix and expire when their period ends", () =>
      Effect.gen(function*() {
        const store = yield* QuotaStore.QuotaStore
        const redis = yield* Redis.Redis
        const now = Date.now()
        const slot: QuotaStore.Slot = { kind: "counter", key: "{ttl}:day:0", limit: 10, expiresAt: now + 90_000 }
        yield* store.acquire([slot], 1, now)
        const ttl = yield* redis.send<number>("PTTL", `${prefix}{ttl}:day:0`)
        assert.ok(ttl > 85_000 && ttl <= 90_000, `PTTL ${ttl}`)
        const bucketSlot: QuotaStore.Slot = { kind: "bucket", key: "{ttl}:second", limit: 10, interval: 1000 }
        yield* store.acquire([bucketSlot], 1, now)
        const bucketTtl = yield* redis.send<number>("PTTL", `${prefix}{ttl}:second`)
        assert.ok(bucketTtl > 0 && bucketTtl <= 102, `bucket PTTL ${bucketTtl}`)
      }))
  })
})

// No server needed: a Redis service that hangs or fails.
describe("QuotaStore.layerRedis failures", () => {
  const fake = (behaviour: Effect.Effect<never, Redis.RedisError>) =>
    Layer.succeed(Redis.Redis, Redis.Redis.of({
      send: () => behaviour,
      eval: () => () => behaviour,
      subscribe: () => Effect.die("unused"),
      reserve: Effect.die("unused")
    }))
  const slot: QuotaStore.Slot = { kind: "counter", key: "{x}:day:0", limit: 5, expiresAt: Date.now() + 60_000 }

  it.live("a call slower than the timeout fails with StoreUnavailable", () =>
    Effect.gen(function*() {
      const store = yield* QuotaStore.QuotaStore
      const started = Date.now()
      const error = yield* Effect.flip(store.acquire([slot], 1, Date.now()))
      assert.strictEqual(error.reason._tag, "StoreUnavailable")
      assert.strictEqual(error.message, "The redis quota store is unavailable: acquire timed out after 50 ms")
      assert.isBelow(Date.now() - started, 1000)
      assert.strictEqual((yield* Effect.flip(store.get([slot], Date.now()))).reason._tag, "StoreUnavailable")
    }).pipe(Effect.provide(QuotaStore.layerRedis({ timeout: 50 }).pipe(Layer.provide(fake(Effect.never))))))

  it.live("a Redis error becomes StoreUnavailable, not a defect", () =>
    Effect.gen(function*() {
      const store = yield* QuotaStore.QuotaStore
      const error = yield* Effect.flip(store.acquire([slot], 1, Date.now()))
      assert.strictEqual(error.reason._tag, "StoreUnavailable")
      assert.include(error.message, "ECONNREFUSED")
      const refund = yield* Effect.flip(store.refund([slot], 1, Date.now()))
      assert.strictEqual(refund.reason._tag, "StoreUnavailable")
    }).pipe(Effect.provide(QuotaStore.layerRedis().pipe(Layer.provide(fake(Effect.fail(new Redis.RedisError({ cause: new Error("connect ECONNREFUSED 127.0.0.1:1") }))))))))
})
