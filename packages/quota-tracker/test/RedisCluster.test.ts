/**
 * The Redis store over `RedisCluster.layer`, on a real cluster of its own (six `redis-server`s on
 * free loopback ports, three masters and three replicas, see ../../../redisCluster.shared.ts): the
 * store contract, the hash slot of every key the tracker writes, one command per acquire, scripts
 * a master has never seen, a resharded slot (ASK, then MOVED), and a frozen master.
 */
import { afterAll, assert, describe, it, layer } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Redacted, Result } from "effect"
import { connect } from "node:net"
import { keySlot, skipClusterTests, TestCluster } from "../../../redisCluster.shared.js"
import { QuotaStore, QuotaTracker, RedisCluster, StoreSpec, Tier } from "../src/index.js"
import { keySlotOf } from "../src/internal/redisCluster.js"
import { contract } from "./QuotaStoreContract.js"

const reasonOf = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return "succeeded"
  const fail = exit.cause.reasons.find((r) => r._tag === "Fail") as
    | { readonly error?: { readonly reason?: { readonly _tag: string; readonly detail?: string } } }
    | undefined
  const reason = fail?.error?.reason
  return reason === undefined ? String(exit.cause) : `${reason._tag}: ${reason.detail ?? ""}`
}

const skip = skipClusterTests("the Redis Cluster tests")
const cluster = skip ? undefined : await TestCluster.start()
afterAll(() => cluster?.stop())

const rootNodes = () => cluster!.rootNodes.slice(0, 2)
const prefix = `qt-cluster:${process.pid}:`
const ClusterRedis = Layer.unwrap(Effect.sync(() => RedisCluster.layer({ rootNodes: rootNodes(), timeout: 1000 })))
const StoreLive = QuotaStore.layerRedis({ prefix, timeout: 1000 }).pipe(Layer.provideMerge(ClusterRedis))

// every key on every master whose name starts with `match`
const keysOn = async (match: string): Promise<Array<string>> => {
  const keys: Array<string> = []
  for (const node of await cluster!.topology()) {
    if (node.role !== "master") continue
    const text = await cluster!.cli(node.port, "--scan", "--pattern", `${match}*`)
    keys.push(...text.split("\n").filter((k) => k !== ""))
  }
  return keys
}

// a raw MONITOR connection to one node, collecting the lines it reports
const monitor = (port: number) =>
  new Promise<{ readonly lines: Array<string>; readonly close: () => void }>((resolve, reject) => {
    const socket = connect(port, "127.0.0.1")
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

// three tier names whose `{tier}` tags live on three different masters
const tiersOnThreeMasters = async (): Promise<Array<string>> => {
  const byMaster = new Map<number, string>()
  for (let i = 0; byMaster.size < 3 && i < 200; i++) {
    const name = `T${i}`
    const master = await cluster!.masterOfSlot(keySlot(`{${name}}`))
    if (!byMaster.has(master)) byMaster.set(master, name)
  }
  return [...byMaster.values()]
}

describe.skipIf(skip)("RedisCluster", () => {
  contract("redis over RedisCluster.layer", StoreLive)

  layer(StoreLive, { excludeTestServices: true, timeout: "60 seconds" })((withStore) => {
    withStore.effect(
      "keeps every key of a tier, threshold claims included, in the tier's hash slot",
      () =>
        Effect.gen(function*() {
          const names = yield* Effect.promise(tiersOnThreeMasters)
          assert.strictEqual(names.length, 3)
          const run = `${prefix}slots:`
          const tracker = yield* QuotaTracker.make({
            tiers: names.map((name) =>
              Tier.make({
                name,
                key: Redacted.make(`k-${name}`),
                limits: { perSecond: 1000, perDay: 10, perMonth: 20 }
              })
            ),
            thresholds: [0.5, 0.8]
          }).pipe(Effect.provide(QuotaStore.layerRedis({ prefix: run }).pipe(Layer.provide(ClusterRedis))))
          // 10 a day per tier: the tracker uses up the first tier, then switches to the next
          for (let i = 0; i < 30; i++) yield* tracker.acquire()
          // the claims are published after the acquire that crossed them: wait for them (bounded)
          let keys: Array<string> = []
          for (let i = 0; i < 40; i++) {
            keys = yield* Effect.promise(() => keysOn(run))
            if (
              names.every((n) => keys.filter((k) => k.startsWith(`${run}{${n}}:`) && k.includes(":fired:")).length >= 2)
            ) break
            yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 50)))
          }
          for (const name of names) {
            const own = keys.filter((k) => k.startsWith(`${run}{${name}}:`))
            // second, day, month, and the claims of 50 % and 80 % of the day
            assert.isAtLeast(own.length, 5, `${name}: ${own.join(" ")}`)
            assert.isTrue(own.some((k) => k.includes(":fired:")), `${name} wrote its threshold claims`)
            const slots = new Set(own.map(keySlot))
            assert.deepStrictEqual([...slots], [keySlot(`{${name}}`)], own.join(" "))
            // the local CRC16 agrees with the server
            const served = yield* Effect.promise(() =>
              cluster!.cli(cluster!.nodes[0]!.port, "CLUSTER", "KEYSLOT", own[0]!)
            )
            assert.strictEqual(Number(served), keySlot(own[0]!))
          }
          // nothing else was written under the run's prefix
          assert.strictEqual(keys.filter((k) => !names.some((n) => k.startsWith(`${run}{${n}}:`))).length, 0)
        })
    )

    withStore.effect(
      "sends exactly one command per acquire (EVALSHA) to the tier's master",
      () =>
        Effect.gen(function*() {
          const store = yield* QuotaStore.QuotaStore
          const now = Date.now()
          const slots: Array<QuotaStore.Slot> = [
            { kind: "counter", key: "{one}:month:0", limit: 1000, expiresAt: now + 60_000 },
            { kind: "counter", key: "{one}:day:0", limit: 1000, expiresAt: now + 60_000 },
            { kind: "bucket", key: "{one}:second", limit: 1000, interval: 1000 }
          ]
          yield* store.acquire(slots, 1, now)
          const master = yield* Effect.promise(() => cluster!.masterOfSlot(keySlot("{one}")))
          const seen = yield* Effect.acquireRelease(Effect.promise(() => monitor(master)), (m) => Effect.sync(m.close))
          for (let i = 0; i < 10; i++) yield* store.acquire(slots, 1, now)
          yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 200)))
          const sent = seen.lines.filter((l) => l.includes(`${prefix}{one}`) && !l.includes(" lua]"))
          assert.strictEqual(sent.length, 10, sent.join("\n"))
          assert.isTrue(sent.every((l) => l.includes(`"EVALSHA"`)))
        })
    )

    withStore.effect(
      "runs a script a master has never seen (SCRIPT FLUSH everywhere) as EVAL, once",
      () =>
        Effect.gen(function*() {
          const store = yield* QuotaStore.QuotaStore
          const now = Date.now()
          const day: QuotaStore.Slot = { kind: "counter", key: "{flush}:day:0", limit: 5, expiresAt: now + 60_000 }
          yield* store.acquire([day], 1, now)
          const masters = (yield* Effect.promise(() => cluster!.topology())).filter((n) => n.role === "master")
          for (const m of masters) yield* Effect.promise(() => cluster!.cli(m.port, "SCRIPT", "FLUSH"))
          const master = yield* Effect.promise(() => cluster!.masterOfSlot(keySlot("{flush}")))
          const seen = yield* Effect.acquireRelease(Effect.promise(() => monitor(master)), (m) => Effect.sync(m.close))
          const result = yield* store.acquire([day], 1, now)
          assert.deepStrictEqual(result, { refused: -1, values: [2] })
          yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 200)))
          const sent = seen.lines.filter((l) => l.includes(`${prefix}{flush}`) && !l.includes(" lua]"))
          assert.deepStrictEqual(sent.map((l) => /"(EVALSHA|EVAL)"/.exec(l)?.[1]), ["EVALSHA", "EVAL"])
        })
    )

    withStore.effect(
      "follows a resharded slot (ASK while it migrates, MOVED after) and keeps the count",
      () =>
        Effect.gen(function*() {
          const store = yield* QuotaStore.QuotaStore
          const now = Date.now()
          const key = "{moving}:day:0"
          const day: QuotaStore.Slot = { kind: "counter", key, limit: 100, expiresAt: now + 600_000 }
          for (let i = 0; i < 3; i++) yield* store.acquire([day], 1, now)
          const slot = keySlot(`${prefix}${key}`)
          const nodes = yield* Effect.promise(() => cluster!.topology())
          const source = nodes.find((n) => n.role === "master" && n.slots.some(([a, b]) => slot >= a && slot <= b))!
          const target = nodes.find((n) => n.role === "master" && n.id !== source.id)!
          const cli = (port: number, ...args: Array<string>) => Effect.promise(() => cluster!.cli(port, ...args))
          yield* cli(target.port, "CLUSTER", "SETSLOT", String(slot), "IMPORTING", source.id)
          yield* cli(source.port, "CLUSTER", "SETSLOT", String(slot), "MIGRATING", target.id)
          // a key of that slot not on the source yet: the source answers ASK, the target serves it
          const other: QuotaStore.Slot = {
            kind: "counter",
            key: "{moving}:day:1",
            limit: 100,
            expiresAt: now + 600_000
          }
          assert.strictEqual((yield* store.acquire([other], 1, now)).refused, -1)
          yield* cli(
            source.port,
            "MIGRATE",
            "127.0.0.1",
            String(target.port),
            "",
            "0",
            "5000",
            "KEYS",
            `${prefix}${key}`
          )
          for (const n of nodes.filter((x) => x.role === "master")) {
            yield* cli(n.port, "CLUSTER", "SETSLOT", String(slot), "NODE", target.id)
          }
          // the client's slot map still names the source: it answers MOVED, the client follows
          const after = yield* store.acquire([day], 1, now)
          assert.deepStrictEqual(after, { refused: -1, values: [4] })
          assert.deepStrictEqual(yield* store.get([other], now), [1])
          assert.strictEqual(yield* Effect.promise(() => cluster!.masterOfSlot(slot)), target.port)
        })
    )

    withStore.effect(
      "does not send again a command whose MOVED comes after the caller's deadline (it would count twice)",
      () =>
        Effect.gen(function*() {
          const store = yield* QuotaStore.QuotaStore
          const now = Date.now()
          const key = "{late}:day:0"
          const day: QuotaStore.Slot = { kind: "counter", key, limit: 100, expiresAt: now + 600_000 }
          // the connection to the slot's master is up
          yield* store.acquire([{ ...day, key: "{late}:warm" }], 1, now)
          const slot = keySlot(`${prefix}late:${key}`)
          const nodes = yield* Effect.promise(() => cluster!.topology())
          const source = nodes.find((n) => n.role === "master" && n.slots.some(([a, b]) => slot >= a && slot <= b))!
          const target = nodes.find((n) => n.role === "master" && n.id !== source.id)!
          const cli = (port: number, ...args: Array<string>) => Effect.promise(() => cluster!.cli(port, ...args))
          // a master refuses to give away a slot it holds keys of
          assert.strictEqual(yield* cli(source.port, "DEL", `${prefix}late:{late}:warm`), "1")
          // the master holds writes, as during a graceful failover, past the store's deadline (300 ms)
          // and within the socket's (10 s)
          const pausedAt = Date.now()
          yield* cli(source.port, "CLIENT", "PAUSE", "3000", "WRITE")
          const exit = yield* Effect.exit(store.acquire([day], 1, now))
          assert.match(reasonOf(exit), /^StoreUnavailable: acquire timed out/)
          // meanwhile its slot moves: when the pause ends, the held EVALSHA is answered MOVED
          const masters = nodes.filter((x) => x.role === "master")
          for (const n of [source, ...masters.filter((x) => x.id !== source.id)]) {
            assert.strictEqual(yield* cli(n.port, "CLUSTER", "SETSLOT", String(slot), "NODE", target.id), "OK")
          }
          assert.isBelow(Date.now() - pausedAt, 3000, "the slot moved while the command was held")
          yield* Effect.promise(() =>
            new Promise((resolve) => setTimeout(resolve, 3000 - (Date.now() - pausedAt) + 1000))
          )
          // the caller was told it failed (and may retry): no master counted it
          for (const n of masters) {
            assert.strictEqual(yield* cli(n.port, "CLUSTER", "COUNTKEYSINSLOT", String(slot)), "0", `:${n.port}`)
          }
          assert.deepStrictEqual(yield* store.get([day], now), [0])
          assert.strictEqual((yield* store.acquire([day], 1, now)).refused, -1)
          assert.deepStrictEqual(yield* store.get([day], now), [1])
        }).pipe(
          Effect.provide(
            QuotaStore.layerRedis({ prefix: `${prefix}late:`, timeout: 300 }).pipe(
              Layer.provide(RedisCluster.layer({ rootNodes: rootNodes(), timeout: 1000, socketTimeout: 10_000 }))
            )
          )
        )
    )

    // last: a frozen master may be failed over by the cluster
    withStore.effect(
      "fails with StoreUnavailable within the timeout when a master freezes, and serves the other shards",
      () =>
        Effect.gen(function*() {
          const store = yield* QuotaStore.QuotaStore
          const now = Date.now()
          const [frozenTier, liveTier] = yield* Effect.promise(tiersOnThreeMasters)
          const slotOf = (tier: string): QuotaStore.Slot => ({
            kind: "counter",
            key: `{${tier}}:frozen`,
            limit: 100,
            expiresAt: now + 60_000
          })
          yield* store.acquire([slotOf(frozenTier!)], 1, now)
          const master = yield* Effect.promise(() => cluster!.masterOfSlot(keySlot(`{${frozenTier}}`)))
          cluster!.signal(master, "SIGSTOP")
          yield* Effect.gen(function*() {
            const frozen = yield* Effect.forkChild(
              Effect.gen(function*() {
                const started = Date.now()
                const exit = yield* Effect.exit(store.acquire([slotOf(frozenTier!)], 1, now))
                return { exit, took: Date.now() - started }
              }),
              { startImmediately: true }
            )
            // While that acquire waits, the other shards answer. Asked after it has timed out, this
            // raced the cluster itself: past `cluster-node-timeout` the others mark the frozen master
            // failed, and every shard answers CLUSTERDOWN until its replica takes over.
            assert.strictEqual((yield* store.acquire([slotOf(liveTier!)], 1, now)).refused, -1)
            const { exit, took } = yield* Fiber.join(frozen)
            assert.match(reasonOf(exit), /^StoreUnavailable: acquire (timed out|failed)/)
            assert.isBelow(took, 1000 + 500, `failed after ${took} ms`)
          }).pipe(
            // The later tests need a whole cluster: past `cluster-node-timeout` the frozen master may
            // have been failed over, and every shard answers CLUSTERDOWN until that settles.
            Effect.ensuring(Effect.promise(() => {
              cluster!.signal(master, "SIGCONT")
              return cluster!.waitSettled()
            }))
          )
        }),
      { timeout: 60_000 }
    )
  })

  it("routes a key to the slot the server computes (CLUSTER KEYSLOT), hash tags and UTF-8 included", async () => {
    const keys = [
      `${prefix}{T0}:second`,
      `${prefix}{tier-ü}:day:1764547200000`,
      "no-tag",
      "{}{tag}",
      "a{}b",
      "x{y}z{w}",
      "{unclosed",
      "}{a}",
      "😀{é}",
      "😀é"
    ]
    for (const key of keys) {
      const served = await cluster!.cli(cluster!.nodes[0]!.port, "CLUSTER", "KEYSLOT", key)
      assert.strictEqual(keySlotOf(key), Number(served), key)
    }
  })

  it("parses, describes and builds redis-cluster:// store specs", async () => {
    const hosts = cluster!.rootNodes.slice(0, 2).map((u) => u.replace("redis://", ""))
    const parsed = StoreSpec.parse(`redis-cluster://:s3cret@${hosts.join(",")}`, { prefix: `${prefix}spec:` })
    assert.isTrue(Result.isSuccess(parsed))
    const spec = Result.getOrThrow(parsed)
    assert.strictEqual(StoreSpec.describe(spec), `redis-cluster://***@${hosts.join(",")}`)
    assert.isTrue(Result.isFailure(StoreSpec.parse("redis-cluster://127.0.0.1", { prefix })))
    assert.isTrue(Result.isFailure(StoreSpec.parse("redis-cluster://", { prefix })))
    // without credentials (the test cluster has none)
    const open = Result.getOrThrow(StoreSpec.parse(`redis-cluster://${hosts.join(",")}`, { prefix: `${prefix}spec:` }))
    const values = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function*() {
          const store = yield* QuotaStore.QuotaStore
          const slot: QuotaStore.Slot = { kind: "counter", key: "{spec}:day", limit: 2, expiresAt: Date.now() + 60_000 }
          yield* store.acquire([slot], 1, Date.now())
          return yield* store.get([slot], Date.now())
        }).pipe(Effect.provide(StoreSpec.layer(open)))
      )
    )
    assert.deepStrictEqual(values, [1])
  })

  it("fails the layer with StoreUnavailable within connectTimeout when no node answers", async () => {
    const started = Date.now()
    const exit = await Effect.runPromiseExit(
      Effect.scoped(Layer.build(RedisCluster.layer({ rootNodes: ["redis://127.0.0.1:1"], connectTimeout: 300 })))
    )
    assert.match(reasonOf(exit), /^StoreUnavailable: cannot connect to redis:\/\/127\.0\.0\.1:1/)
    assert.isBelow(Date.now() - started, 2000)
  })
})
