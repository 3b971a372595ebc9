/**
 * `maxResponseBytes`: an endless 200, a 100 MB body and a gzip bomb, each from a real socket on
 * 127.0.0.1, fail the attempt at once with `ResponseTooLarge` (not retried), and the client
 * closes the connection. The bound counts decompressed bytes and is configurable (Promise API too).
 */
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { FetchHttpClient } from "effect/http"
import type { ServerResponse } from "node:http"
import { gzipSync } from "node:zlib"
import { afterAll, beforeAll } from "vitest"
import { BingClient, InvalidClientOptions, ResponseRefused } from "../src/index.js"
import { createClient } from "../src/promise.js"
import { clientLayer, KEY, useEmulator, waitUntil } from "./fixtures.js"
import { answerSearch, httpServer, type Seen } from "./hostile.js"

const emu = useEmulator()
const MiB = 1024 * 1024
const zeros = Buffer.alloc(64 * 1024)
// 64 MiB of zeros, gzipped: about 64 KB on the wire.
const bomb = gzipSync(Buffer.alloc(64 * MiB))

/** Writes zeros until the client goes away (bounded: at most 1 GiB). */
const endless = (res: ServerResponse) => {
  res.writeHead(200, { "content-type": "application/json" })
  let sent = 0
  const pump = () => {
    while (sent < 1024 * MiB && !res.destroyed) {
      sent += zeros.length
      if (!res.write(zeros)) return void res.once("drain", pump)
    }
    res.end()
  }
  res.on("close", () => res.removeAllListeners("drain"))
  pump()
}

let server: Seen
let mode: "endless" | "huge" | "bomb" | "ok" = "ok"
beforeAll(async () => {
  server = await httpServer((_req, res) => {
    switch (mode) {
      case "endless":
        return endless(res)
      case "huge": {
        // Content-Length of 100 MB: the body is never wanted, so it is never sent in full.
        res.writeHead(200, { "content-type": "application/json", "content-length": 100 * 1000 * 1000 })
        return res.write(zeros)
      }
      case "bomb":
        res.writeHead(200, {
          "content-type": "application/json",
          "content-encoding": "gzip",
          "content-length": bomb.length
        })
        return res.end(bomb)
      case "ok":
        return answerSearch(res)
    }
  })
})
afterAll(() => server.close())

const layerFor = (transport: "fetch" | "undici", options: Partial<BingClient.Options> = {}) =>
  clientLayer(server.url, options, transport === "undici" ? NodeHttpClient.layerUndici : FetchHttpClient.layer)

describe("the response body is bounded", () => {
  for (const transport of ["fetch", "undici"] as const) {
    for (const hostile of ["endless", "huge"] as const) {
      it.live(`${transport}: a ${hostile === "endless" ? "never-ending" : "100 MB"} 200 fails at once with ResponseTooLarge, and the socket is closed`, () =>
        Effect.gen(function*() {
          mode = hostile
          server.requests.length = 0
          const before = server.closed
          const started = Date.now()
          const error = yield* Effect.flip(BingClient.webSearch({ q: "big" }))
          assert.instanceOf(error, ResponseRefused.ResponseTooLarge)
          const tooLarge = error as ResponseRefused.ResponseTooLarge
          assert.strictEqual(tooLarge.maxResponseBytes, BingClient.defaultMaxResponseBytes)
          assert.strictEqual(tooLarge.status, 200)
          assert.isFalse(tooLarge.isRetryable)
          assert.strictEqual(BingClient.attemptsOf(tooLarge), 1)
          assert.strictEqual(server.requests.length, 1, "not retried")
          // well within the 10 s default timeout: the bound stopped it, not the clock
          assert.isBelow(Date.now() - started, 5_000)
          yield* waitUntil(() => server.closed > before, "the client to close the connection")
        }).pipe(Effect.provide(layerFor(transport))))
    }
  }

  it.live("fetch: a gzip bomb is counted after decompression", () =>
    Effect.gen(function*() {
      mode = "bomb"
      const error = yield* Effect.flip(BingClient.webSearch({ q: "bomb" }))
      assert.instanceOf(error, ResponseRefused.ResponseTooLarge)
    }).pipe(Effect.provide(layerFor("fetch"))))

  it.live("the bound is configurable: a 16 KB emulator answer over a 4 KB bound fails, under the default succeeds", () =>
    Effect.gen(function*() {
      const small = yield* Effect.flip(
        BingClient.webSearch({ q: "effect typescript" }).pipe(
          Effect.provide(clientLayer(emu.current.url, { maxResponseBytes: 4096 }))
        )
      )
      assert.instanceOf(small, ResponseRefused.ResponseTooLarge)
      assert.strictEqual((small as ResponseRefused.ResponseTooLarge).maxResponseBytes, 4096)
      const { meta } = yield* BingClient.webSearch({ q: "effect typescript" }).pipe(
        Effect.provide(clientLayer(emu.current.url))
      )
      assert.strictEqual(meta.status, 200)
    }))

  it("Promise API: maxResponseBytes, and a bound that is not a positive whole number is refused at construction", async () => {
    mode = "ok"
    const client = createClient({
      key: Redacted.make(KEY),
      endpoint: server.url,
      allowInsecureLoopback: true,
      maxResponseBytes: 10
    })
    try {
      const error = await client.webSearch({ q: "x" }).catch((e: unknown) => e)
      assert.instanceOf(error, ResponseRefused.ResponseTooLarge)
    } finally {
      await client.close()
    }
    for (const maxResponseBytes of [0, -1, 1.5, Number.NaN]) {
      assert.throws(
        () => createClient({ key: Redacted.make(KEY), maxResponseBytes }),
        InvalidClientOptions.InvalidClientOptions
      )
    }
  })
})
