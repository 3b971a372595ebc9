import { NodeRedis } from "@effect/platform-node"
import { assert, describe, it, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Redis } from "effect/persistence"
import { QuotaStore } from "../src/index.js"
import { contract } from "./QuotaStoreContract.js"

const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379"
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

describe.skipIf(process.env.BING_EFFECT_SKIP_REDIS === "1")("QuotaStore.layerRedis", () => {
  contract("redis", StoreLive)

  layer(StoreLive, { excludeTestServices: true })((it) => {
    it.effect("one acquire of three windows is exactly one command (EVALSHA)", () =>
      Effect.gen(function*() {
        const store = yield* QuotaStore.QuotaStore
        const redis = yield* Redis.Redis
        const now = Date.now()
        const slots: Array<QuotaStore.Slot> = [
          { kind: "counter", key: "{rt}:month:0", limit: 1000, expiresAt: now + 60_000 },
          { kind: "counter", key: "{rt}:day:0", limit: 1000, expiresAt: now + 60_000 },
          { kind: "bucket", key: "{rt}:second", limit: 1000, interval: 1000 }
        ]
        yield* store.acquire(slots, 1, now) // loads the script once
        const calls = (info: string) =>
          Object.fromEntries([...info.matchAll(/cmdstat_(\w+):calls=(\d+)/g)].map((m) => [m[1]!, Number(m[2])]))
        const before = calls(yield* redis.send<string>("INFO", "commandstats"))
        for (let i = 0; i < 10; i++) yield* store.acquire(slots, 1, now)
        const after = calls(yield* redis.send<string>("INFO", "commandstats"))
        // INFO itself is counted once between the two snapshots
        assert.strictEqual((after.evalsha ?? 0) - (before.evalsha ?? 0), 10)
        assert.strictEqual((after.eval ?? 0) - (before.eval ?? 0), 0)
        // inside the script: one MGET per acquire, no separate GET
        assert.strictEqual((after.mget ?? 0) - (before.mget ?? 0), 10)
        assert.strictEqual((after.get ?? 0) - (before.get ?? 0), 0)
      }))

    it.effect("keys carry the prefix and expire when their period ends", () =>
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
