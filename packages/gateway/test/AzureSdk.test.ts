/**
 * Microsoft's own Bing SDK clients, unmodified (`@azure/cognitiveservices-websearch` and
 * `-imagesearch` 3.0.1 over `@azure/ms-rest-js`, authenticated by `CognitiveServicesCredentials`),
 * pointed by their `endpoint` option at a local server: first the emulator (so the emulator is a
 * faithful stand-in for what the SDK expects), then the gateway in front of it, with one of the
 * gateway's client keys. What the SDK sends: `GET {endpoint}/bing/v7.0/search?…` (also
 * `images/search`, `images/trending`), `Ocp-Apim-Subscription-Key`, `X-BingApis-SDK: true`,
 * `X-BingApis-SDK-Client: node-SDK`, `Content-Type: application/json; charset=utf-8` even on a GET,
 * `Accept-Encoding: gzip,deflate`, `mkt=en-us` unless told otherwise; its failures are
 * `RestError`s with the HTTP `statusCode` and Bing's `ErrorResponse` deserialized in `body`.
 */
import { ImageSearchClient } from "@azure/cognitiveservices-imagesearch"
import { WebSearchClient } from "@azure/cognitiveservices-websearch"
import { CognitiveServicesCredentials } from "@azure/ms-rest-azure-js"
import type { RestError } from "@azure/ms-rest-js"
import { Emulator } from "@bing-effect/emulator"
import { Tier } from "@bing-effect/quota-tracker"
import { ManagedRuntime, Redacted } from "effect"
import { HttpServer } from "effect/http"
import { createServer, type IncomingHttpHeaders, request, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Gateway, type GatewayConfig } from "../src/index.js"

const TIER_KEY = "azure-sdk-test-tier-key-5c1d"
const S16_KEY = "azure-sdk-test-s16-key-8e02"
const CLIENT_KEY = "azure-sdk-test-client-key-31b7"

/** The SDK's rejection, as a user catches it: a RestError with Bing's ErrorResponse in `body`. */
const failure = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => expect.unreachable("the SDK call succeeded"),
    (e: unknown) => e as RestError & { readonly body?: { readonly errors?: ReadonlyArray<Record<string, string>> } }
  )
  return { statusCode: error.statusCode, error: error.body?.errors?.[0], message: error.message }
}

const sdk = (endpoint: string, key: string) => ({
  web: new WebSearchClient(new CognitiveServicesCredentials(key), { endpoint }),
  images: new ImageSearchClient(new CognitiveServicesCredentials(key), { endpoint })
})

let emulator: Emulator.EmulatorHandle

beforeAll(async () => {
  emulator = await Emulator.start({
    keys: [
      { name: "S15", key: TIER_KEY, limits: { perDay: 1_000 } },
      { name: "S16", key: S16_KEY, limits: { perDay: 1_000 } }
    ]
  })
})
afterAll(async () => {
  await emulator.stop()
})

describe("the Azure SDK against the emulator", () => {
  /** A recorder between the SDK and the emulator: what the SDK really puts on the wire. */
  let recorder: Server
  const seen: Array<{ readonly url: string; readonly headers: IncomingHttpHeaders }> = []

  beforeAll(async () => {
    const upstream = new URL(emulator.url)
    recorder = createServer((req, res) => {
      seen.push({ url: req.url!, headers: req.headers })
      const forward = request(
        { host: upstream.hostname, port: upstream.port, method: req.method!, path: req.url!, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode!, answer.headers)
          answer.pipe(res)
        }
      )
      req.pipe(forward)
    })
    await new Promise<void>((resolve) => recorder.listen(0, "127.0.0.1", resolve))
  })
  afterAll(async () => {
    await new Promise((resolve) => recorder.close(resolve))
  })

  it("web.search: the SDK's request shape, and a SearchResponse the SDK deserializes", async () => {
    const endpoint = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`
    const result = await sdk(endpoint, TIER_KEY).web.web.search("effect typescript", {
      count: 3,
      market: "en-US",
      responseFilter: ["WebPages"],
      clientId: "0123456789ABCDEF0123456789ABCDEF",
      acceptLanguage: "en-US",
      location: "lat:47.6;long:-122.3;re:22"
    })
    expect(result._type).toBe("SearchResponse")
    expect(result.webPages?.value).toHaveLength(3)
    expect(result.webPages?.value[0]?.url).toMatch(/^https:\/\//)
    const wire = seen.at(-1)!
    expect(new URL(wire.url, "http://x").pathname).toBe("/bing/v7.0/search")
    expect(Object.fromEntries(new URL(wire.url, "http://x").searchParams)).toEqual({
      q: "effect typescript",
      count: "3",
      mkt: "en-US",
      responseFilter: "WebPages"
    })
    expect(wire.headers).toMatchObject({
      "ocp-apim-subscription-key": TIER_KEY,
      "x-bingapis-sdk": "true",
      "x-bingapis-sdk-client": "node-SDK",
      "content-type": "application/json; charset=utf-8",
      "x-msedge-clientid": "0123456789ABCDEF0123456789ABCDEF",
      "x-search-location": "lat:47.6;long:-122.3;re:22",
      "accept-language": "en-US"
    })
    expect(wire.headers["user-agent"]).toMatch(/^@azure\/cognitiveservices-websearch\/3\.0\.1 ms-rest-js\//)
  })

  it("images.search and images.trending", async () => {
    const { images } = sdk(emulator.url, TIER_KEY)
    const found = await images.images.search("red panda", { count: 4, safeSearch: "Strict" })
    expect(found._type).toBe("Images")
    expect(found.value).toHaveLength(4)
    expect(found.value[0]?.contentUrl).toMatch(/^https:\/\//)
    const trending = await images.images.trending()
    expect(trending._type).toBe("TrendingImages")
    expect(trending.categories.length).toBeGreaterThan(0)
    expect(trending.categories[0]?.tiles[0]?.query.text).toEqual(expect.any(String))
    const log = emulator.requests(2).map((r) => [r.path.split("?")[0], r.status, r.keyName])
    expect(log).toEqual([["/bing/v7.0/images/trending", 200, "S15"], ["/bing/v7.0/images/search", 200, "S15"]])
  })

  it("countryCode works: the SDK's default mkt=en-us and cc are both sent, mkt wins, no 400", async () => {
    const endpoint = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`
    const result = await sdk(endpoint, TIER_KEY).web.web.search("tides", { countryCode: "DE", count: 2 })
    expect(result._type).toBe("SearchResponse")
    expect(result.webPages?.value).toHaveLength(2)
    const query = Object.fromEntries(new URL(seen.at(-1)!.url, "http://x").searchParams)
    expect(query).toMatchObject({ q: "tides", cc: "DE", mkt: "en-us" })
    expect(emulator.requests(1)[0]?.market).toBe("en-US")
  })

  it("a count over Bing's maximum delivers the maximum", async () => {
    const result = await sdk(emulator.url, TIER_KEY).web.web.search("coffee", { count: 1000 })
    expect(result.webPages?.value).toHaveLength(50)
  })

  it("a bad parameter is the SDK's RestError with Bing's 400 ErrorResponse", async () => {
    const { web } = sdk(emulator.url, TIER_KEY)
    expect(await failure(web.web.search("coffee", { count: 70000 }))).toMatchObject({
      statusCode: 400,
      error: { code: "InvalidRequest", subCode: "ParameterInvalidValue", parameter: "count", value: "70000" }
    })
  })

  it("an unknown key is the SDK's RestError with Bing's 401", async () => {
    const { web } = sdk(emulator.url, "not-a-key-of-this-emulator")
    expect(await failure(web.web.search("coffee"))).toMatchObject({
      statusCode: 401,
      error: { code: "InvalidAuthorization", subCode: "AuthorizationMissing" }
    })
  })
})

describe("the Azure SDK through the gateway", () => {
  let gateway: ManagedRuntime.ManagedRuntime<HttpServer.HttpServer, unknown>
  let url: string

  beforeAll(async () => {
    const config: GatewayConfig.GatewayConfig = {
      upstream: { endpoint: emulator.url, allowInsecureLoopback: true },
      tiers: [
        Tier.make({ name: "S15", key: Redacted.make(TIER_KEY), limits: { perDay: 1_000 } }),
        Tier.make({ name: "S16", key: Redacted.make(S16_KEY), limits: { perDay: 1_000 } })
      ],
      clients: [{ name: "azure-sdk", key: Redacted.make(CLIENT_KEY), limits: {} }],
      store: { _tag: "memory" },
      storeFailure: "closed",
      adminToken: undefined
    }
    gateway = ManagedRuntime.make(Gateway.layerNode(config, { port: 0, drainTimeout: "1 second" }))
    url = await gateway.runPromise(
      HttpServer.HttpServer.useSync((server) => HttpServer.formatAddress(server.address))
    )
  })
  afterAll(async () => {
    await gateway.dispose()
  })

  it("web.search: the same SearchResponse as from the emulator directly, on S15's quota", async () => {
    const options = {
      count: 5,
      market: "en-GB",
      safeSearch: "Moderate" as const,
      clientId: "0123456789ABCDEF0123456789ABCDEF"
    }
    const direct = await sdk(emulator.url, TIER_KEY).web.web.search("bing gateway", options)
    const before = emulator.usage("S15").served
    const through = await sdk(url, CLIENT_KEY).web.web.search("bing gateway", options)
    expect(through._type).toBe("SearchResponse")
    expect(through.webPages?.value).toHaveLength(5)
    expect(through).toEqual(direct)
    expect(emulator.usage("S15").served).toBe(before + 1)
    // the gateway went upstream with the tier's key (under Bing's own /v7.0 prefix)
    expect(emulator.requests(1).map((r) => [r.path.split("?")[0], r.keyName])).toEqual([["/v7.0/search", "S15"]])
  })

  it("countryCode through the gateway: accepted (cc with mkt), the emulator's answer", async () => {
    const options = { countryCode: "DE", count: 3 }
    const direct = await sdk(emulator.url, TIER_KEY).web.web.search("tides", options)
    const through = await sdk(url, CLIENT_KEY).web.web.search("tides", options)
    expect(through.webPages?.value).toHaveLength(3)
    expect(through).toEqual(direct)
  })

  it("images.search and images.trending: the emulator's answers", async () => {
    const direct = sdk(emulator.url, TIER_KEY).images
    const through = sdk(url, CLIENT_KEY).images
    const query = { count: 6, imageType: "Photo" as const, aspect: "Wide" as const }
    expect(await through.images.search("lighthouse", query)).toEqual(await direct.images.search("lighthouse", query))
    expect(await through.images.trending()).toEqual(await direct.images.trending())
  })

  it("a bad parameter: the SDK's RestError with Bing's 400, answered by the gateway without going upstream", async () => {
    const before = emulator.requests(1)[0]?.traceId
    const { web } = sdk(url, CLIENT_KEY)
    expect(await failure(web.web.search("coffee", { count: 70000 }))).toMatchObject({
      statusCode: 400,
      error: { code: "InvalidRequest", subCode: "ParameterInvalidValue", parameter: "count", value: "70000" }
    })
    expect(await failure(web.web.search("coffee", { offset: -1 }))).toMatchObject({
      statusCode: 400,
      error: { code: "InvalidRequest", subCode: "ParameterInvalidValue", parameter: "offset" }
    })
    expect(emulator.requests(1)[0]?.traceId).toBe(before)
  })

  it("an unknown key, and a tier's own key, are the SDK's RestError with Bing's 401", async () => {
    for (const key of ["not-a-client-key-of-this-gateway", TIER_KEY]) {
      const { images } = sdk(url, key)
      const seen = await failure(images.images.search("coffee"))
      expect(seen).toMatchObject({
        statusCode: 401,
        error: { code: "InvalidAuthorization", subCode: "AuthorizationMissing" }
      })
      expect(seen.message).not.toContain(TIER_KEY)
    }
  })

  // last: it leaves both tiers exhausted in this gateway's tracker until the next day
  it("every tier out upstream: the SDK's RestError with Bing's 403 RateLimitExceeded", async () => {
    // the gateway's own counts are low: the emulator's 403s on S15, then S16, tell it
    emulator.setUsage({ key: "S15", window: "day", used: 1_000 })
    emulator.setUsage({ key: "S16", window: "day", used: 1_000 })
    try {
      const seen = await failure(sdk(url, CLIENT_KEY).web.web.search("exhausted"))
      expect(seen).toMatchObject({ statusCode: 403, error: { code: "RateLimitExceeded" } })
    } finally {
      emulator.reset()
    }
  })
})
