/**
 * The gateway over real sockets, with the emulator as its upstream (keys of its own for the tiers)
 * and a plain `fetch` as the caller: every documented answer, byte for byte where Bing's wire is
 * at stake, and no key in any of them.
 */
import { Emulator } from "@bing-effect/emulator"
import { QuotaError, QuotaStore } from "@bing-effect/quota-tracker"
import { BingError, BingResponse } from "@bing-effect/schema"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { TestClock } from "effect/testing"
import { request as httpRequest } from "node:http"
import { afterAll, beforeAll, expect } from "vitest"
import type { Gateway } from "../src/index.js"
import {
  call,
  config,
  DIRECT_KEY,
  emulatorKeys,
  S15_KEY,
  S16_KEY,
  secrets,
  TEAM_A_KEY,
  TEAM_B_KEY,
  transcript,
  useEmulator,
  withGateway
} from "./fixtures.js"
import * as Upstream from "./upstream.js"

const emu = useEmulator()
let scripted: Upstream.Scripted

beforeAll(async () => {
  scripted = await Upstream.start()
})

afterAll(async () => {
  await scripted.stop()
  const everything = transcript.join("\n")
  assert.isAbove(transcript.length, 20)
  for (const secret of secrets) expect(everything).not.toContain(secret)
})

const asTeamA = { headers: { "Ocp-Apim-Subscription-Key": TEAM_A_KEY } }
const direct = (path: string, headers: Record<string, string> = { "Ocp-Apim-Subscription-Key": DIRECT_KEY }) =>
  call(`${emu.current.url}${path}`, { headers })
/** Both clocks at the emulator's time, the gateway's being the TestClock. */
const syncClocks = Effect.suspend(() => TestClock.setTime(emu.current.now()))

describe("the Bing wire", () => {
  it.effect("a Web Search answer is the emulator's bytes, with its headers, under both prefixes", () =>
    Effect.gen(function*() {
      yield* syncClocks
      yield* withGateway(config(emu.current.url), (base) =>
        Effect.gen(function*() {
          const query = "q=sailing%20dinghy&count=3&mkt=en-GB"
          const reference = yield* direct(`/v7.0/search?${query}`)
          assert.strictEqual(reference.status, 200)
          for (const prefix of ["/v7.0", "/bing/v7.0"]) {
            const seen = yield* call(`${base}${prefix}/search?${query}`, asTeamA)
            assert.strictEqual(seen.status, 200)
            assert.isTrue(seen.body.equals(reference.body), "the upstream's bytes")
            assert.strictEqual(seen.headers.get("content-type"), reference.headers.get("content-type"))
            assert.strictEqual(seen.headers.get("bingapis-market"), "en-GB")
            assert.strictEqual(seen.headers.get("bingapis-traceid"), emu.current.requests(1)[0]?.traceId)
            assert.isString(seen.headers.get("x-msedge-clientid"))
          }
          // upstream, every request went to /v7.0/search with S15's key
          const log = emu.current.requests(2)
          assert.deepStrictEqual(log.map((r) => [r.keyName, r.path.split("?")[0]]), [
            ["S15", "/v7.0/search"],
            ["S15", "/v7.0/search"]
          ])
        }))
    }))

  it.effect("Image Search and Trending Images are served too, the key also accepted as subscription-key", () =>
    Effect.gen(function*() {
      yield* syncClocks
      yield* withGateway(config(emu.current.url), (base) =>
        Effect.gen(function*() {
          const images = yield* call(`${base}/v7.0/images/search?q=boats&count=2&subscription-key=${TEAM_A_KEY}`)
          assert.strictEqual(images.status, 200)
          assert.isTrue(images.body.equals((yield* direct("/v7.0/images/search?q=boats&count=2")).body))
          const trending = yield* call(`${base}/bing/v7.0/images/trending?mkt=en-US`, asTeamA)
          assert.strictEqual(trending.status, 200)
          assert.isTrue(trending.body.equals((yield* direct("/v7.0/images/trending?mkt=en-US")).body))
          // the caller's key never travels upstream, not even in the query
          const sent = emu.current.requests(4).filter((r) => r.keyName === "S15").map((r) => r.path)
          assert.deepStrictEqual(sent, ["/v7.0/images/trending?mkt=en-US", "/v7.0/images/search?q=boats&count=2"])
        }))
    }))

  it.effect("401: missing, unknown, an upstream tier's key, and two keys at once, as the emulator answers", () =>
    Effect.gen(function*() {
      yield* syncClocks
      yield* withGateway(config(emu.current.url), (base) =>
        Effect.gen(function*() {
          const cases: ReadonlyArray<readonly [string, Record<string, string>, string, Record<string, string>]> = [
            ["q=a", {}, "q=a", {}],
            ["q=a", { "Ocp-Apim-Subscription-Key": "nobody-knows-this-key" }, "q=a", {
              "Ocp-Apim-Subscription-Key": "nobody-knows-this-key"
            }],
            ["q=a", { "Ocp-Apim-Subscription-Key": S15_KEY }, "q=a", {
              "Ocp-Apim-Subscription-Key": "nobody-knows-this-key"
            }],
            [`q=a&subscription-key=${S16_KEY}`, {}, "q=a", { "Ocp-Apim-Subscription-Key": "nobody-knows-this-key" }],
            [
              `q=a&subscription-key=${TEAM_A_KEY}`,
              { "Ocp-Apim-Subscription-Key": TEAM_A_KEY },
              `q=a&subscription-key=${DIRECT_KEY}`,
              {
                "Ocp-Apim-Subscription-Key": DIRECT_KEY
              }
            ]
          ]
          for (const [query, headers, directQuery, directHeaders] of cases) {
            const seen = yield* call(`${base}/v7.0/search?${query}`, { headers })
            const reference = yield* direct(`/v7.0/search?${directQuery}`, directHeaders)
            assert.strictEqual(seen.status, 401)
            assert.strictEqual(reference.status, 401)
            assert.strictEqual(seen.text, reference.text)
            assert.strictEqual(seen.headers.get("content-type"), reference.headers.get("content-type"))
          }
          assert.include(
            (yield* call(`${base}/v7.0/search?q=a`, { headers: { "Ocp-Apim-Subscription-Key": S15_KEY } })).text,
            "Subscription key is not recognized."
          )
          // nothing reached the upstream with a tier's key
          assert.isFalse(emu.current.requests().some((r) => r.keyName === "S15" || r.keyName === "S16"))
        }))
    }))

  it.effect("400: bad parameters get exactly the emulator's body, before anything is counted or sent", () =>
    Effect.gen(function*() {
      yield* syncClocks
      // team-b may make 10 requests a day: the bad ones below do not count
      yield* withGateway(config(emu.current.url), (base) =>
        Effect.gen(function*() {
          const bad = [
            "/v7.0/search",
            "/v7.0/search?q=",
            "/v7.0/search?q=a&count=abc",
            "/v7.0/search?q=a&count=65536",
            "/v7.0/search?q=a&safeSearch=Sometimes",
            "/v7.0/search?q=a&responseFilter=Webpages,-News",
            "/v7.0/search?q=%zz",
            "/bing/v7.0/images/search?q=a&count=65536",
            "/v7.0/images/search?q=a&aspect=Round",
            "/v7.0/images/trending?safeSearch=No",
            "/v7.0/images/search?count=2"
          ]
          for (const path of bad) {
            const seen = yield* call(`${base}${path}`, { headers: { "Ocp-Apim-Subscription-Key": TEAM_B_KEY } })
            const reference = yield* direct(path.replace(/^\/bing/, ""))
            assert.strictEqual(seen.status, 400, path)
            assert.strictEqual(reference.status, 400, path)
            assert.strictEqual(seen.text, reference.text, path)
            assert.match(seen.headers.get("bingapis-traceid") ?? "", /^[0-9A-F]{20,}$/)
          }
          assert.isFalse(emu.current.requests().some((r) => r.keyName === "S15" || r.keyName === "S16"))
          // and the tenant's day (10) is untouched: a good request still passes, twice
          yield* TestClock.adjust("2 seconds")
          const ok = yield* call(`${base}/v7.0/search?q=fine`, { headers: { "Ocp-Apim-Subscription-Key": TEAM_B_KEY } })
          assert.strictEqual(ok.status, 200)
        }))
    }))

  it.effect("request headers reach the upstream, the upstream's pass-through headers reach the caller", () =>
    Effect.gen(function*() {
      scripted.mode = "echo"
      scripted.seen.length = 0
      yield* withGateway(config(scripted.url), (base) =>
        Effect.gen(function*() {
          const seen = yield* call(`${base}/v7.0/news/search?q=tides&subscription-key=${TEAM_A_KEY}&mkt=en-US`, {
            headers: {
              "X-MSEdge-ClientID": "CALLERCLIENTID",
              "X-Search-Location": "lat:47.6;long:-122.3;re:100",
              "User-Agent": "CallerAgent/1.0",
              "Accept-Language": "en-GB",
              "X-MSEdge-ClientIP": "203.0.113.9",
              Cookie: "session=1",
              "X-Caller-Private": "not for the upstream"
            }
          })
          assert.strictEqual(seen.status, 200)
          assert.strictEqual(
            seen.text,
            JSON.stringify({ _type: "News", value: [{ name: "news item", url: "https://example.com/a" }] })
          )
          assert.strictEqual(seen.headers.get("content-type"), "application/json; charset=utf-8")
          assert.strictEqual(seen.headers.get("bingapis-traceid"), "SCRIPTEDTRACE01")
          assert.strictEqual(seen.headers.get("bingapis-market"), "en-US")
          assert.strictEqual(seen.headers.get("x-msedge-clientid"), "UPSTREAMCLIENTID")
          assert.strictEqual(seen.headers.get("retry-after"), "7")
          assert.isNull(seen.headers.get("x-upstream-private"))
          assert.isNull(seen.headers.get("set-cookie"))
          const [received] = scripted.seen
          assert.strictEqual(received?.url, "/v7.0/news/search?q=tides&mkt=en-US")
          assert.strictEqual(received?.headers["ocp-apim-subscription-key"], S15_KEY)
          assert.strictEqual(received?.headers["x-msedge-clientid"], "CALLERCLIENTID")
          assert.strictEqual(received?.headers["x-search-location"], "lat:47.6;long:-122.3;re:100")
          assert.strictEqual(received?.headers["user-agent"], "CallerAgent/1.0")
          assert.strictEqual(received?.headers["accept-language"], "en-GB")
          assert.strictEqual(received?.headers["x-msedge-clientip"], "203.0.113.9")
          assert.isUndefined(received?.headers["cookie"])
          assert.isUndefined(received?.headers["x-caller-private"])
        }))
    }))

  it.effect("an upstream that echoes the tier's key: the key never reaches the caller", () =>
    Effect.gen(function*() {
      scripted.mode = "leak"
      yield* withGateway(config(scripted.url), (base) =>
        Effect.gen(function*() {
          const seen = yield* call(`${base}/v7.0/news?q=x`, asTeamA)
          assert.strictEqual(seen.status, 200)
          assert.notInclude(seen.text, S15_KEY)
          assert.include(seen.text, "<redacted>")
          assert.notInclude(seen.headers.get("bingapis-market") ?? "", S15_KEY)
          assert.strictEqual(JSON.parse(seen.text).escaped, "<redacted>")
        }))
    }))

  it.effect("any other /v7.0 GET is forwarded as-is and counted; other paths and methods get 404", () =>
    Effect.gen(function*() {
      yield* syncClocks
      const cfg = config(emu.current.url, {
        clients: [{ name: "team-c", key: Redacted.make(TEAM_B_KEY), limits: { perDay: 3 } }]
      })
      yield* withGateway(cfg, (base) =>
        Effect.gen(function*() {
          const headers = { "Ocp-Apim-Subscription-Key": TEAM_B_KEY }
          // News Search, served by the emulator, comes back as it was sent (not validated by the gateway)
          const news = yield* call(`${base}/v7.0/news/search?q=tides&count=3`, { headers })
          assert.strictEqual(news.status, 200)
          assert.strictEqual(JSON.parse(news.text)._type, "News")
          assert.strictEqual(JSON.parse(news.text).value.length, 3)
          assert.strictEqual(emu.current.requests(1)[0]?.path, "/v7.0/news/search?q=tides&count=3")
          // a path the emulator does not serve: its own 404 comes back
          const custom = yield* call(`${base}/v7.0/custom/search?q=tides`, { headers })
          assert.strictEqual(custom.status, 404)
          assert.strictEqual(custom.text, "")
          const videos = yield* call(`${base}/bing/v7.0/videos/trending`, { headers })
          assert.strictEqual(JSON.parse(videos.text)._type, "TrendingVideos")
          assert.strictEqual(emu.current.requests(1)[0]?.path, "/v7.0/videos/trending")
          const before = emu.current.requests().length
          for (
            const [path, method] of [
              ["/", "GET"],
              ["/v8.0/search?q=a", "GET"],
              ["/v7.0", "GET"],
              ["/v7.0/search?q=a", "POST"],
              ["/v7.0/news", "DELETE"],
              [`/v7.0/search?q=${"a".repeat(2100)}`, "GET"]
            ] as const
          ) {
            const seen = yield* call(`${base}${path}`, { method, headers })
            assert.strictEqual(seen.status, 404, `${method} ${path}`)
            assert.strictEqual(seen.text, "")
            if (method !== "GET") assert.strictEqual(seen.headers.get("allow"), "GET")
          }
          // `%2e` is a dot to a URL parser: these would leave /v7.0/ upstream, with a tier's key.
          // fetch would normalise them away, so they go as written, over node:http.
          for (
            const path of ["/v7.0/%2e%2e/_emulator/keys", "/bing/v7.0/%2E%2E/%2e%2e/x", "/v7.0/.%2e/y", "/v7.0/%2e./z"]
          ) {
            const status = yield* Effect.promise(() =>
              new Promise<number | undefined>((resolve, reject) => {
                const { hostname, port } = new URL(base)
                // the path as written: `http.request(url)` would normalise it through the URL parser
                const req = httpRequest({ hostname, port, path, headers, timeout: 10_000 }, (res) => {
                  res.resume().on("end", () => resolve(res.statusCode))
                })
                req.on("error", reject).on("timeout", () => req.destroy(new Error("timeout"))).end()
              })
            )
            assert.strictEqual(status, 404, path)
          }
          assert.strictEqual(emu.current.requests().length, before, "nothing sent for them")
          // news and videos were served (2 of the tenant's 3 a day); the upstream's 404 and the
          // gateway's own 404s were not counted: one is left, then the day is out
          const served = yield* call(`${base}/v7.0/search?q=counted`, { headers })
          assert.strictEqual(served.status, 200)
          const over = yield* call(`${base}/v7.0/search?q=over`, { headers })
          assert.strictEqual(over.status, 403)
        }))
    }))
})

describe("operations routes", () => {
  it.effect("are answered before the Bing routes, and every answer is counted, ops ones included", () =>
    Effect.gen(function*() {
      yield* syncClocks
      yield* withGateway(config(emu.current.url), (base) =>
        Effect.gen(function*() {
          assert.strictEqual((yield* call(`${base}/_gateway/healthz`)).status, 200)
          assert.strictEqual((yield* call(`${base}/v7.0/search?q=ops`, asTeamA)).status, 200)
          assert.strictEqual((yield* call(`${base}/v7.0/search?q=ops`)).status, 401)
          const metrics = yield* call(`${base}/metrics`)
          assert.strictEqual(metrics.status, 200)
          const requests = metrics.text.split("\n").filter((l) => l.startsWith("bing_gateway_requests_total{"))
          assert.isTrue(
            requests.some((l) => l.includes("route=\"search\"") && l.includes("status=\"200\"")),
            metrics.text
          )
          assert.isTrue(requests.some((l) => l.includes("status=\"401\"")))
          assert.isTrue(requests.some((l) => l.includes("route=\"ops\"")))
          assert.strictEqual(emu.current.requests().length, 1, "nothing of the ops routes went upstream")
        }))
    }))
})

describe("quotas and tier switching", () => {
  it.effect("S15 exhausted upstream: the same request is served by S16 (200), and S15 again after the reset", () =>
    Effect.gen(function*() {
      yield* syncClocks
      yield* withGateway(config(emu.current.url), (base) =>
        Effect.gen(function*() {
          assert.strictEqual((yield* call(`${base}/v7.0/search?q=tier`, asTeamA)).status, 200)
          emu.current.setUsage({ key: "S15", window: "day", used: 5 })
          const switched = yield* call(`${base}/v7.0/search?q=tier`, asTeamA)
          assert.strictEqual(switched.status, 200)
          assert.isTrue(switched.body.equals((yield* direct("/v7.0/search?q=tier")).body))
          assert.deepStrictEqual(emu.current.requests(3).slice(1).map((r) => [r.keyName, r.status]), [["S16", 200], [
            "S15",
            403
          ]])
          assert.strictEqual((yield* call(`${base}/v7.0/search?q=next`, asTeamA)).status, 200)
          assert.strictEqual(emu.current.requests(1)[0]?.keyName, "S16")
          const clock = emu.current.advanceClock("next-day")
          yield* TestClock.setTime(clock.now + 1_000)
          assert.strictEqual((yield* call(`${base}/v7.0/search?q=back`, asTeamA)).status, 200)
          assert.strictEqual(emu.current.requests(1)[0]?.keyName, "S15")
        }))
    }))

  it.effect("every tier out: Bing's 403 RateLimitExceeded with Retry-After until the earliest reset", () =>
    Effect.gen(function*() {
      yield* syncClocks
      yield* withGateway(config(emu.current.url), (base) =>
        Effect.gen(function*() {
          emu.current.setUsage({ key: "S15", window: "day", used: 5 })
          emu.current.setUsage({ key: "S16", window: "day", used: 1_000 })
          const now = emu.current.now()
          const midnight = Date.UTC(
            new Date(now).getUTCFullYear(),
            new Date(now).getUTCMonth(),
            new Date(now).getUTCDate() + 1
          )
          const expected = BingResponse.encodeError(BingError.quotaExhausted("day", midnight - now))
          const seen = yield* call(`${base}/v7.0/search?q=none`, asTeamA)
          assert.strictEqual(seen.status, 403)
          assert.strictEqual(seen.text, expected.body)
          assert.strictEqual(seen.headers.get("retry-after"), expected.headers["Retry-After"])
          assert.isAbove(Number(seen.headers.get("retry-after")), 0)
          // known now: the next caller is answered without anything sent
          const before = emu.current.requests().length
          const again = yield* call(`${base}/v7.0/images/search?q=none`, asTeamA)
          assert.strictEqual(again.status, 403)
          assert.strictEqual(again.text, expected.body)
          assert.strictEqual(emu.current.requests().length, before)
          // both come back at the reset
          const clock = emu.current.advanceClock("next-day")
          yield* TestClock.setTime(clock.now + 1_000)
          assert.strictEqual((yield* call(`${base}/v7.0/search?q=back`, asTeamA)).status, 200)
        }))
    }))

  it.effect("a tenant over its per-second limit gets Bing's 429 with Retry-After; over its day, Bing's 403", () =>
    Effect.gen(function*() {
      yield* syncClocks
      yield* withGateway(config(emu.current.url), (base) =>
        Effect.gen(function*() {
          const asTeamB = { headers: { "Ocp-Apim-Subscription-Key": TEAM_B_KEY } }
          assert.strictEqual((yield* call(`${base}/v7.0/search?q=1`, asTeamB)).status, 200)
          assert.strictEqual((yield* call(`${base}/v7.0/search?q=2`, asTeamB)).status, 200)
          const limited = yield* call(`${base}/v7.0/search?q=3`, asTeamB)
          assert.strictEqual(limited.status, 429)
          assert.strictEqual(limited.text, BingResponse.encodeError(BingError.rateLimited(1_000)).body)
          assert.strictEqual(limited.headers.get("retry-after"), "1")
          assert.strictEqual(emu.current.requests().length, 2, "the third was not sent")
          // another tenant is not held back by team-b's limit
          assert.strictEqual((yield* call(`${base}/v7.0/search?q=3`, asTeamA)).status, 200)
          // team-b's day is 10: eight more over the next seconds, then 403 until midnight
          for (let i = 0; i < 8; i++) {
            yield* TestClock.adjust("1 second")
            assert.strictEqual((yield* call(`${base}/v7.0/search?q=d${i}`, asTeamB)).status, 200)
          }
          yield* TestClock.adjust("1 second")
          const day = yield* call(`${base}/v7.0/search?q=over`, asTeamB)
          assert.strictEqual(day.status, 403)
          const body = JSON.parse(day.text)
          assert.deepStrictEqual(body.errors[0], {
            code: "RateLimitExceeded",
            message: BingError.Messages.QuotaExceeded,
            moreDetails: BingError.Messages.QuotaExceededDay
          })
          assert.isAbove(Number(day.headers.get("retry-after")), 0)
        }))
    }))
})

/** A memory store that stops answering on demand, as an unreachable Redis does. */
const flakyStore = Effect.gen(function*() {
  const inner = yield* QuotaStore.makeMemory
  const state = { down: false }
  const guard = <A>(effect: Effect.Effect<A, QuotaError.QuotaError>) =>
    Effect.suspend(() => state.down ? Effect.fail(QuotaError.storeUnavailable("redis", "connection refused")) : effect)
  const store: QuotaStore.Service = {
    name: "redis",
    acquire: (slots, weight, now) => guard(inner.acquire(slots, weight, now)),
    get: (slots, now) => guard(inner.get(slots, now)),
    set: (slot, value, now) => guard(inner.set(slot, value, now)),
    add: (slots, delta, now) => guard(inner.add(slots, delta, now))
  }
  return { state, layer: Layer.succeed(QuotaStore.QuotaStore, store) }
})

describe("the quota store down", () => {
  it.effect("fail-closed: Bing's 500 ServerError/ResourceError naming the store, nothing sent", () =>
    Effect.gen(function*() {
      yield* syncClocks
      const flaky = yield* flakyStore
      yield* withGateway(config(emu.current.url), (base) =>
        Effect.gen(function*() {
          assert.strictEqual((yield* call(`${base}/v7.0/search?q=up`, asTeamA)).status, 200)
          flaky.state.down = true
          const before = emu.current.requests().length
          const seen = yield* call(`${base}/v7.0/search?q=down`, asTeamA)
          assert.strictEqual(seen.status, 500)
          assert.deepStrictEqual(JSON.parse(seen.text), {
            _type: "ErrorResponse",
            errors: [{
              code: "ServerError",
              subCode: "ResourceError",
              message: BingError.Messages.ResourceError,
              moreDetails: "The quota store did not answer."
            }]
          })
          // a tenant with limits is refused the same way, by its own tracker
          assert.strictEqual(
            (yield* call(`${base}/v7.0/search?q=down`, { headers: { "Ocp-Apim-Subscription-Key": TEAM_B_KEY } }))
              .status,
            500
          )
          assert.strictEqual(emu.current.requests().length, before)
          flaky.state.down = false
          assert.strictEqual((yield* call(`${base}/v7.0/search?q=up`, asTeamA)).status, 200)
        }), { store: flaky.layer })
    }))

  it.effect("fail-open: requests are still served, counted in memory", () =>
    Effect.gen(function*() {
      yield* syncClocks
      const flaky = yield* flakyStore
      yield* withGateway(config(emu.current.url, { storeFailure: "open" }), (base) =>
        Effect.gen(function*() {
          flaky.state.down = true
          assert.strictEqual((yield* call(`${base}/v7.0/search?q=open`, asTeamA)).status, 200)
          assert.strictEqual(
            (yield* call(`${base}/v7.0/search?q=open`, { headers: { "Ocp-Apim-Subscription-Key": TEAM_B_KEY } }))
              .status,
            200
          )
        }), { store: flaky.layer })
    }))
})

describe("upstream failures: a documented Bing answer in bounded time", () => {
  const upstreamError = {
    _type: "ErrorResponse",
    errors: [{
      code: "ServerError",
      subCode: "ResourceError",
      message: BingError.Messages.ResourceError,
      moreDetails: "The upstream Bing endpoint did not give a usable answer."
    }]
  }
  const fast: Gateway.NodeOptions = {
    client: { timeout: "300 millis", retry: { maxAttempts: 2, baseDelay: 0, maxDelay: 0 } }
  }

  it.live("connection refused", () =>
    withGateway(config("http://127.0.0.1:9"), (base) =>
      Effect.gen(function*() {
        const started = Date.now()
        const seen = yield* call(`${base}/v7.0/search?q=down`, asTeamA)
        assert.strictEqual(seen.status, 500)
        assert.deepStrictEqual(JSON.parse(seen.text), upstreamError)
        assert.isBelow(Date.now() - started, 5_000)
      }), fast))

  it.live("no answer within the timeout", () =>
    Effect.gen(function*() {
      emu.current.injectFault({ fault: { kind: "delay", ms: 10_000 } })
      yield* withGateway(config(emu.current.url), (base) =>
        Effect.gen(function*() {
          const started = Date.now()
          const seen = yield* call(`${base}/v7.0/search?q=slow`, asTeamA)
          assert.strictEqual(seen.status, 500)
          assert.deepStrictEqual(JSON.parse(seen.text), upstreamError)
          assert.isBelow(Date.now() - started, 3_000)
        }), fast)
    }))

  it.live("an HTML error page, a body that is not JSON, a broken body", () =>
    Effect.gen(function*() {
      yield* withGateway(config(emu.current.url), (base) =>
        Effect.gen(function*() {
          emu.current.injectFault({ fault: { kind: "html502" } })
          const html = yield* call(`${base}/v7.0/search?q=html`, asTeamA)
          assert.strictEqual(html.status, 500)
          assert.deepStrictEqual(JSON.parse(html.text), upstreamError)
          assert.strictEqual(emu.current.requests().length, 2, "retried within the budget")
          emu.current.clearFaults()
          emu.current.injectFault({ fault: { kind: "truncate" } })
          const truncated = yield* call(`${base}/v7.0/search?q=cut`, asTeamA)
          assert.strictEqual(truncated.status, 500)
          assert.deepStrictEqual(JSON.parse(truncated.text), upstreamError)
        }), fast)
      scripted.mode = "garbage"
      yield* withGateway(config(scripted.url), (base) =>
        Effect.gen(function*() {
          const garbage = yield* call(`${base}/v7.0/search?q=garbage`, asTeamA)
          assert.strictEqual(garbage.status, 500)
          assert.deepStrictEqual(JSON.parse(garbage.text), upstreamError)
          // a 200 with nothing in it, or HTML under a JSON content type: not an answer to pass on
          for (const mode of ["empty", "html-as-json"] as const) {
            scripted.mode = mode
            const seen = yield* call(`${base}/v7.0/search?q=${mode}`, asTeamA)
            assert.strictEqual(seen.status, 500, mode)
            assert.deepStrictEqual(JSON.parse(seen.text), upstreamError)
          }
          scripted.mode = "garbage"
        }), fast)
    }))

  it.live("the upstream answers 410 Gone (retired): 500 ResourceError saying so, after one attempt", () =>
    Effect.gen(function*() {
      const retired = yield* Effect.promise(() => Emulator.start({ keys: emulatorKeys, retired: true }))
      yield* Effect.addFinalizer(() => Effect.promise(() => retired.stop()))
      yield* withGateway(config(retired.url), (base) =>
        Effect.gen(function*() {
          const seen = yield* call(`${base}/v7.0/search?q=a`, asTeamA)
          assert.strictEqual(seen.status, 500)
          const body = JSON.parse(seen.text)
          assert.strictEqual(body.errors[0].subCode, "ResourceError")
          assert.include(body.errors[0].moreDetails, "retired (410 Gone)")
          // never retried, and no failover to S16 either: one request reached the upstream
          assert.strictEqual(retired.requests().length, 1)
        }), fast)
    }).pipe(Effect.scoped))

  it.effect("cc with mkt (what Microsoft's SDK sends with countryCode) and a count over the maximum go upstream", () =>
    Effect.gen(function*() {
      yield* syncClocks
      yield* withGateway(config(emu.current.url), (base) =>
        Effect.gen(function*() {
          const seen = yield* call(`${base}/v7.0/search?q=tides&mkt=en-us&cc=DE&count=100`, asTeamA)
          assert.strictEqual(seen.status, 200)
          assert.strictEqual(seen.headers.get("bingapis-market"), "en-US")
          assert.strictEqual(JSON.parse(seen.text).webPages.value.length, 50)
          assert.strictEqual(emu.current.requests(1)[0]?.path, "/v7.0/search?q=tides&mkt=en-us&cc=DE&count=100")
        }))
    }))

  it.live("the upstream refuses the tier's key: 500, not the upstream's 401 (the caller's key was fine)", () =>
    Effect.gen(function*() {
      const wrong = config(emu.current.url, {
        tiers: [{ name: "S15", key: Redacted.make("a-key-the-emulator-does-not-know"), limits: {} }]
      })
      yield* withGateway(wrong, (base) =>
        Effect.gen(function*() {
          const seen = yield* call(`${base}/v7.0/search?q=a`, asTeamA)
          assert.strictEqual(seen.status, 500)
          assert.deepStrictEqual(JSON.parse(seen.text), upstreamError)
        }), fast)
    }))
})
