/**
 * No redirect is ever followed with the key. A real HTTPS "Bing" (a self-signed certificate made
 * for this run) answers 302 to a plain-HTTP target and to an HTTPS target on another port; the
 * targets record every connection. Covered: the Promise API default, the Effect API without an
 * HttpClient layer, with `FetchHttpClient.layer`, with undici, and a custom HttpClient that
 * follows redirects by itself.
 *
 * Node's fetch trusts the certificate through undici's global dispatcher (set for this file and
 * put back afterwards); undici gets it through its own `connect.ca`.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Agent, getGlobalDispatcher, setGlobalDispatcher } from "@effect/platform-node/Undici"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { FetchHttpClient, HttpClient } from "effect/http"
import { afterAll, beforeAll, beforeEach } from "vitest"
import { BingClient, ResponseRefused } from "../src/index.js"
import { createClient } from "../src/promise.js"
import { KEY } from "./fixtures.js"
import { answerSearch, httpServer, httpsServer, makeCertificate, type Seen } from "./hostile.js"

const tls = makeCertificate()
let bing: Seen
let plainTarget: Seen
let tlsTarget: Seen
let location: (target: "http" | "https") => string = () => ""
let redirectTo: "http" | "https" = "http"
const previous = getGlobalDispatcher()

beforeAll(async () => {
  setGlobalDispatcher(new Agent({ connect: { ca: tls.cert } }))
  plainTarget = await httpServer((_req, res) => answerSearch(res))
  tlsTarget = await httpsServer(tls, (_req, res) => answerSearch(res))
  location = (target) =>
    target === "http"
      ? `http://127.0.0.1:${plainTarget.port}/v7.0/search?q=x`
      : `https://localhost:${tlsTarget.port}/v7.0/search?q=x`
  bing = await httpsServer(tls, (_req, res) => {
    res.writeHead(302, { location: location(redirectTo), "content-length": 0 })
    res.end()
  })
})
afterAll(async () => {
  setGlobalDispatcher(previous)
  await Promise.all([bing.close(), plainTarget.close(), tlsTarget.close()])
  tls.remove()
})
beforeEach(() => {
  for (const s of [bing, plainTarget, tlsTarget]) {
    s.requests.length = 0
    s.connections = 0
  }
})

const options = (): BingClient.Options => ({
  key: Redacted.make(KEY),
  endpoint: bing.url,
  retry: { baseDelay: 1, maxDelay: 2 }
})

const expectRefused = (error: unknown, target: "http" | "https") => {
  assert.instanceOf(error, ResponseRefused.RedirectRefused)
  const refused = error as ResponseRefused.RedirectRefused
  assert.strictEqual(refused.status, 302)
  assert.strictEqual(
    refused.target,
    target === "http" ? `http://127.0.0.1:${plainTarget.port}` : `https://localhost:${tlsTarget.port}`
  )
  assert.isFalse(refused.followed)
  assert.isFalse(refused.isRetryable)
  assert.include(refused.message, "302")
  assert.notInclude(`${refused.message} ${JSON.stringify(refused)}`, KEY)
  assert.strictEqual(BingClient.attemptsOf(refused), 1)
  // one request to "Bing" (not retried), nothing at all to the target
  assert.strictEqual(bing.requests.length, 1)
  assert.strictEqual(plainTarget.connections + tlsTarget.connections, 0)
  assert.strictEqual(plainTarget.requests.length + tlsTarget.requests.length, 0)
}

const transports: ReadonlyArray<
  readonly [
    string,
    (
      l: Layer.Layer<BingClient.BingClient, unknown, HttpClient.HttpClient>
    ) => Layer.Layer<BingClient.BingClient, unknown>
  ]
> = [
  ["FetchHttpClient.layer", (l) => Layer.provide(l, FetchHttpClient.layer)],
  [
    "NodeHttpClient.layerUndici",
    (l) => Layer.provide(l, NodeHttpClient.layerUndiciOptions({ connect: { ca: tls.cert } }))
  ]
]

describe("a 3xx is never followed", () => {
  for (const [name, provide] of transports) {
    for (const target of ["http", "https"] as const) {
      it.live(`Effect API, ${name}: 302 to ${target}://`, () =>
        Effect.gen(function*() {
          redirectTo = target
          const error = yield* Effect.flip(BingClient.webSearch({ q: "x" }))
          expectRefused(error, target)
        }).pipe(Effect.provide(provide(BingClient.layer(options())))))
    }
  }

  for (const target of ["http", "https"] as const) {
    it(`Promise API default: 302 to ${target}://`, async () => {
      redirectTo = target
      const client = createClient(options())
      try {
        expectRefused(await client.webSearch({ q: "x" }).catch((e: unknown) => e), target)
      } finally {
        await client.close()
      }
    })
  }

  it.live("the fetch RequestInit of the call is kept, with redirect: manual", () =>
    Effect.gen(function*() {
      redirectTo = "http"
      const error = yield* Effect.flip(
        BingClient.webSearch({ q: "x" }).pipe(
          Effect.provideService(FetchHttpClient.RequestInit, { redirect: "follow", headers: { "x-extra": "kept" } })
        )
      )
      expectRefused(error, "http")
      assert.strictEqual(bing.requests[0]?.headers["x-extra"], "kept")
    }).pipe(Effect.provide(BingClient.layer(options()).pipe(Layer.provide(FetchHttpClient.layer)))))

  it.live("a Location holding the key: only the scrubbed origin is kept", () =>
    Effect.gen(function*() {
      const saved = location
      location = () => `http://${KEY}.invalid:1/v7.0/search?key=${KEY}`
      const error = yield* Effect.flip(BingClient.webSearch({ q: "x" })).pipe(
        Effect.ensuring(Effect.sync(() => (location = saved)))
      )
      assert.instanceOf(error, ResponseRefused.RedirectRefused)
      assert.strictEqual((error as ResponseRefused.RedirectRefused).target, "http://<redacted>.invalid:1")
      assert.notInclude(`${error.message} ${JSON.stringify(error)}`, KEY)
    }).pipe(Effect.provide(BingClient.layer(options()).pipe(Layer.provide(FetchHttpClient.layer)))))
})

describe("an HttpClient that follows redirects by itself", () => {
  it.live("the answer from another origin is refused, not returned", () =>
    Effect.gen(function*() {
      redirectTo = "https"
      const error = yield* Effect.flip(BingClient.webSearch({ q: "x" }))
      assert.instanceOf(error, ResponseRefused.RedirectRefused)
      const refused = error as ResponseRefused.RedirectRefused
      assert.isTrue(refused.followed)
      assert.strictEqual(refused.status, 200)
      assert.strictEqual(refused.target, `https://localhost:${tlsTarget.port}`)
      assert.notInclude(`${refused.message} ${JSON.stringify(refused)}`, KEY)
      assert.strictEqual(bing.requests.length, 1)
    }).pipe(
      Effect.provide(
        BingClient.layer(options()).pipe(
          Layer.provide(
            Layer.effect(
              HttpClient.HttpClient,
              Effect.map(Effect.service(HttpClient.HttpClient), HttpClient.followRedirects(3))
            )
          ),
          Layer.provide(FetchHttpClient.layer)
        )
      )
    ))
})
