// Entity Search: the parameter codec (Bing's 400 bodies, names in any case as Microsoft's SDK
// sends them) and the SearchResponse model against the documented samples.
import { describe, expect, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import { readFileSync } from "node:fs"
import * as EntitySearch from "../src/EntitySearch.js"
import * as EntitySearchParams from "../src/EntitySearchParams.js"
import { answer, invalidBody, missingBody } from "./paramErrors.js"

const fromQuery = (qs: string) => EntitySearchParams.fromQuery(new URLSearchParams(qs))

describe("Entity Search parameters", () => {
  it("reads every documented parameter; mkt is optional, enums and names in any case", () => {
    expect(
      fromQuery(
        "q=mt+rainier&cc=us&mkt=en-us&responseFilter=entities,PLACES&responseFormat=json&safeSearch=strict&setLang=en"
      )
    )
      .toEqual(Result.succeed({
        q: "mt rainier",
        cc: "us",
        mkt: "en-us",
        responseFilter: ["Entities", "Places"],
        responseFormat: "JSON",
        safeSearch: "Strict",
        setLang: "en"
      }))
    expect(fromQuery("q=seattle")).toEqual(Result.succeed({ q: "seattle" }))
    // Microsoft's SDK: `mkt=en-us&q=…&ResponseFilter=…&ResponseFormat=Json&SafeSearch=…&SetLang=…`
    expect(fromQuery("mkt=en-us&q=x&ResponseFilter=Places&ResponseFormat=JsonLd&SafeSearch=Off&SetLang=en"))
      .toEqual(Result.succeed({
        q: "x",
        mkt: "en-us",
        responseFilter: ["Places"],
        responseFormat: "JSONLD",
        safeSearch: "Off",
        setLang: "en"
      }))
    expect(fromQuery("q=x&responseFilter=-places")).toEqual(Result.succeed({ q: "x", responseFilter: ["-Places"] }))
  })

  it("answers Bing's exact 400 body for the first parameter at fault", () => {
    expect(answer(fromQuery("mkt=en-US"))).toEqual(missingBody("q"))
    expect(answer(fromQuery("q=%20"))).toEqual(missingBody("q"))
    expect(answer(fromQuery("q=x&cc=usa"))).toEqual(invalidBody("cc", "usa"))
    expect(answer(fromQuery("q=x&responseFilter=Images"))).toEqual(invalidBody("responseFilter", "Images"))
    expect(answer(fromQuery("q=x&responseFilter=Entities,-Places"))).toEqual(
      invalidBody("responseFilter", "Entities,-Places")
    )
    expect(answer(fromQuery("q=x&responseFormat=xml"))).toEqual(invalidBody("responseFormat", "xml"))
    expect(answer(fromQuery("q=x&safeSearch=maybe"))).toEqual(invalidBody("safeSearch", "maybe"))
    expect(Result.isSuccess(fromQuery("q=x&cc=gb&mkt=en-US"))).toBe(true)
  })

  it("validates typed input and writes it back in field order", () => {
    const params = { q: "space needle", mkt: "en-US", responseFilter: ["Entities"] } as const
    expect(EntitySearchParams.validate(params)).toEqual(Result.succeed(params))
    expect(EntitySearchParams.toQuery(params).toString()).toBe("q=space+needle&mkt=en-US&responseFilter=Entities")
    expect(answer(EntitySearchParams.validate({ mkt: "en-US" }))).toEqual(missingBody("q"))
    expect(answer(EntitySearchParams.validate({ q: "x", responseFilter: ["Entities", "-Places"] }))).toEqual(
      invalidBody("responseFilter", "Entities,-Places")
    )
  })
})

const documented: unknown = JSON.parse(
  readFileSync(new URL("./fixtures/entity-search.json", import.meta.url), "utf8")
)

describe("Entity Search model", () => {
  it("decodes the documented samples whole (excess properties rejected: every documented field is modelled)", () => {
    const strict = Schema.decodeUnknownSync(EntitySearch.SearchResponse, { onExcessProperty: "error" })
    expect(strict(documented)).toEqual(documented)
    const r = EntitySearch.decodeEntities({
      status: 200,
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify(documented)
    })
    expect(Result.isSuccess(r) && r.success.entities?.value[0]?.entityPresentationInfo?.entityScenario).toBe(
      "DominantEntity"
    )
    expect(Result.isSuccess(r) && r.success.places?.value[0]?.address?.addressLocality).toBe("Bothell")
  })

  it("keeps scenarios and hints a newer server sends; an entity without a name is UnexpectedResponse", () => {
    const newer = {
      _type: "SearchResponse",
      entities: {
        queryScenario: "ListWithPivot",
        value: [{ name: "X", entityPresentationInfo: { entityScenario: "SomethingNew", entityTypeHints: ["Drug"] } }]
      }
    }
    const r = EntitySearch.decodeEntities({ status: 200, headers: {}, body: JSON.stringify(newer) })
    expect(r).toEqual(Result.succeed(newer))
    const bad = EntitySearch.decodeEntities({
      status: 200,
      headers: {},
      body: "{\"_type\":\"SearchResponse\",\"entities\":{\"value\":[{}]}}"
    })
    expect(Result.isFailure(bad) && bad.failure._tag).toBe("UnexpectedResponse")
    const error = EntitySearch.decodeEntities({
      status: 400,
      headers: {},
      body:
        "{\"_type\":\"ErrorResponse\",\"errors\":[{\"code\":\"InvalidRequest\",\"subCode\":\"ParameterMissing\",\"message\":\"Required parameter is missing.\",\"parameter\":\"q\"}]}"
    })
    expect(Result.isFailure(error) && error.failure._tag).toBe("InvalidRequest")
  })
})
