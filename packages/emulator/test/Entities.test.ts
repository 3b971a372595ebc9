// Entity Search over a real socket: the documented SearchResponse shape, both prefixes,
// determinism, dominant and disambiguation entities, US-only places, responseFilter, Bing's error
// bodies and quotas counted like the rest.
/* oxlint-disable no-underscore-dangle -- `_type` is the field name of Bing's JSON */
import { EntitySearch } from "@bing-effect/schema"
import { Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Emulator from "../src/Emulator.js"
import { get } from "./support.js"

let bing: Emulator.EmulatorHandle

beforeAll(async () => {
  bing = await Emulator.start({
    keys: [{ name: "e", key: "key-e" }, { name: "daily", key: "key-daily", limits: { perDay: 1 } }],
    clock: "frozen"
  })
})
afterAll(async () => {
  await bing.stop()
})

const at = (path: string, key = "key-e") => get(`${bing.url}${path}`, { key })
const strict = Schema.decodeUnknownSync(EntitySearch.SearchResponse, { onExcessProperty: "error" })

describe("/entities", () => {
  it("answers a DominantEntity in the documented shape, under both prefixes, the same on every call", async () => {
    const r = await at("/v7.0/entities?q=mount+everest&mkt=en-US")
    expect(r.status).toBe(200)
    expect(r.headers.get("content-type")).toBe("application/json; charset=utf-8")
    expect(r.headers.get("bingapis-market")).toBe("en-US")
    expect(r.headers.get("bingapis-traceid")).toMatch(/^[0-9A-F]{32}$/)
    const body = r.json()
    expect(strict(body)).toEqual(body)
    expect(Object.keys(body)).toEqual(["_type", "queryContext", "entities", "rankingResponse"])
    expect(body.queryContext).toEqual({ originalQuery: "mount everest" })
    expect(body.entities.queryScenario).toBe("DominantEntity")
    expect(body.entities.value).toHaveLength(1)
    const [everest] = body.entities.value
    expect(everest.name).toBe("Mount Everest")
    expect(everest.entityPresentationInfo).toEqual({
      entityScenario: "DominantEntity",
      entityTypeHints: ["Place", "Attraction"],
      entityTypeDisplayHint: "Mountain"
    })
    expect(everest.bingId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(everest.contractualRules.map((c: { _type: string }) => c._type)).toEqual([
      "ContractualRules/LicenseAttribution",
      "ContractualRules/LinkAttribution",
      "ContractualRules/MediaAttribution"
    ])
    expect(everest.image.provider).toEqual([{
      _type: "Organization",
      url: "https://en.wikipedia.org/wiki/Mount_Everest"
    }])
    expect(everest.webSearchUrl).toMatch(/^https:\/\/www\.bing\.com\/entityexplore\?q=Mount\+Everest/)
    expect(body.rankingResponse).toEqual({
      sidebar: { items: [{ answerType: "Entities", resultIndex: 0, value: { id: everest.id } }] }
    })
    expect((await at("/v7.0/entities?q=mount+everest&mkt=en-US")).text).toBe(r.text)
    expect((await at("/bing/v7.0/entities?q=mount+everest&mkt=en-US")).text).toBe(r.text)
  })

  it("several matches: the first dominant, the others DisambiguationItems; nothing known: no answer", async () => {
    const body = (await at("/v7.0/entities?q=python+rust")).json()
    expect(body.entities.queryScenario).toBe("DominantEntityWithDisambiguation")
    expect(body.entities.value.map((e: EntitySearch.Thing) => e.entityPresentationInfo?.entityScenario)).toEqual([
      "DominantEntity",
      "DisambiguationItem"
    ])
    const none = (await at("/v7.0/entities?q=zzqqxx+wvut")).json()
    expect(none).toEqual({
      _type: "SearchResponse",
      queryContext: { originalQuery: "zzqqxx wvut" },
      rankingResponse: {}
    })
  })

  it("places for a kind of business, in US markets only; near me asks for the location", async () => {
    const body = (await at("/v7.0/entities?q=pizza+near+me&mkt=en-US")).json()
    expect(strict(body)).toEqual(body)
    expect(body.queryContext).toEqual({ originalQuery: "pizza near me", askUserForLocation: true })
    expect(body.places.value).toHaveLength(5)
    for (const place of body.places.value) {
      expect(place._type).toBe("Restaurant")
      expect(place.entityPresentationInfo).toEqual({
        entityScenario: "ListItem",
        entityTypeHints: ["Place", "LocalBusiness", "Restaurant"]
      })
      expect(place.address.addressCountry).toBe("US")
      expect(place.telephone).toMatch(/^\(\d{3}\) 555-\d{4}$/)
    }
    expect(body.entities.value[0].name).toBe("Pizza")
    expect(body.rankingResponse.mainline.items).toHaveLength(5)
    const hotels = (await at("/v7.0/entities?q=hotels+in+seattle&mkt=en-us")).json()
    expect(hotels.places.value[0]._type).toBe("Hotel")
    expect(hotels.queryContext.askUserForLocation).toBeUndefined()
    const germany = (await at("/v7.0/entities?q=pizza&mkt=de-DE")).json()
    expect(germany.places).toBeUndefined()
    expect(germany.entities.value[0].name).toBe("Pizza")
  })

  it("responseFilter keeps or drops answers; names in any case, as Microsoft's SDK sends them", async () => {
    const onlyPlaces = (await at("/v7.0/entities?q=pizza&mkt=en-US&responseFilter=Places")).json()
    expect([onlyPlaces.entities, onlyPlaces.places?.value.length]).toEqual([undefined, 5])
    const noPlaces = (await at("/v7.0/entities?q=pizza&mkt=en-US&responseFilter=-places")).json()
    expect([noPlaces.entities?.value.length, noPlaces.places]).toEqual([1, undefined])
    const sdk = (await at("/v7.0/entities?mkt=en-us&q=pizza&ResponseFilter=Entities&SafeSearch=Strict")).json()
    expect([sdk.entities?.value.length, sdk.places]).toEqual([1, undefined])
    // safeSearch=Strict drops the entities of adult topics
    expect((await at("/v7.0/entities?q=casino")).json().entities.value).toHaveLength(1)
    expect((await at("/v7.0/entities?q=casino&safeSearch=Strict")).json().entities).toBeUndefined()
  })

  it("answers Bing's error bodies: 400 for parameters, NotImplemented for JSON-LD, reserved terms", async () => {
    const missing = await at("/v7.0/entities?mkt=en-US")
    expect(missing.status).toBe(400)
    expect(missing.text).toBe(
      "{\"_type\":\"ErrorResponse\",\"errors\":[{\"code\":\"InvalidRequest\",\"subCode\":\"ParameterMissing\",\"message\":\"Required parameter is missing.\",\"parameter\":\"q\"}]}"
    )
    const filter = await at("/v7.0/entities?q=x&responseFilter=Images")
    expect([filter.status, filter.json().errors[0]]).toEqual([400, {
      code: "InvalidRequest",
      subCode: "ParameterInvalidValue",
      message: "Parameter has invalid value.",
      parameter: "responseFilter",
      value: "Images"
    }])
    const jsonLd = await at("/v7.0/entities?q=x&responseFormat=JsonLd")
    expect([jsonLd.status, jsonLd.json().errors[0].subCode]).toEqual([500, "NotImplemented"])
    const blocked = await at("/v7.0/entities?q=emulator:blocked")
    expect([blocked.status, blocked.json().errors[0].subCode]).toEqual([400, "Blocked"])
    expect((await at("/v7.0/entities?q=x", "nope")).status).toBe(401)
  })

  it("spends the key's quota like every other endpoint", async () => {
    expect((await at("/v7.0/entities?q=a", "key-daily")).status).toBe(200)
    expect(bing.usage("daily").usage.day).toBe(1)
    expect((await at("/v7.0/entities?q=b", "key-daily")).status).toBe(403)
  })
})
