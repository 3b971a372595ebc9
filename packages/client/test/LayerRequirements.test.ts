/**
 * Every dependency of the client is in its layer's type: `BingClient.layer` needs an
 * `HttpClient`, `BingClient.layerWithQuota` also a `QuotaTracker`, and neither falls back to a
 * default found at run time (a `Layer.merge` written where `Layer.provide` was meant is a type
 * error, not a client that silently uses fetch or counts alone). The `@ts-expect-error` lines are
 * checked by `tsc -b` (the typecheck of `npm test`): each would be an unused directive, and so a
 * type error, if the requirement were missing from the type.
 */
import { QuotaStore, QuotaTracker, Tier } from "@bing-effect/quota-tracker"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Redacted } from "effect"
import { FetchHttpClient, type HttpClient } from "effect/http"
import { BingClient, type InvalidClientOptions } from "../src/index.js"
import { KEY, useEmulator } from "./fixtures.js"

const emu = useEmulator()
const options = (): BingClient.Options => ({
  key: Redacted.make(KEY),
  endpoint: emu.current.url,
  allowInsecureLoopback: true
})
const tiers = [Tier.make({ name: "main", key: Redacted.make(KEY) })]

// Type-level: the requirements, exactly.
export const layerType: Layer.Layer<
  BingClient.BingClient,
  InvalidClientOptions.InvalidClientOptions,
  HttpClient.HttpClient
> = BingClient.layer({ key: Redacted.make(KEY) })
export const layerWithQuotaType: Layer.Layer<
  BingClient.BingClient,
  InvalidClientOptions.InvalidClientOptions,
  HttpClient.HttpClient | QuotaTracker.QuotaTracker
> = BingClient.layerWithQuota({})
export const makeType: Effect.Effect<
  BingClient.Service,
  InvalidClientOptions.InvalidClientOptions,
  HttpClient.HttpClient
> = BingClient.make({ key: Redacted.make(KEY) })

export const withoutHttpClient = (): Promise<unknown> => {
  const program = BingClient.webSearch({ q: "x" }).pipe(Effect.provide(BingClient.layer(options())))
  // @ts-expect-error the layer requires an HttpClient: without one the program does not typecheck
  return Effect.runPromise(program)
}

export const mergedInsteadOfProvided = (): Promise<unknown> => {
  const merged = Layer.merge(BingClient.layer(options()), FetchHttpClient.layer)
  const program = BingClient.webSearch({ q: "x" }).pipe(Effect.provide(merged))
  // @ts-expect-error Layer.merge does not satisfy the client's HttpClient requirement (Layer.provide does)
  return Effect.runPromise(program)
}

export const trackerMissing = (): Promise<unknown> => {
  const layer = BingClient.layerWithQuota({ endpoint: emu.current.url }).pipe(Layer.provide(FetchHttpClient.layer))
  const program = BingClient.webSearch({ q: "x" }).pipe(Effect.provide(layer))
  // @ts-expect-error layerWithQuota requires a QuotaTracker as well
  return Effect.runPromise(program)
}

describe("the layer names what it needs", () => {
  it.live("no HttpClient in the context: the layer does not build (no silent fallback to fetch)", () =>
    Effect.gen(function*() {
      const layer = BingClient.layer(options()) as Layer.Layer<BingClient.BingClient, unknown>
      const exit = yield* Effect.exit(BingClient.webSearch({ q: "x" }).pipe(Effect.provide(layer)))
      assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
      assert.include(String(Exit.isFailure(exit) ? Cause.squash(exit.cause) : ""), "HttpClient")
      assert.strictEqual(emu.current.requests().length, 0)
    }))

  it.live("layer: the HttpClient provided is the one used", () =>
    Effect.gen(function*() {
      const { meta } = yield* BingClient.webSearch({ q: "provided" })
      assert.strictEqual(meta.status, 200)
      assert.isUndefined(meta.tier)
    }).pipe(Effect.provide(BingClient.layer(options()).pipe(Layer.provide(FetchHttpClient.layer)))))

  it.live("layerWithQuota: the tracker provided chooses the tier", () =>
    Effect.gen(function*() {
      const { meta } = yield* BingClient.webSearch({ q: "tracked" })
      assert.strictEqual(meta.tier, "main")
    }).pipe(Effect.provide(
      BingClient.layerWithQuota({ endpoint: emu.current.url, allowInsecureLoopback: true }).pipe(
        Layer.provide(QuotaTracker.layer({ tiers }).pipe(Layer.provide(QuotaStore.layerMemory))),
        Layer.provide(FetchHttpClient.layer)
      )
    )))
})
