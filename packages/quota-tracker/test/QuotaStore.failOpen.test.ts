import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { QuotaError, QuotaStore } from "../src/index.js"
import { flakyStore as flaky } from "./flakyStore.js"
import { contract } from "./QuotaStoreContract.js"

// A store whose every operation fails as an unreachable server does.
const unreachable: QuotaStore.Service = {
  name: "redis",
  acquire: () => Effect.fail(QuotaError.storeUnavailable("redis", "connection refused")),
  get: () => Effect.fail(QuotaError.storeUnavailable("redis", "connection refused")),
  set: () => Effect.fail(QuotaError.storeUnavailable("redis", "connection refused")),
  add: () => Effect.fail(QuotaError.storeUnavailable("redis", "connection refused"))
}

contract("fail-open over memory", QuotaStore.layerFailOpen().pipe(Layer.provide(QuotaStore.layerMemory)))
contract(
  "fail-open over a store that never answers",
  QuotaStore.layerFailOpen({ retryInterval: "1 hour" }).pipe(
    Layer.provide(Layer.succeed(QuotaStore.QuotaStore, unreachable))
  )
)

const day: QuotaStore.Slot = { kind: "counter", key: "{T}:day:0", limit: 10, expiresAt: 86_400_000 }

describe("QuotaStore.makeFailOpen", () => {
  it.effect("answers from memory while the store fails, from the last count it answered, then replays", () =>
    Effect.gen(function*() {
      const { inner, state, store } = yield* flaky
      const failOpen = yield* QuotaStore.makeFailOpen(store, { retryInterval: 1000 })
      for (let i = 0; i < 3; i++) yield* failOpen.acquire([day], 1, 0)
      state.down = true
      assert.deepStrictEqual((yield* failOpen.acquire([day], 1, 10)).values, [4], "memory starts from 3")
      yield* failOpen.add([day], -1, 20) // a refund, replayed too
      assert.deepStrictEqual((yield* failOpen.acquire([day], 2, 30)).values, [5])
      state.down = false
      assert.deepStrictEqual(yield* failOpen.get([day], 500), [5], "before retryInterval: still memory")
      assert.deepStrictEqual(yield* inner.get([day], 500), [3])
      assert.deepStrictEqual(yield* failOpen.get([day], 1010), [5], "replayed: 3 + 1 - 1 + 2")
      assert.deepStrictEqual(yield* inner.get([day], 1010), [5])
    }))

  it.effect("passes failures other than StoreUnavailable through", () =>
    Effect.gen(function*() {
      const bad: QuotaStore.Service = { ...unreachable, get: () => Effect.fail(QuotaError.invalidOptions("bad slot")) }
      const failOpen = yield* QuotaStore.makeFailOpen(bad)
      const error = yield* Effect.flip(failOpen.get([day], 0))
      assert.strictEqual(error.reason._tag, "InvalidOptions")
    }))

  it.effect("rejects a retryInterval that is not a duration", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(QuotaStore.makeFailOpen(unreachable, { retryInterval: -5 }))
      assert.strictEqual(error.message, "Invalid quota options: retryInterval must be a finite, non-negative duration")
    }))
})
