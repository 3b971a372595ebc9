/**
 * The tracker's store is in its requirements: no silent memory default. The `@ts-expect-error`
 * lines are checked by `tsc -b` (tsconfig.test.json): each must be a type error.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Redacted } from "effect"
import type { Scope } from "effect"
import { QuotaError, QuotaStore, QuotaTracker, Tier } from "../src/index.js"

const tiers = [Tier.make({ name: "S15", key: Redacted.make("key-S15"), limits: { perDay: 5 } })]
const Tracker = QuotaTracker.layer({ tiers })
const acquireOne = Effect.gen(function*() {
  const quota = yield* QuotaTracker.QuotaTracker
  return (yield* quota.acquire()).tier.name
})

describe("QuotaTracker needs a QuotaStore", () => {
  it("names the store in the types of layer and make", () => {
    const needsStore: Layer.Layer<QuotaTracker.QuotaTracker, QuotaError.QuotaError, QuotaStore.QuotaStore> = Tracker
    const make: Effect.Effect<QuotaTracker.Service, QuotaError.QuotaError, Scope.Scope | QuotaStore.QuotaStore> =
      QuotaTracker.make({ tiers })
    // @ts-expect-error a tracker layer without a store does not typecheck as a complete layer
    const complete: Layer.Layer<QuotaTracker.QuotaTracker, QuotaError.QuotaError> = Tracker
    // @ts-expect-error a program given the tracker layer alone still needs the store
    const program: Effect.Effect<string, QuotaError.QuotaError> = acquireOne.pipe(Effect.provide(Tracker))
    // @ts-expect-error Layer.merge where Layer.provide was meant leaves the tracker's store unprovided
    const merged: Layer.Layer<QuotaTracker.QuotaTracker, QuotaError.QuotaError> = Layer.merge(
      Tracker,
      QuotaStore.layerMemory
    )
    const provided: Layer.Layer<QuotaTracker.QuotaTracker, QuotaError.QuotaError> = Tracker.pipe(
      Layer.provide(QuotaStore.layerMemory)
    )
    assert.isDefined([needsStore, make, complete, program, merged, provided])
  })

  it.effect("has no memory default: without a store, building it dies naming QuotaStore", () =>
    Effect.gen(function*() {
      const unprovided = acquireOne.pipe(Effect.provide(Tracker)) as Effect.Effect<string, QuotaError.QuotaError>
      const exit = yield* Effect.exit(unprovided)
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isSuccess(exit)) return
      assert.isTrue(Cause.hasDies(exit.cause))
      assert.include(Cause.pretty(exit.cause), "@bing-effect/quota-tracker/QuotaStore")
      const made = QuotaTracker.make({ tiers }) as Effect.Effect<
        QuotaTracker.Service,
        QuotaError.QuotaError,
        Scope.Scope
      >
      const madeExit = yield* Effect.exit(made)
      assert.isTrue(Exit.isFailure(madeExit) && Cause.hasDies(madeExit.cause))
    }))
})
