/**
 * The shared history on a real Redis Cluster of its own (six `redis-server`s on free loopback
 * ports, three masters and three replicas, see ../../../redisCluster.shared.ts): a gateway on a
 * `redis-cluster://` store switching from one tier to the next on the TestClock, its two tiers'
 * series on two different masters; `GatewayHistory.read` over the same spec must find every
 * sample and the switch, and read the same as after the same run on one Redis node.
 */
import { StoreSpec, Tier } from "@bing-effect/quota-tracker"
import { afterAll, assert, describe, inject, it } from "@effect/vitest"
import { Effect, Redacted, Result } from "effect"
import { TestClock } from "effect/testing"
import { keySlot, skipClusterTests, TestCluster } from "../../../redisCluster.shared.js"
import * as GatewayHistory from "../src/GatewayHistory.js"
import type { GatewayConfig } from "../src/index.js"
import type { HistoryDocument } from "../src/internal/historyDocument.js"
import { call, config, realSleep, S15_KEY, S16_KEY, TEAM_A_KEY, useEmulator, withGateway } from "./fixtures.js"

const skip = skipClusterTests("the Redis Cluster tests")
const cluster = skip ? undefined : await TestCluster.start()
afterAll(() => cluster?.stop())

// plain `S15` and `S16` hash to one master (slots 6092 and 10159): these two names do not
const TIERS = ["S15-eu", "S16-eu"] as const
const ADMIN = "admin-token-cluster-history-4b8d2e61"
const admin = { headers: { authorization: `Bearer ${ADMIN}` } }
const search = { headers: { "Ocp-Apim-Subscription-Key": TEAM_A_KEY } }
const options = { history: { sampleInterval: "10 seconds", fineSamples: 4, maxSamples: 4 } } as const
const tiersToRead = TIERS.map((name) => ({ name, windows: ["day"] }))

let runs = 0
const prefixOf = (kind: string) => `test:gw-history-${kind}:${process.pid}:${runs++}:`

const emu = useEmulator()

const specOf = (text: string, prefix: string): StoreSpec.StoreSpec => {
  const spec = StoreSpec.parse(text, { prefix })
  assert.isTrue(Result.isSuccess(spec), text)
  return (spec as Result.Success<StoreSpec.StoreSpec, never>).success
}
const clusterSpec = (prefix: string) =>
  specOf(`redis-cluster://${cluster!.nodes.slice(0, 2).map((n) => `127.0.0.1:${n.port}`).join(",")}`, prefix)

/**
 * One gateway on `store`: 7 searches (S15-eu's 5 a day, then a switch to S16-eu), ten sample
 * intervals of the TestClock (real time after each, for the writes to land); then its own history
 * document and what `GatewayHistory.read` finds in the store.
 */
const run = (store: GatewayConfig.Store) =>
  Effect.gen(function*() {
    // the emulator counts its keys' use too: each run starts it afresh
    emu.current.reset()
    yield* TestClock.setTime(emu.current.now())
    const cfg = config(emu.current.url, {
      tiers: [
        Tier.make({ name: TIERS[0], key: Redacted.make(S15_KEY), limits: { perDay: 5 } }),
        Tier.make({ name: TIERS[1], key: Redacted.make(S16_KEY), limits: { perDay: 1_000 } })
      ],
      store,
      adminToken: Redacted.make(ADMIN)
    })
    const doc = yield* withGateway(cfg, (base) =>
      Effect.gen(function*() {
        for (let i = 0; i < 7; i++) {
          const seen = yield* call(`${base}/v7.0/search?q=dinghy`, search)
          assert.strictEqual(seen.status, 200, seen.text)
        }
        for (let i = 0; i < 10; i++) {
          yield* TestClock.adjust("10 seconds")
          yield* realSleep(100)
        }
        const seen = yield* call(`${base}/_gateway/history`, admin)
        assert.strictEqual(seen.status, 200)
        return JSON.parse(seen.text) as HistoryDocument
      }), options)
    const reading = yield* GatewayHistory.read(store, { tiers: tiersToRead })
    return { doc, reading }
  })

// every key on every master whose name starts with `prefix`, by master port
const keysByMaster = async (prefix: string): Promise<Map<number, Array<string>>> => {
  const byMaster = new Map<number, Array<string>>()
  for (const node of await cluster!.topology()) {
    if (node.role !== "master") continue
    const text = await cluster!.cli(node.port, "--scan", "--pattern", `${prefix}*`)
    byMaster.set(node.port, text.split("\n").filter((k) => k !== ""))
  }
  return byMaster
}

describe.skipIf(skip)("History on a Redis Cluster", () => {
  it.effect(
    "a gateway's samples of two tiers on two masters and its switch are read back by GatewayHistory",
    () =>
      Effect.gen(function*() {
        const masters = yield* Effect.promise(() =>
          Promise.all(TIERS.map((t) => cluster!.masterOfSlot(keySlot(`{${t}}`))))
        )
        assert.notStrictEqual(masters[0], masters[1], "the two tiers' hash tags live on two masters")
        const prefix = prefixOf("cluster")
        const spec = clusterSpec(prefix)
        const { doc, reading } = yield* run(spec)
        assert.deepStrictEqual(doc.historyStore, { name: "redis", available: true })
        assert.deepStrictEqual([reading.store, reading.shared], ["redis-cluster", true])

        // the samples: both tiers, the same as the gateway's own document shows
        for (const [i, name] of TIERS.entries()) {
          const window = doc.tiers.find((t) => t.name === name)!.windows.find((w) => w.window === "day")!
          const series = reading.samples[i]!
          assert.deepStrictEqual([series.tier, series.window], [name, "day"])
          assert.isAtLeast(series.samples.length, 4, name)
          assert.deepStrictEqual(series.samples, window.samples, name)
        }
        assert.strictEqual(reading.samples[0]!.samples.at(-1)![1], 5, "S15-eu used its 5")
        assert.strictEqual(reading.samples[1]!.samples.at(-1)![1], 2, "S16-eu served the other 2")
        // the events: the switch, once, as the gateway recorded it
        const switches = reading.events.filter((e) => e.kind === "switch")
        assert.deepStrictEqual(switches.map((e) => [e.from, e.to, e.reason]), [[TIERS[0], TIERS[1], "exhausted"]])
        assert.deepStrictEqual(reading.events, doc.events)

        // the keys: each tier's series on its tier's master, nothing written outside the prefix
        const byMaster = yield* Effect.promise(() => keysByMaster(prefix))
        for (const [i, name] of TIERS.entries()) {
          const own = byMaster.get(masters[i]!)!.filter((k) => k.startsWith(`${prefix}history:tier:{${name}}:`))
          assert.isAtLeast(own.length, 2, `${name}'s coarse and fine day series: ${own.join(" ")}`)
        }
        const events = [...byMaster.values()].flat().filter((k) => k === `${prefix}{history}:events`)
        assert.strictEqual(events.length, 1)
        for (const text of [JSON.stringify(doc), JSON.stringify(reading)]) {
          for (const secret of [S15_KEY, S16_KEY, TEAM_A_KEY, ADMIN]) assert.notInclude(text, secret)
        }
      }),
    60_000
  )

  describe.skipIf(!inject("redis"))("beside one Redis node", () => {
    const url = process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379"
    const single = prefixOf("single")
    afterAll(() =>
      Effect.runPromise(
        Effect.scoped(Effect.gen(function*() {
          const { RedisStore } = yield* Effect.promise(() => import("@bing-effect/quota-tracker/redis"))
          const redis = yield* RedisStore.makeConnection({ url })
          const keys = yield* redis.send<Array<string>>("KEYS", `${single}*`)
          if (keys.length > 0) yield* redis.send("DEL", ...keys)
        })).pipe(Effect.orDie)
      )
    )

    it.effect("the same run reads the same from the cluster as from one node", () =>
      Effect.gen(function*() {
        const one = yield* run(specOf(url, single))
        const many = yield* run(clusterSpec(prefixOf("cluster")))
        assert.strictEqual(one.reading.store, "redis")
        assert.isAtLeast(one.reading.events.length, 1)
        assert.deepStrictEqual({ ...many.reading, store: "redis" }, one.reading)
      }), 60_000)
  })
})
