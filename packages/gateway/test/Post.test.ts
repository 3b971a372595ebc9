/**
 * The two v7 endpoints Bing answers a `POST` on, through the gateway: Spell Check (Microsoft's
 * Spell Check SDK always posts; long text goes in a form body) and Visual Search (a multipart
 * body, Microsoft's visual search SDK). The body is forwarded as the caller sent it, counted like
 * any request, and read bounded and within a deadline before anything is spent.
 */
import { SpellCheckClient } from "@azure/cognitiveservices-spellcheck"
import { CognitiveServicesCredentials } from "@azure/ms-rest-azure-js"
import { Emulator } from "@bing-effect/emulator"
import { Tier } from "@bing-effect/quota-tracker"
import { VisualSearchAPIClient } from "azure-cognitiveservices-visualsearch"
import { ManagedRuntime, Redacted } from "effect"
import { HttpServer } from "effect/http"
import { ApiKeyCredentials } from "ms-rest"
import { connect } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Gateway, type GatewayConfig } from "../src/index.js"

const TIER_KEY = "post-test-tier-key-7d21"
const CLIENT_KEY = "post-test-client-key-93ac"

let emulator: Emulator.EmulatorHandle
let gateway: ManagedRuntime.ManagedRuntime<HttpServer.HttpServer, unknown>
let url: string

beforeAll(async () => {
  emulator = await Emulator.start({ keys: [{ name: "S15", key: TIER_KEY, limits: { perDay: 1_000 } }] })
  const config: GatewayConfig.GatewayConfig = {
    upstream: { endpoint: emulator.url, allowInsecureLoopback: true },
    tiers: [Tier.make({ name: "S15", key: Redacted.make(TIER_KEY), limits: { perDay: 1_000 } })],
    clients: [{ name: "poster", key: Redacted.make(CLIENT_KEY), limits: {} }],
    store: { _tag: "memory" },
    storeFailure: "closed",
    adminToken: undefined
  }
  gateway = ManagedRuntime.make(
    Gateway.layerNode(config, { port: 0, drainTimeout: "1 second", bodyReadTimeout: "300 millis" })
  )
  url = await gateway.runPromise(HttpServer.HttpServer.useSync((server) => HttpServer.formatAddress(server.address)))
})
afterAll(async () => {
  await gateway.dispose()
  await emulator.stop()
})

const served = () => emulator.usage("S15").served

const post = (path: string, body: string | Uint8Array<ArrayBuffer>, contentType: string, key = CLIENT_KEY) =>
  fetch(`${url}${path}`, {
    method: "POST",
    headers: { "ocp-apim-subscription-key": key, "content-type": contentType },
    body
  })

describe("Spell Check through the gateway", () => {
  it("Microsoft's Spell Check SDK (it always posts) gets the emulator's answer, counted on S15", async () => {
    const direct = await new SpellCheckClient(new CognitiveServicesCredentials(TIER_KEY), { endpoint: emulator.url })
      .spellChecker("Hollo, wrld!", { mode: "spell", market: "en-US" })
    const before = served()
    const through = await new SpellCheckClient(new CognitiveServicesCredentials(CLIENT_KEY), { endpoint: url })
      .spellChecker("Hollo, wrld!", { mode: "spell", market: "en-US" })
    expect(through.flaggedTokens.map((t) => t.suggestions?.[0]?.suggestion)).toEqual(["Hello", "world"])
    expect(through.flaggedTokens).toEqual(direct.flaggedTokens)
    expect(served()).toBe(before + 1)
    const [sent] = emulator.requests(1)
    expect([sent?.method, sent?.path.split("?")[0], sent?.keyName]).toEqual(["POST", "/v7.0/spellcheck", "S15"])
  })

  it("a form body too long for a URL is forwarded byte for byte, without the caller's key field", async () => {
    const text = "Hollo wrld ".repeat(150)
    // proof mode: spell mode reads at most 65 characters
    const form = new URLSearchParams({ text, mode: "proof" }).toString()
    const direct = await (await fetch(`${emulator.url}/v7.0/spellcheck`, {
      method: "POST",
      headers: { "ocp-apim-subscription-key": TIER_KEY, "content-type": "application/x-www-form-urlencoded" },
      body: form
    })).json()
    const response = await post(
      "/bing/v7.0/spellcheck",
      `${form}&subscription-key=${CLIENT_KEY}`,
      "application/x-www-form-urlencoded"
    )
    expect(response.status).toBe(200)
    const body = await response.json() as { readonly flaggedTokens: ReadonlyArray<unknown> }
    expect(text.length).toBeGreaterThan(1_500)
    expect(body.flaggedTokens.length).toBeGreaterThan(100)
    expect(body).toEqual(direct)
  })
})

describe("Visual Search through the gateway", () => {
  const visual = (endpoint: string, key: string) =>
    new VisualSearchAPIClient(
      new ApiKeyCredentials({ inHeader: { "Ocp-Apim-Subscription-Key": key } }),
      `${endpoint}/bing/v7.0`
    )

  it("Microsoft's visual search SDK gets the same ImageKnowledge as from the emulator, counted", async () => {
    const found = await (await fetch(`${emulator.url}/v7.0/images/search?q=tea&count=1`, {
      headers: { "ocp-apim-subscription-key": TIER_KEY }
    })).json() as { readonly value: ReadonlyArray<{ readonly imageInsightsToken: string }> }
    const knowledgeRequest = JSON.stringify({ imageInfo: { imageInsightsToken: found.value[0]!.imageInsightsToken } })
    const direct = await visual(emulator.url, TIER_KEY).images.visualSearch({ knowledgeRequest })
    const before = served()
    const through = await visual(url, CLIENT_KEY).images.visualSearch({ knowledgeRequest })
    expect(through._type).toBe("ImageKnowledge")
    expect(through.image?.imageInsightsToken).toBe(found.value[0]!.imageInsightsToken)
    expect(JSON.parse(JSON.stringify(through.tags))).toEqual(JSON.parse(JSON.stringify(direct.tags)))
    expect(served()).toBe(before + 1)
    const [sent] = emulator.requests(1)
    expect([sent?.method, sent?.path, sent?.status]).toEqual(["POST", "/v7.0/images/visualsearch", 200])
  })

  it("a body over the bound is Bing's 400 from the gateway: nothing sent upstream, nothing counted", async () => {
    const before = served()
    const logged = emulator.requests(1000).length
    const response = await post(
      "/v7.0/images/visualsearch",
      new Uint8Array(1_200_000),
      "multipart/form-data; boundary=x"
    )
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({
      _type: "ErrorResponse",
      errors: [{ code: "InvalidRequest", subCode: "ParameterInvalidValue", parameter: "image" }]
    })
    expect(served()).toBe(before)
    expect(emulator.requests(1000).length).toBe(logged)
  })

  it("a caller that stalls mid-body gets Bing's 400 at the deadline, and nothing is sent upstream", async () => {
    const logged = emulator.requests(1000).length
    const { port } = new URL(url)
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1")
      let received = ""
      const guard = setTimeout(() => {
        socket.destroy()
        reject(new Error("no answer within 5 s"))
      }, 5_000)
      socket.on("data", (chunk) => {
        received += chunk.toString("latin1")
        if (received.includes("\r\n\r\n") && received.includes("}")) {
          clearTimeout(guard)
          socket.destroy()
          resolve(received)
        }
      })
      socket.on("error", reject)
      socket.write(
        `POST /v7.0/images/visualsearch HTTP/1.1\r\nHost: 127.0.0.1\r\nOcp-Apim-Subscription-Key: ${CLIENT_KEY}\r\n` +
          "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 5000\r\n\r\n--x\r\n"
      )
    })
    expect(answer).toMatch(/^HTTP\/1\.1 400 /)
    expect(answer).toContain("ParameterInvalidValue")
    expect(answer).not.toContain(CLIENT_KEY)
    expect(emulator.requests(1000).length).toBe(logged)
  })
})

describe("methods", () => {
  it("other methods on the POST endpoints are 404 with Allow: GET, POST; a POST elsewhere 404 with Allow: GET", async () => {
    const put = await fetch(`${url}/v7.0/spellcheck?text=a`, {
      method: "PUT",
      headers: { "ocp-apim-subscription-key": CLIENT_KEY }
    })
    expect([put.status, put.headers.get("allow")]).toEqual([404, "GET, POST"])
    const search = await post("/v7.0/search?q=a", "q=a", "application/x-www-form-urlencoded")
    expect([search.status, search.headers.get("allow")]).toEqual([404, "GET"])
  })

  it("a POST without a key is Bing's 401, and its body is not forwarded", async () => {
    const logged = emulator.requests(1000).length
    const response = await fetch(`${url}/v7.0/spellcheck`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "text=wrld"
    })
    expect(response.status).toBe(401)
    expect(emulator.requests(1000).length).toBe(logged)
  })
})
