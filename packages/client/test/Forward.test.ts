/**
 * `BingClient.Service.forward` over real sockets: the emulator, and small node:http servers for
 * what the emulator does not do (exact bytes, redirects, huge or endless bodies, silence, an
 * echoed key, a 500 then a 200). The raw answer's bytes, its decoded `error`, the refusals, the
 * per-attempt timeout, the key scrubbing, the failover and the retries of the one budget.
 */
import { QuotaStore, QuotaTracker, Tier } from "@bing-effect/quota-tracker"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Redacted } from "effect"
import { FetchHttpClient, type HttpClient } from "effect/http"
import { TestClock } from "effect/testing"
import type { ServerResponse } from "node:http"
import { afterAll, beforeAll, beforeEach, expect } from "vitest"
import { BingClient, type Forward } from "../src/index.js"
import { BingHttp } from "../src/undici.js"
import { clientLayer, KEY, realSleep, S15_KEY, S16_KEY, useEmulator, waitUntil } from "./fixtures.js"
import { httpServer, type Seen } from "./hostile.js"

const emu = useEmulator()

type Script = (res: ServerResponse, key: string, count: number) => void
let script: Script = (res) => res.end()
let scripted: Seen
let target: Seen
const held: Array<ServerResponse> = []

beforeAll(async () => {
  target = await httpServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end("{}"))
  scripted = await httpServer((req, res, seen) =>
    script(res, String(req.headers["ocp-apim-subscription-key"] ?? ""), seen.requests.length)
  )
})
afterAll(async () => {
  for (const res of held) res.destroy()
  await Promise.all([scripted.close(), target.close()])
})
beforeEach(() => {
  for (const s of [scripted, target]) s.requests.length = 0
})

const forward = (request: Forward.ForwardRequest) =>
  Effect.flatMap(Effect.service(BingClient.BingClient), (client) => client.forward(request))

/**
 * Every case runs over Effect's fetch client and over `BingHttp` (`@bing-effect/client/undici`),
 * whose raw dispatch `forward` uses instead of Effect's HttpClient (the gateway's upstream): the
 * same answers, refusals, timeouts and scrubbing either way.
 */
const transports: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient>]> = [
  ["FetchHttpClient", FetchHttpClient.layer],
  ["BingHttp (direct dispatch)", BingHttp.layer]
]

/** Bytes that a decode and re-encode would not keep: odd spacing, escapes, a non-ASCII character. */
const exact = Buffer.from(
  `{ "_type":"News",  "value":[{"name":"caf\\u00e9 — ünïcode","url":"https://e.x/a?b=1&amp;c"}] }\n`
)

for (const [transport, http] of transports) {
  const onScripted = (options: Partial<BingClient.Options> = {}) =>
    Effect.provide(clientLayer(scripted.url, { retry: { baseDelay: 1, maxDelay: 2 }, ...options }, http))

  describe(`forward over ${transport}: the answer's bytes`, () => {
    it.live("a 200 is the upstream's bytes unchanged, with its headers; only the listed request headers go", () =>
      Effect.gen(function*() {
        script = (res) =>
          res.writeHead(200, {
            "content-type": "application/json; charset=utf-8",
            "bingapis-traceid": "TRACE1",
            "content-length": exact.byteLength
          }).end(exact)
        const answer = yield* forward({
          path: "/v7.0/news/search",
          query: "q=caf%C3%A9&subscription-key=caller-key&Subscription%2DKey=other&count=2",
          headers: { "x-msedge-clientid": "CID", "x-private": "no", "ocp-apim-subscription-key": "caller-key" }
        })
        assert.strictEqual(answer.status, 200)
        assert.isTrue(Buffer.from(answer.body).equals(exact))
        assert.isUndefined(answer.error)
        assert.strictEqual(answer.headers["bingapis-traceid"], "TRACE1")
        assert.strictEqual(answer.attempts, 1)
        const seen = scripted.requests[0]!
        assert.strictEqual(seen.url, "/v7.0/news/search?q=caf%C3%A9&count=2", "subscription-key dropped")
        assert.strictEqual(seen.headers["ocp-apim-subscription-key"], KEY, "the client's key, not the caller's")
        assert.strictEqual(seen.headers["x-msedge-clientid"], "CID")
        assert.isUndefined(seen.headers["x-private"])
      }).pipe(onScripted()))

    it.live("subscription-key is dropped however its name is percent-encoded", () =>
      Effect.gen(function*() {
        script = (res) => res.writeHead(200, { "content-type": "application/json" }).end("{}")
        for (
          const name of ["%73ubscription-key", "SUBSCRIPTION%2dKEY", "subscription%2Dkey", "%53ubscription%2D%4Bey"]
        ) {
          yield* forward({ path: "/v7.0/search", query: `q=x&${name}=caller-key&count=1` })
        }
        assert.deepStrictEqual(scripted.requests.map((r) => r.url), Array(4).fill("/v7.0/search?q=x&count=1"))
      }).pipe(onScripted()))

    it.live("the emulator's 200: JSON bytes, no error", () =>
      Effect.gen(function*() {
        const answer = yield* forward({ path: "/v7.0/search", query: "q=sailing&count=2" })
        assert.strictEqual(answer.status, 200)
        assert.isUndefined(answer.error)
        assert.strictEqual(JSON.parse(new TextDecoder().decode(answer.body))._type, "SearchResponse")
        assert.strictEqual(emu.current.requests(1)[0]?.keyName, "main")
      }).pipe(Effect.provide(clientLayer(emu.current.url, {}, http))))

    it.live("a non-2xx is answered as raw bytes with the decoded error (Bing's 400 from the emulator)", () =>
      Effect.gen(function*() {
        const answer = yield* forward({ path: "/v7.0/search", query: "count=2" })
        assert.strictEqual(answer.status, 400)
        assert.isDefined(answer.error)
        assert.strictEqual(answer.error?.status, 400)
        const body = JSON.parse(new TextDecoder().decode(answer.body))
        assert.strictEqual(body._type, "ErrorResponse")
        assert.strictEqual(answer.attempts, 1, "not retried")
      }).pipe(Effect.provide(clientLayer(emu.current.url, {}, http))))

    it.live("a path that is not a v7-like path is refused locally, nothing sent", () =>
      Effect.gen(function*() {
        for (
          const path of [
            "//evil.example/x",
            "/v7.0/../admin",
            "v7.0/search",
            "/v7.0/search?q=x",
            // the URL parser reads %2e as a dot: these would climb out of /v7.0/ with the tier's key
            "/v7.0/%2e%2e/_emulator/keys",
            "/v7.0/%2E%2E/admin",
            "/bing/v7.0/%2e%2e/%2e%2e/x",
            "/v7.0/.%2e/y",
            "/v7.0/%2e./z",
            "/v7.0/%2e/search"
          ]
        ) {
          const error = yield* Effect.flip(forward({ path, query: "" }))
          assert.strictEqual(error._tag, "InvalidRequest", path)
        }
        assert.strictEqual(scripted.requests.length, 0)
      }).pipe(onScripted()))
  })

  describe(`forward over ${transport}: a 2xx that is not a JSON document`, () => {
    it.live("an HTML page or a cut body under a JSON content type is UnexpectedResponse, not passed on as a success", () =>
      Effect.gen(function*() {
        for (const body of ["<html>not json at all</html>", "{\"_type\":\"SearchResponse\",\"webPages\":", "   "]) {
          script = (res) => res.writeHead(200, { "content-type": "application/json" }).end(body)
          // the loop gives up on it: the raw answer comes back with the error it was refused for
          const answer = yield* forward({ path: "/v7.0/search", query: "q=x" })
          assert.strictEqual(answer.error?._tag, "UnexpectedResponse", body)
        }
        script = (res) => res.writeHead(200, { "content-type": "application/json" }).end(" [1, 2]\n")
        const json = yield* forward({ path: "/v7.0/search", query: "q=x" })
        assert.strictEqual(json.status, 200)
        assert.strictEqual(json.error, undefined)
      }).pipe(onScripted({ retry: { maxAttempts: 1 } })))
  })

  describe(`forward over ${transport}: refusals`, () => {
    it.live("a redirect is refused and the key never reaches its target", () =>
      Effect.gen(function*() {
        script = (res) => res.writeHead(302, { location: `${target.url}/v7.0/search?q=x`, "content-length": 0 }).end()
        const error = yield* Effect.flip(forward({ path: "/v7.0/search", query: "q=x" }))
        assert.strictEqual(error._tag, "RedirectRefused")
        assert.strictEqual(target.requests.length, 0)
        assert.notInclude(JSON.stringify(error), KEY)
        assert.notInclude(String(error), KEY)
      }).pipe(onScripted()))

    it.live("a body over the bound is ResponseTooLarge, with or without Content-Length", () =>
      Effect.gen(function*() {
        const big = Buffer.alloc(5_000, "a")
        script = (res) =>
          res.writeHead(200, { "content-type": "application/json", "content-length": big.length }).end(big)
        assert.strictEqual(
          (yield* Effect.flip(forward({ path: "/v7.0/search", query: "q=x" })))._tag,
          "ResponseTooLarge"
        )
        // chunked, and never ending: the read stops at the bound rather than waiting for the end
        script = (res) => {
          held.push(res)
          res.writeHead(200, { "content-type": "application/json" })
          res.write(big)
        }
        const started = Date.now()
        assert.strictEqual(
          (yield* Effect.flip(forward({ path: "/v7.0/search", query: "q=x" })))._tag,
          "ResponseTooLarge"
        )
        assert.isBelow(Date.now() - started, 2_000)
        // at the bound exactly: served
        script = (res) =>
          res.writeHead(200, { "content-type": "application/json" }).end(Buffer.alloc(1_000, " ").fill("{}", 0, 2))
        assert.strictEqual((yield* forward({ path: "/v7.0/search", query: "q=x" })).body.byteLength, 1_000)
      }).pipe(onScripted({ maxResponseBytes: 1_000, retry: { maxAttempts: 1 } })))

    it.live("an upstream that never answers is RequestTimeout after the per-attempt timeout, each attempt bounded", () =>
      Effect.gen(function*() {
        script = (res) => {
          held.push(res)
        }
        const started = Date.now()
        const error = yield* Effect.flip(forward({ path: "/v7.0/search", query: "q=x" }))
        const took = Date.now() - started
        assert.strictEqual(error._tag, "RequestTimeout")
        assert.strictEqual(scripted.requests.length, 2, "retried once within the budget")
        assert.isAtLeast(took, 2 * 150)
        assert.isBelow(took, 2_000)
      }).pipe(onScripted({ timeout: "150 millis", retry: { maxAttempts: 2, baseDelay: 1, maxDelay: 2 } })))

    it.effect("under the TestClock, virtual time ends the attempt", () =>
      Effect.gen(function*() {
        script = (res) => {
          held.push(res)
        }
        const fiber = yield* Effect.forkChild(Effect.flip(forward({ path: "/v7.0/search", query: "q=x" })))
        yield* waitUntil(() => scripted.requests.length === 1, "the request in flight")
        yield* realSleep(50)
        assert.isUndefined(fiber.pollUnsafe(), "only the virtual clock can end it")
        yield* TestClock.adjust("1 second")
        const error = yield* Fiber.join(fiber)
        assert.strictEqual(error._tag, "RequestTimeout")
        if (error._tag === "RequestTimeout") assert.strictEqual(error.timeoutMs, 1_000)
      }).pipe(onScripted({ timeout: "1 second", retry: { maxAttempts: 1 } })))
  })

  describe(`forward over ${transport}: the key`, () => {
    it.live("an upstream that echoes the key: scrubbed from the body and the headers", () =>
      Effect.gen(function*() {
        script = (res, key) =>
          res.writeHead(200, { "content-type": "application/json", "bingapis-market": `en-US ${key}` }).end(
            JSON.stringify({ _type: "News", echoed: key, url: `https://x/?subscription-key=${key}` })
          )
        const answer = yield* forward({ path: "/v7.0/news", query: "q=x" })
        const text = new TextDecoder().decode(answer.body)
        expect(text).not.toContain(KEY)
        expect(JSON.stringify(answer.headers)).not.toContain(KEY)
        assert.strictEqual(JSON.parse(text)._type, "News", "still JSON")
        // the key with its first character written as a JSON escape: found all the same
        script = (res, key) =>
          res.writeHead(200, { "content-type": "application/json" }).end(
            `{"_type":"News","echoed":"\\u${key.charCodeAt(0).toString(16).padStart(4, "0")}${key.slice(1)}"}`
          )
        const escaped = yield* forward({ path: "/v7.0/news", query: "q=x" })
        expect(JSON.parse(new TextDecoder().decode(escaped.body)).echoed).not.toContain(KEY)
        // a body without the key is passed on byte for byte (UTF-8 and escapes of other characters kept)
        const clean = `{"_type":"News","name":"a – b \\u00e9"}`
        script = (res) => res.writeHead(200, { "content-type": "application/json" }).end(clean)
        const untouched = yield* forward({ path: "/v7.0/news", query: "q=x" })
        assert.strictEqual(Buffer.from(untouched.body).toString("utf8"), clean)
        // and on an error answer too, in the bytes and in the decoded error
        script = (res, key) =>
          res.writeHead(401, { "content-type": "application/json" }).end(
            JSON.stringify({
              _type: "ErrorResponse",
              errors: [{ code: "InvalidAuthorization", message: `key ${key} is not valid` }]
            })
          )
        const refused = yield* forward({ path: "/v7.0/news", query: "q=x" })
        assert.strictEqual(refused.status, 401)
        for (
          const shown of [new TextDecoder().decode(refused.body), JSON.stringify(refused.error), String(refused.error)]
        ) {
          expect(shown).not.toContain(KEY)
        }
      }).pipe(onScripted()))
  })

  describe(`forward over ${transport}: the one budget`, () => {
    it.live("a 500 is retried within the budget; the 200 that follows is served", () =>
      Effect.gen(function*() {
        script = (res, _key, count) =>
          count === 1
            ? res.writeHead(500, { "content-type": "application/json" }).end(
              JSON.stringify({ _type: "ErrorResponse", errors: [{ code: "ServerError", message: "boom" }] })
            )
            : res.writeHead(200, { "content-type": "application/json" }).end(exact)
        const answer = yield* forward({ path: "/v7.0/search", query: "q=x" })
        assert.strictEqual(answer.status, 200)
        assert.strictEqual(answer.attempts, 2)
        assert.isTrue(Buffer.from(answer.body).equals(exact))
      }).pipe(onScripted()))

    it.live("a 500 every time: the last attempt's raw answer, after exactly maxAttempts", () =>
      Effect.gen(function*() {
        script = (res, _key, count) =>
          res.writeHead(500, { "content-type": "application/json" }).end(
            JSON.stringify({ _type: "ErrorResponse", errors: [{ code: "ServerError", message: `boom ${count}` }] })
          )
        const answer = yield* forward({ path: "/v7.0/search", query: "q=x" })
        assert.strictEqual(answer.status, 500)
        assert.strictEqual(answer.attempts, 3)
        assert.strictEqual(scripted.requests.length, 3)
        assert.include(new TextDecoder().decode(answer.body), "boom 3")
        assert.isDefined(answer.error)
      }).pipe(onScripted({ retry: { maxAttempts: 3, baseDelay: 1, maxDelay: 2 } })))

    it.effect("failover: a 403 quota answer on S15 moves the same forward to S16", () => {
      const tiers = [
        Tier.make({ name: "S15", key: Redacted.make(S15_KEY), limits: { perDay: 100 } }),
        Tier.make({ name: "S16", key: Redacted.make(S16_KEY), limits: { perDay: 1_000 } })
      ]
      return Effect.gen(function*() {
        yield* TestClock.setTime(emu.current.now())
        emu.current.setUsage({ key: "S15", window: "day", used: 5 })
        const answer = yield* forward({ path: "/v7.0/search", query: "q=tier" })
        assert.strictEqual(answer.status, 200)
        assert.strictEqual(answer.tier, "S16")
        assert.strictEqual(answer.attempts, 2)
        assert.deepStrictEqual(emu.current.requests(2).map((r) => [r.keyName, r.status]), [["S16", 200], ["S15", 403]])
        const status = yield* (yield* QuotaTracker.QuotaTracker).status
        assert.strictEqual(status.active, "S16")
      }).pipe(
        Effect.provide(
          BingClient.layerWithQuota({
            endpoint: emu.current.url,
            allowInsecureLoopback: true,
            retry: { baseDelay: 1, maxDelay: 2 }
          }).pipe(
            Layer.provideMerge(QuotaTracker.layer({ tiers }).pipe(Layer.provide(QuotaStore.layerMemory))),
            Layer.provide(http)
          )
        )
      )
    })
  })
}
