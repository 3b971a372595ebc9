/**
 * Microsoft's Entity Search SDK client, unmodified, against the emulator. The scoped
 * `@azure/cognitiveservices-entitysearch` is not published on npm, so this is the older unscoped
 * `azure-cognitiveservices-entitysearch` 2.0.0 over `ms-rest`, authenticated with the key in
 * `Ocp-Apim-Subscription-Key` by `ms-rest`'s `ApiKeyCredentials`. Its base URI is
 * `{endpoint}/bing/v7.0`: the emulator's legacy prefix. It always sends its default `mkt=en-us`,
 * and spells four parameters with a capital (`ResponseFilter`, `ResponseFormat`, `SafeSearch`,
 * `SetLang`), which the emulator reads in any case. Its failures are errors with the HTTP
 * `statusCode` and Bing's `ErrorResponse` in `body`.
 */
import { Emulator } from "@bing-effect/emulator"
import { EntitySearchClient } from "azure-cognitiveservices-entitysearch"
import { ApiKeyCredentials } from "ms-rest"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const KEY = "azure-entity-sdk-test-key-5d21"
let emulator: Emulator.EmulatorHandle
let client: EntitySearchClient

beforeAll(async () => {
  emulator = await Emulator.start({ keys: [{ name: "entities", key: KEY, limits: { perDay: 1_000 } }] })
  const credentials = new ApiKeyCredentials({ inHeader: { "Ocp-Apim-Subscription-Key": KEY } })
  client = new EntitySearchClient(credentials, { endpoint: emulator.url })
})
afterAll(async () => {
  await emulator.stop()
})

describe("azure-cognitiveservices-entitysearch against the emulator", () => {
  it("entitiesOperations.search deserializes the entities and places answers", async () => {
    const response = await client.entitiesOperations.search("pizza near me")
    const sent = emulator.requests(1)[0]!
    expect(sent.status).toBe(200)
    expect(sent.path).toBe("/bing/v7.0/entities?mkt=en-us&q=pizza%20near%20me")
    expect(sent.market).toBe("en-US")
    expect(response._type).toBe("SearchResponse")
    expect(response.queryContext?.originalQuery).toBe("pizza near me")
    expect(response.queryContext?.askUserForLocation).toBe(true)
    const dominant = response.entities?.value[0]
    expect(dominant?.name).toBe("Pizza")
    expect(dominant?.entityPresentationInfo).toEqual({ entityScenario: "DominantEntity", entityTypeHints: ["Food"] })
    expect(dominant?.bingId).toMatch(/^[0-9a-f-]{36}$/)
    expect(dominant?.description).toEqual(expect.any(String))
    expect(dominant?.image?.thumbnailUrl).toMatch(/^https:\/\/www\.bing\.com\/th\?id=AMMS_/)
    // the SDK's polymorphic contractual rules, by their documented `_type`
    expect(dominant?.contractualRules?.map((rule) => rule._type)).toEqual([
      "ContractualRules/LicenseAttribution",
      "ContractualRules/LinkAttribution",
      "ContractualRules/MediaAttribution"
    ])
    const places = response.places?.value ?? []
    expect(places).toHaveLength(5)
    // the SDK builds a Restaurant (a LocalBusiness) from the place's `_type`
    const first = places[0] as { _type: string; name?: string; telephone?: string; address?: Record<string, unknown> }
    expect(first._type).toBe("Restaurant")
    expect(first.telephone).toMatch(/^\(\d{3}\) 555-\d{4}$/)
    expect(first.address).toMatchObject({ addressCountry: "US", addressRegion: expect.any(String) })
  })

  it("its capitalised ResponseFilter, SafeSearch and SetLang take effect", async () => {
    const onlyPlaces = await client.entitiesOperations.search("pizza", {
      responseFilter: ["Places"],
      safeSearch: "Strict",
      setLang: "en"
    })
    const query = new URLSearchParams(emulator.requests(1)[0]!.path.split("?")[1])
    expect([query.get("ResponseFilter"), query.get("SafeSearch"), query.get("SetLang")]).toEqual([
      "Places",
      "Strict",
      "en"
    ])
    expect(onlyPlaces.entities).toBeUndefined()
    expect(onlyPlaces.places?.value).toHaveLength(5)
    const strict = await client.entitiesOperations.search("casino", { safeSearch: "Strict" })
    expect(strict.entities).toBeUndefined()
    // countryCode is sent with the SDK's default mkt: accepted, mkt wins
    const both = await client.entitiesOperations.search("mount everest", { countryCode: "gb" })
    expect(both.entities?.value[0]?.name).toBe("Mount Everest")
    expect(emulator.requests(1)[0]!.market).toBe("en-US")
  })

  it("rejects with Bing's ErrorResponse, as the SDK reads it", async () => {
    // ms-rest retries a 5xx with 30-second waits: a client with its documented `noRetryPolicy`
    const once = new EntitySearchClient(new ApiKeyCredentials({ inHeader: { "Ocp-Apim-Subscription-Key": KEY } }), {
      endpoint: emulator.url,
      noRetryPolicy: true
    })
    const error = await once.entitiesOperations.search("x", { responseFormat: ["JsonLd"] }).then(
      () => expect.unreachable("the SDK call succeeded"),
      (e: unknown) => e as { statusCode?: number; body?: { errors?: ReadonlyArray<Record<string, string>> } }
    )
    expect(error.statusCode).toBe(500)
    expect(error.body?.errors?.[0]).toMatchObject({ code: "ServerError", subCode: "NotImplemented" })
    const invalid = await client.entitiesOperations.search("x", { market: "en-US", countryCode: "usa" }).then(
      () => expect.unreachable("the SDK call succeeded"),
      (e: unknown) => e as { statusCode?: number; body?: { errors?: ReadonlyArray<Record<string, string>> } }
    )
    expect(invalid.statusCode).toBe(400)
    expect(invalid.body?.errors?.[0]).toMatchObject({
      code: "InvalidRequest",
      subCode: "ParameterInvalidValue",
      parameter: "cc",
      value: "usa"
    })
  })
})
