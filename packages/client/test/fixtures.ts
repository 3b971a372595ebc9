/**
 * Shared test setup: one emulator over a real socket for a test file, keys with distinct secrets,
 * and helpers to wait in real time while the TestClock holds virtual time still.
 */
import { Emulator } from "@bing-effect/emulator"
import { Effect, Layer, Redacted } from "effect"
import { FetchHttpClient, type HttpClient } from "effect/http"
import { afterAll, beforeAll, beforeEach } from "vitest"
import { BingClient } from "../src/index.js"

export const KEY = "main-secret-key-4f1c9a7e"
export const S15_KEY = "s15-secret-key-77ab01"
export const S16_KEY = "s16-secret-key-93cd42"
export const LIMITED_KEY = "limited-secret-key-5e5e"
/** A reseller's key, taken only as `Authorization: Bearer`. */
export const BEARER_KEY = "bearer-secret-key-b3a7"
/** A key the emulator answers as the retired service (410 Gone). */
export const RETIRED_KEY = "retired-secret-key-90e1"

export const keys = [
  { name: "main", key: KEY },
  { name: "disabled", key: "disabled-secret-key-0001", disabled: true },
  { name: "expired", key: "expired-secret-key-0002", expired: true },
  { name: "S15", key: S15_KEY, limits: { perDay: 5 } },
  { name: "S16", key: S16_KEY, limits: { perDay: 1_000 } },
  { name: "limited", key: LIMITED_KEY, limits: { perSecond: 2 } },
  { name: "reseller", key: BEARER_KEY, auth: "bearer" as const },
  { name: "retired", key: RETIRED_KEY, retired: true }
]

/** Starts one emulator for the file; every test starts from zero usage, no faults, an empty log. */
export const useEmulator = (): { readonly current: Emulator.EmulatorHandle } => {
  const ref: { current: Emulator.EmulatorHandle } = { current: undefined as unknown as Emulator.EmulatorHandle }
  beforeAll(async () => {
    ref.current = await Emulator.start({ keys })
  })
  afterAll(async () => {
    await ref.current.stop()
  })
  beforeEach(() => {
    ref.current.reset()
  })
  return ref
}

/** A client aimed at the emulator with tiny backoff delays, unless overridden, over `http` (fetch by default). */
export const clientLayer = (
  url: string,
  options: Partial<BingClient.Options> = {},
  http: Layer.Layer<HttpClient.HttpClient> = FetchHttpClient.layer
) =>
  BingClient.layer({
    key: Redacted.make(KEY),
    endpoint: url,
    allowInsecureLoopback: true,
    retry: { baseDelay: 1, maxDelay: 4 },
    ...options
  }).pipe(Layer.provide(http))

/** Sleeps in real time, whatever clock the fiber has (for waiting on sockets under TestClock). */
export const realSleep = (ms: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

/** Waits in real time (bounded) until `done()` holds. */
export const waitUntil = (done: () => boolean, what: string) =>
  Effect.gen(function*() {
    for (let i = 0; i < 1_000; i++) {
      if (done()) return
      yield* realSleep(5)
    }
    return yield* Effect.die(new Error(`timed out waiting for ${what}`))
  })
