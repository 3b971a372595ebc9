import { QuotaStore, QuotaTracker, Tier } from "@bing-effect/quota-tracker"
import { NodeHttpClient } from "@effect/platform-node"
import { Layer, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import {
  BingError,
  ClientClosed,
  ConnectionFailed,
  createClient,
  InvalidClientOptions,
  QuotaError
} from "../src/promise.js"
import { KEY, S15_KEY, S16_KEY, useEmulator } from "./fixtures.js"

const emu = useEmulator()
const options = () => ({
  key: Redacted.make(KEY),
  endpoint: emu.current.url,
  allowInsecureLoopback: true,
  retry: { baseDelay: 1, maxDelay: 2 }
})

describe("createClient", () => {
  it("resolves with the value and its metadata", async () => {
    const bing = createClient(options())
    try {
      const web = await bing.webSearch({ q: "promise" })
      expect(web.value._type).toBe("SearchResponse")
      expect(web.meta).toMatchObject({ status: 200, attempts: 1 })
      const images = await bing.imageSearch({ q: "promise" })
      expect(images.value._type).toBe("Images")
      const trending = await bing.trendingImages()
      expect(trending.value._type).toBe("TrendingImages")
      // client id continuity holds here too
      const again = await bing.webSearch({ q: "again" })
      expect(again.meta.clientId).toBe(web.meta.clientId)
    } finally {
      await bing.close()
    }
  })

  it("rejects with the same error classes as the Effect API", async () => {
    const bing = createClient(options())
    try {
      const invalid = await bing.webSearch({ q: "" }).catch((e: unknown) => e)
      expect(invalid).toBeInstanceOf(BingError.InvalidRequest)
      expect((invalid as BingError.InvalidRequest)._tag).toBe("InvalidRequest")
      expect((invalid as BingError.InvalidRequest).parameter).toBe("q")
      expect(emu.current.requests().length).toBe(0)
      emu.current.injectFault({ fault: { kind: "drop" } })
      const dropped = await bing.webSearch({ q: "drop" }).catch((e: unknown) => e)
      expect(dropped).toBeInstanceOf(ConnectionFailed)
      expect(BingError.isBingError(dropped)).toBe(false)
    } finally {
      await bing.close()
    }
  })

  it("rejects with the tracker's QuotaError when every tier is exhausted", async () => {
    const tiers = [
      Tier.make({ name: "S15", key: Redacted.make(S15_KEY), limits: { perDay: 1 } }),
      Tier.make({ name: "S16", key: Redacted.make(S16_KEY), limits: { perDay: 1 } })
    ]
    const { key: _, ...rest } = options()
    const bing = createClient({
      ...rest,
      quotaTracker: QuotaTracker.layer({ tiers }).pipe(Layer.provide(QuotaStore.layerMemory))
    })
    try {
      expect((await bing.webSearch({ q: "one" })).meta.tier).toBe("S15")
      expect((await bing.webSearch({ q: "two" })).meta.tier).toBe("S16")
      const error = await bing.webSearch({ q: "three" }).catch((e: unknown) => e)
      expect(QuotaError.isQuotaError(error)).toBe(true)
      expect((error as QuotaError.QuotaError).reason._tag).toBe("AllTiersExhausted")
    } finally {
      await bing.close()
    }
  })

  it("an AbortSignal cancels the request in flight and rejects with its reason", async () => {
    const bing = createClient({ ...options(), httpClient: NodeHttpClient.layerUndici })
    try {
      emu.current.injectFault({ fault: { kind: "delay", ms: 30_000 } })
      const controller = new AbortController()
      const pending = bing.webSearch({ q: "abort" }, { signal: controller.signal })
      await new Promise((resolve) => setTimeout(resolve, 50))
      const reason = new Error("user went away")
      controller.abort(reason)
      await expect(pending).rejects.toBe(reason)
      // an already aborted signal rejects without a request
      emu.current.clearFaults()
      emu.current.reset()
      await expect(bing.webSearch({ q: "late" }, { signal: AbortSignal.abort() })).rejects.toMatchObject({
        name: "AbortError"
      })
      expect(emu.current.requests().length).toBe(0)
    } finally {
      await bing.close()
    }
  })

  it("throws InvalidClientOptions at once, and rejects with ClientClosed after close", async () => {
    expect(() => createClient({ endpoint: emu.current.url })).toThrow(InvalidClientOptions)
    expect(() => createClient({ ...options(), retry: { maxAttempts: -1 } })).toThrow(/maxAttempts/)
    const bing = createClient(options())
    await bing.close()
    await expect(bing.webSearch({ q: "closed" })).rejects.toBeInstanceOf(ClientClosed)
    await bing.close()
  })
})
