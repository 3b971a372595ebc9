import { NodeRedis } from "@effect/platform-node"
import { assert, describe, inject, it, layer } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { Redis } from "effect/persistence"
import { connect } from "node:net"
import { QuotaStore, QuotaTracker, Tier } from "../src/index.js"
import { RedisStore } from "../src/redis.js"
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
const runPrefix = `bing-quota-test:${process.pid}:${Date.now()}`

// deletes this run's keys when the layer closes
const cleanup = (prefix: string) =>
  Layer.effectDiscard(Effect.gen(function*() {
    const redis = yield* Redis.Redis
    yield* Effect.addFinalizer(() =>
      Effect.gen(function*() {
        const keys = yield* redis.send<Array<string>>("KEYS", `${prefix}*`)
        if (keys.length > 0) yield* redis.send("DEL", ...keys)
      }).pipe(Effect.ignore)
    )
  }))

// The same suites over Effect's own driver (the store through the generic `Redis` service) and over
// this package's connection (the store's fast path, node-redis' promise without an Effect per command).
const connections: ReadonlyArray<readonly [string, Layer.Layer<Redis.Redis, unknown>]> = [
  ["NodeRedis.layer", NodeRedis.layer({ url })],
  ["RedisStore.layerConnection", RedisStore.layerConnection({ url })]
]

for (const [connectionName, RedisLive] of connections) {
  const prefix = `${runPrefix}:${connectionName}:`
  const StoreLive = Layer.mergeAll(QuotaStore.layerRedis({ prefix }), cleanup(prefix)).pipe(
    Layer.provideMerge(RedisLive)
  )

  describe.skipIf(!inject("redis"))(`QuotaStore.layerRedis over ${connectionName}`, () => {
    contract(`redis over ${connectionName}`, StoreLive)

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

      withStore.effect(
        "a tracker's acquires, one by one and 64 at once, are exactly one command each (EVALSHA)",
        () =>
          Effect.gen(function*() {
            const store = yield* QuotaStore.QuotaStore
            const tracker = yield* QuotaTracker.make({
              tiers: [
                Tier.make({
                  name: "Rt64",
                  key: Redacted.make("rt64-key"),
                  limits: { perSecond: 1_000_000, perDay: 1_000_000, perMonth: 1_000_000 }
                })
              ]
            }).pipe(Effect.provideService(QuotaStore.QuotaStore, store))
            yield* tracker.acquire() // loads the script once
            const seen = yield* Effect.acquireRelease(
              Effect.promise(() => monitor(url)),
              (m) => Effect.sync(() => m.close())
            )
            for (let i = 0; i < 5; i++) yield* tracker.acquire()
            yield* Effect.forEach(Array.from({ length: 64 }), () => tracker.acquire(), {
              concurrency: 64,
              discard: true
            })
            yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 200)))
            const sent = seen.lines.filter((line) => line.includes(`${prefix}{Rt64}`) && !line.includes(" lua]"))
            assert.strictEqual(sent.length, 5 + 64, sent.slice(0, 5).join("\n"))
            assert.isTrue(sent.every((line) => /"evalsha"/i.test(line)))
            // each carries the three windows' keys
            assert.isTrue(sent.every((line) => line.split(`${prefix}{Rt64}`).length - 1 === 3), sent[0])
            assert.strictEqual((yield* tracker.status).tiers[0]!.windows.find((w) => w.window === "day")!.used, 70)
          }).pipe(Effect.scoped)
      )

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
          // the arrival time (now + 100 ms) plus a second of slack for a caller clock that runs behind Redis
          assert.ok(bucketTtl > 1_000 && bucketTtl <= 1_101, `bucket PTTL ${bucketTtl}`)
        }))
    })
  })

  // A key of the store's that holds something else: text, a number that is not a count, another type.
  describe.skipIf(!inject("redis"))(`QuotaStore.layerRedis over ${connectionName} with a poisoned key`, () => {
    layer(StoreLive, { excludeTestServices: true })((withStore) => {
      let n = 0
      const slotsOf = (tag: string) => {
        const t = `{poison-${tag}-${n++}}`
        const now = Date.now()
        return {
          now,
          month: {
            kind: "counter",
            key: `${t}:month:0`,
            limit: 1000,
            expiresAt: now + 60_000
          } satisfies QuotaStore.Slot,
          day: { kind: "counter", key: `${t}:day:0`, limit: 1000, expiresAt: now + 60_000 } satisfies QuotaStore.Slot,
          second: { kind: "bucket", key: `${t}:second`, limit: 1000, interval: 1000 } satisfies QuotaStore.Slot
        }
      }
      const poisons: ReadonlyArray<
        readonly [string, (redis: Redis.Redis["Service"], key: string) => Effect.Effect<unknown, Redis.RedisError>]
      > = [
        ["text", (redis, key) => redis.send("SET", key, "poison-value-7361")],
        ["a fraction in a counter", (redis, key) => redis.send("SET", key, "2.5")],
        ["a number with spaces", (redis, key) => redis.send("SET", key, " 12 ")],
        ["a list", (redis, key) => redis.send("RPUSH", key, "poison-value-7361")]
      ]
      for (const [what, poison] of poisons) {
        withStore.effect(
          `${what} at the day key: acquire fails with StoreUnavailable naming the key, and no window changes`,
          () =>
            Effect.gen(function*() {
              const store = yield* QuotaStore.QuotaStore
              const redis = yield* Redis.Redis
              const { day, month, now, second } = slotsOf(what.replace(/\W/g, ""))
              yield* poison(redis, prefix + day.key)
              for (let i = 0; i < 20; i++) {
                const error = yield* Effect.flip(store.acquire([month, day, second], 1, now))
                assert.strictEqual(error.reason._tag, "StoreUnavailable")
                assert.include(error.message, `${prefix}${day.key}`)
                assert.notInclude(error.message, "poison-value")
              }
              // nothing was written: the month key and the bucket do not exist
              assert.strictEqual(yield* redis.send<number>("EXISTS", prefix + month.key, prefix + second.key), 0)
              const getError = yield* Effect.flip(store.get([month, day], now))
              assert.strictEqual(getError.reason._tag, "StoreUnavailable")
              assert.include(getError.message, `${prefix}${day.key}`)
              const refund = yield* Effect.flip(store.add([month, day, second], -1, now))
              assert.strictEqual(refund.reason._tag, "StoreUnavailable")
              assert.strictEqual(yield* redis.send<number>("EXISTS", prefix + month.key, prefix + second.key), 0)
              // set repairs the key: it overwrites whatever is there
              yield* store.set(day, 3, now)
              assert.deepStrictEqual(yield* store.get([month, day], now), [0, 3])
            })
        )
      }

      withStore.effect(
        "text in the bucket key: acquire and get fail with StoreUnavailable, never NaN",
        () =>
          Effect.gen(function*() {
            const store = yield* QuotaStore.QuotaStore
            const redis = yield* Redis.Redis
            const { day, now, second } = slotsOf("bucket")
            yield* redis.send("SET", prefix + second.key, "poison-value-7361")
            const error = yield* Effect.flip(store.acquire([day, second], 1, now))
            assert.include(error.message, `${prefix}${second.key}`)
            assert.strictEqual(yield* redis.send<number>("EXISTS", prefix + day.key), 0)
            assert.strictEqual((yield* Effect.flip(store.get([second], now))).reason._tag, "StoreUnavailable")
          })
      )
    })
  })
}

// No server needed: a Redis service that hangs or fails.
describe("QuotaStore.layerRedis failures", () => {
  const fake = (behaviour: Effect.Effect<never, Redis.RedisError>) =>
    Layer.succeed(
      Redis.Redis,
      Redis.Redis.of({
        send: () => behaviour,
        eval: () => () => behaviour,
        subscribe: () => Effect.die("unused"),
        reserve: Effect.die("unused")
      })
    )
  const slot: QuotaStore.Slot = { kind: "counter", key: "{x}:day:0", limit: 5, expiresAt: Date.now() + 60_000 }

  // A server of our own making: SCRIPT LOAD answers a SHA, EVALSHA answers NOSCRIPT until the script
  // is loaded again (a restarted or flushed Redis), then the acquire's answer.
  const forgetful = () => {
    const log: Array<string> = []
    let loaded = false
    const answer = (argv: ReadonlyArray<string>): Promise<unknown> => {
      log.push(argv[0]!)
      if (argv[0] === "SCRIPT") {
        loaded = true
        return Promise.resolve("f".repeat(40))
      }
      if (argv[0] === "EVALSHA" && argv[1] === "f".repeat(40)) {
        if (log.filter((c) => c === "EVALSHA").length === 1) {
          loaded = false
          return Promise.reject(new Error("NOSCRIPT No matching script. Please use EVAL."))
        }
        return loaded ? Promise.resolve([-1, 1]) : Promise.reject(new Error("NOSCRIPT No matching script."))
      }
      return Promise.reject(new Error(`unexpected ${argv.join(" ")}`))
    }
    return { log, answer }
  }

  it.live("over a generic Redis service, a server that forgot the script: loads it again, once, and answers", () =>
    Effect.gen(function*() {
      const server = forgetful()
      const redis = yield* Redis.make({
        send: (command, ...args) =>
          Effect.tryPromise({
            try: () => server.answer([command, ...args]),
            catch: (cause) => new Redis.RedisError({ cause })
          }) as never,
        connect: Effect.die("unused"),
        subscribe: () => Effect.die("unused")
      })
      const store = yield* QuotaStore.makeRedis().pipe(Effect.provideService(Redis.Redis, redis))
      const result = yield* store.acquire([slot], 1, Date.now())
      assert.deepStrictEqual(result, { refused: -1, values: [1] })
      assert.deepStrictEqual(server.log, ["SCRIPT", "EVALSHA", "SCRIPT", "EVALSHA"])
    }).pipe(Effect.scoped))

  it.live("RedisStore's connection: the store sends through node-redis' promise, not through send, and reloads a forgotten script", () =>
    Effect.gen(function*() {
      const server = forgetful()
      // `send` fails: only the fast path can answer
      const redis = Object.assign(
        Redis.Redis.of({
          send: () => Effect.fail(new Redis.RedisError({ cause: new Error("send is not the fast path") })),
          eval: () => () => Effect.fail(new Redis.RedisError({ cause: new Error("eval is not the fast path") })),
          subscribe: () => Effect.die("unused"),
          reserve: Effect.die("unused")
        }),
        { [Symbol.for("@bing-effect/quota-tracker/RedisRawCommand")]: server.answer }
      )
      const store = yield* QuotaStore.makeRedis().pipe(Effect.provideService(Redis.Redis, redis))
      const result = yield* store.acquire([slot], 1, Date.now())
      assert.deepStrictEqual(result, { refused: -1, values: [1] })
      assert.deepStrictEqual(server.log, ["SCRIPT", "EVALSHA", "SCRIPT", "EVALSHA"])
      // the SHA is kept: the next acquire is one command
      assert.deepStrictEqual(yield* store.acquire([slot], 1, Date.now()), { refused: -1, values: [1] })
      assert.deepStrictEqual(server.log.slice(4), ["EVALSHA"])
    }))

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
      const refund = yield* Effect.flip(store.add([slot], -1, Date.now()))
      assert.strictEqual(refund.reason._tag, "StoreUnavailable")
    }).pipe(
      Effect.provide(
        QuotaStore.layerRedis().pipe(
          Layer.provide(
            fake(Effect.fail(new Redis.RedisError({ cause: new Error("connect ECONNREFUSED 127.0.0.1:1") })))
          )
        )
      )
    ))

  const failingWith = (cause: unknown) =>
    QuotaStore.layerRedis().pipe(Layer.provide(fake(Effect.fail(new Redis.RedisError({ cause })))))
  const refused = () =>
    Object.assign(
      new AggregateError(
        [new Error("connect ECONNREFUSED ::1:6379"), new Error("connect ECONNREFUSED 127.0.0.1:6379")],
        ""
      ),
      { code: "ECONNREFUSED" }
    )
  const causes: ReadonlyArray<readonly [string, () => unknown, string]> = [
    ["an error without a message", () => new Error(""), "the driver gave no reason"],
    [
      "an AggregateError (every address of localhost refused)",
      refused,
      "ECONNREFUSED: connect ECONNREFUSED ::1:6379, connect ECONNREFUSED 127.0.0.1:6379"
    ],
    // node-redis' ReconnectStrategyError copies the message of the error it wraps
    [
      "a wrapper of an AggregateError",
      () => Object.assign(new Error(""), { originalError: refused() }),
      "ECONNREFUSED: connect ECONNREFUSED ::1:6379, connect ECONNREFUSED 127.0.0.1:6379"
    ],
    [
      "a named error without a message",
      () => Object.assign(new Error(""), { name: "DisconnectsClientError" }),
      "DisconnectsClientError"
    ],
    [
      "a URL with credentials",
      () => new Error("cannot reach redis://user:hunter2@10.0.0.1:6379"),
      "cannot reach redis://***@10.0.0.1:6379"
    ]
  ]
  for (const [what, cause, detail] of causes) {
    it.live(`${what}: the detail says what failed, never empty`, () =>
      Effect.gen(function*() {
        const store = yield* QuotaStore.QuotaStore
        const error = yield* Effect.flip(store.acquire([slot], 1, Date.now()))
        assert.strictEqual(error.reason._tag === "StoreUnavailable" && error.reason.detail, `acquire failed: ${detail}`)
      }).pipe(Effect.provide(failingWith(cause()))))
  }
})
