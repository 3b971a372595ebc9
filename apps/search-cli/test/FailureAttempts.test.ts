/**
 * The failure texts count the attempts the client actually made (`BingClient.attemptsOf`), not
 * the configured budget: fewer when the call stopped early, "Nothing was sent" when it sent
 * nothing. The errors come from real calls to the emulator over a socket.
 */
import { BingClient } from "@bing-effect/client"
import { Emulator } from "@bing-effect/emulator"
import { QuotaStore, QuotaTracker, Tier } from "@bing-effect/quota-tracker"
import { BingError } from "@bing-effect/schema"
import { Effect, Layer, Redacted } from "effect"
import { FetchHttpClient } from "effect/http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Failure from "../src/Failure.js"
import type { Settings } from "../src/Settings.js"

const KEY = "failure-attempts-key-9c1d"
let emu: Emulator.EmulatorHandle
beforeAll(async () => {
  emu = await Emulator.start({ keys: [{ name: "good", key: KEY }] })
})
afterAll(() => emu.stop())

// The settings claim a budget of 4: the texts must not repeat it.
const ctx: Failure.Context = {
  now: 0,
  settings: {
    tiers: [],
    tiersSource: "BING_SEARCH_KEY",
    endpoint: "https://api.bing.microsoft.com",
    allowInsecureLoopback: true,
    timeoutMs: undefined,
    maxAttempts: 4,
    maxWaitMs: undefined,
    store: { _tag: "memory" }
  } as Settings
}

const failWith = (options: Partial<BingClient.Options>) =>
  Effect.runPromise(Effect.flip(
    BingClient.webSearch({ q: "x" }).pipe(
      Effect.provide(
        BingClient.layer({
          key: Redacted.make(KEY),
          endpoint: emu.url,
          allowInsecureLoopback: true,
          timeout: "300 millis",
          retry: { baseDelay: 1, maxDelay: 2 },
          ...options
        }).pipe(Layer.provide(FetchHttpClient.layer))
      )
    )
  ))

const lines = (p: Failure.Problem) => p.details.join("\n")

describe("failure texts count the attempts made", () => {
  it("500: the attempts the client made (2), not the budget the settings name (4)", async () => {
    emu.reset()
    emu.injectFault({ fault: { kind: "error", code: "ServerError" } })
    const error = await failWith({ retry: { maxAttempts: 2, baseDelay: 1, maxDelay: 2 } })
    expect(error._tag).toBe("ServerError")
    const text = lines(Failure.serverError(error as BingError.ServerError, ctx))
    expect(text).toContain("The app retried with backoff, 2 attempts in all.")
    expect(text).not.toContain("4 attempts")
  })

  it("timeout and empty answers: the same", async () => {
    emu.reset()
    emu.injectFault({ fault: { kind: "delay", ms: 1_000 } })
    const timeout = await failWith({ retry: { maxAttempts: 2, baseDelay: 1, maxDelay: 2 } })
    expect(timeout._tag).toBe("RequestTimeout")
    expect(lines(Failure.requestTimeout(timeout as never, ctx))).toContain("2 attempts in all")
    emu.reset()
    emu.injectFault({ fault: { kind: "empty200" } })
    const empty = await failWith({ retry: { maxAttempts: 1 } })
    expect(empty._tag).toBe("EmptyResponse")
    const text = lines(Failure.emptyResponse(empty as BingError.EmptyResponse, ctx))
    expect(text).toContain("The app made 1 attempt (no retry).")
    expect(text).not.toContain("4 attempts")
  })

  it("nothing sent: a tier whose endpoint cannot be used fails before sending, and the text says so", async () => {
    emu.reset()
    const error = await Effect.runPromise(Effect.flip(
      BingClient.webSearch({ q: "x" }).pipe(
        Effect.provide(
          BingClient.layerWithQuota({ endpoint: emu.url, allowInsecureLoopback: true }).pipe(
            Layer.provide(
              QuotaTracker.layer({
                tiers: [Tier.make({ name: "odd", key: Redacted.make(KEY), endpoint: "ftp://127.0.0.1:1" })]
              }).pipe(Layer.provide(QuotaStore.layerMemory))
            ),
            Layer.provide(FetchHttpClient.layer)
          )
        )
      )
    ))
    // a configuration error found before sending (not a retried connection failure)
    expect(error._tag).toBe("InvalidClientOptions")
    const text = lines(Failure.invalidClientOptions(error as never))
    expect(text).toBe("Nothing was sent.")
    expect(emu.requests().length).toBe(0)
  })

  it("a 429 without Retry-After, retried until the budget: the attempts made", async () => {
    emu.reset()
    emu.injectFault({ fault: { kind: "error", code: "RateLimitExceeded", status: 429 } })
    const error = await failWith({ retry: { maxAttempts: 3, baseDelay: 1, maxDelay: 2 } })
    expect(error._tag).toBe("RateLimited")
    const text = lines(Failure.rateLimited(error as BingError.RateLimited, ctx))
    expect(text).toContain("The app waited as Bing asked (Retry-After) and retried, 3 attempts in all.")
    expect(text).not.toContain("4 attempts")
  })

  it("an error that did not come from a call claims no attempts", () => {
    const text = lines(Failure.serverError(BingError.serverError(), ctx))
    expect(text).not.toContain("attempts in all")
  })
})
