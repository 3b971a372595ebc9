import { execFile } from "node:child_process"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"
import { useEmulator } from "./fixtures.js"

// Loads the built package through its exports map in a plain Node process, as a user would
// (runs after `build`; turbo's test task depends on it). Asynchronous: the emulator lives in this
// process and must keep answering while the child runs.
const cwd = fileURLToPath(new URL("..", import.meta.url))
const run = promisify(execFile)
const node = async (code: string, type: "module" | "commonjs" = "module") =>
  (await run(process.execPath, [`--input-type=${type}`, "-e", code], { cwd, encoding: "utf8", timeout: 20_000 })).stdout

const emu = useEmulator()

describe("package exports", () => {
  it("ESM: the Effect API calls the emulator", async () => {
    const out = await node(`
      import { Effect, Layer, Redacted } from "effect"
      import { FetchHttpClient } from "effect/http"
      import { BingClient, RetryPolicy } from "@bing-effect/client"
      const layer = BingClient.layer({ key: Redacted.make("main-secret-key-4f1c9a7e"), endpoint: ${
      JSON.stringify(emu.current.url)
    }, allowInsecureLoopback: true }).pipe(Layer.provide(FetchHttpClient.layer))
      const { meta } = await Effect.runPromise(BingClient.webSearch({ q: "smoke" }).pipe(Effect.provide(layer)))
      console.log(meta.status, meta.attempts, RetryPolicy.defaults.maxAttempts)`)
    expect(out.trim()).toBe("200 1 4")
  })

  it("ESM: the /promise subpath rejects with the same classes as the main entry", async () => {
    const out = await node(`
      import { Redacted } from "effect"
      import { createClient, BingError, RequestTimeout } from "@bing-effect/client/promise"
      import { TransportError } from "@bing-effect/client"
      const bing = createClient({ key: Redacted.make("main-secret-key-4f1c9a7e"), endpoint: ${
      JSON.stringify(emu.current.url)
    }, allowInsecureLoopback: true })
      const ok = await bing.trendingImages()
      const error = await bing.webSearch({ q: "" }).catch((e) => e)
      await bing.close()
      console.log(ok.value._type, error instanceof BingError.InvalidRequest, error._tag, RequestTimeout === TransportError.RequestTimeout)`)
    expect(out.trim()).toBe("TrendingImages true InvalidRequest true")
  })

  it("CommonJS: both entries load, sharing their classes", () => {
    const require = createRequire(import.meta.url)
    const main = require("@bing-effect/client")
    const promise = require("@bing-effect/client/promise")
    expect(typeof main.BingClient.layer).toBe("function")
    expect(typeof promise.createClient).toBe("function")
    expect(promise.ConnectionFailed).toBe(main.TransportError.ConnectionFailed)
    expect(promise.InvalidClientOptions).toBe(main.InvalidClientOptions.InvalidClientOptions)
  })

  it("CommonJS: the Promise API calls the emulator", async () => {
    const out = await node(
      `
      const { Redacted } = require("effect")
      const { createClient } = require("@bing-effect/client/promise")
      const bing = createClient({ key: Redacted.make("main-secret-key-4f1c9a7e"), endpoint: ${
        JSON.stringify(emu.current.url)
      }, allowInsecureLoopback: true })
      bing.imageSearch({ q: "cjs" }).then(async (r) => { await bing.close(); console.log(r.value._type, r.meta.status) })`,
      "commonjs"
    )
    expect(out.trim()).toBe("Images 200")
  })

  it("closes internal paths", async () => {
    await expect(node(`await import("@bing-effect/client/internal/retryLoop.js")`)).rejects.toThrow(
      /ERR_PACKAGE_PATH_NOT_EXPORTED/
    )
  })
})
